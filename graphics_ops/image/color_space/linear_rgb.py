"""Linear RGB from sRGB (TensorFlow Graphics' `image.color_space.linear_rgb`)."""

import tensorflow as tf

from graphics_ops.image.color_space import _transfer
from graphics_ops.util import trace_hook


@trace_hook.op
def from_srgb(srgb, name="linear_rgb_from_srgb"):
    """Converts sRGB colours `[A1, ..., An, 3]` to linear RGB (same shape), by the sRGB transfer function.

    The transfer function is that of IEC 61966-2-1. Values are expected in [0, 1]; outside it the
    linear segment (below 0) and the power curve (above 1) continue. Gradients are finite everywhere
    (TensorFlow Graphics' are nan below -0.055).
    """
    with tf.name_scope(name):
        return _transfer.decode(_transfer.check(srgb, "srgb"))

"""sRGB from linear RGB (TensorFlow Graphics' `image.color_space.srgb`)."""

import tensorflow as tf

from graphics_ops.image.color_space import _transfer
from graphics_ops.util import trace_hook


@trace_hook.op
def from_linear_rgb(linear_rgb, name="srgb_from_linear_rgb"):
    """Converts linear RGB colours `[A1, ..., An, 3]` to sRGB (same shape), by the sRGB transfer function.

    The transfer function is that of IEC 61966-2-1. Values are expected in [0, 1]; outside it the
    linear segment (below 0) and the power curve (above 1) continue. Unlike TensorFlow Graphics, whose
    gradient is nan at 0 (black), gradients are finite everywhere.
    """
    with tf.name_scope(name):
        return _transfer.encode(_transfer.check(linear_rgb, "linear_rgb"))

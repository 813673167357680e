"""sRGB from linear RGB (TensorFlow Graphics' `image.color_space.srgb`)."""

import tensorflow as tf

from graphics_ops.image.color_space import _transfer


def from_linear_rgb(linear_rgb, name="srgb_from_linear_rgb"):
    """Converts linear RGB colours to sRGB with the sRGB transfer function (IEC 61966-2-1).

    Values are expected in [0, 1]; outside it the linear segment (below 0) and the power curve
    (above 1) continue. Unlike TensorFlow Graphics, whose gradient is nan at 0 (black), gradients
    are finite everywhere.

    Args:
      linear_rgb: A tensor of shape `[A1, ..., An, 3]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        return _transfer.encode(_transfer.check(linear_rgb, "linear_rgb"))

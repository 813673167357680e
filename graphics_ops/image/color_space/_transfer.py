"""The sRGB transfer function and its inverse.

Each power branch sees only inputs where it is selected (others are replaced by 1 before the
power), so the unselected branch's gradient is 0 rather than 0 * inf = nan.
"""

import tensorflow as tf

from graphics_ops.util import shape

_GAMMA = 2.4
_LINEAR_SLOPE = 12.92
_OFFSET = 0.055
_ENCODED_KNEE = 0.04045
_LINEAR_KNEE = 0.0031308


def check(colors, argument):
    (colors,) = shape.check_inputs(**{argument: (colors, 3)})
    return colors


def decode(srgb):
    """sRGB to linear."""
    curved = srgb > _ENCODED_KNEE
    base = tf.where(curved, srgb, tf.ones_like(srgb))
    return tf.where(curved, ((base + _OFFSET) / (1.0 + _OFFSET)) ** _GAMMA, srgb / _LINEAR_SLOPE)


def encode(linear):
    """Linear to sRGB."""
    curved = linear > _LINEAR_KNEE
    base = tf.where(curved, linear, tf.ones_like(linear))
    return tf.where(curved, (1.0 + _OFFSET) * base ** (1.0 / _GAMMA) - _OFFSET, _LINEAR_SLOPE * linear)

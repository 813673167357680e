"""Private helpers of graphics_ops.lighting: light batch axes and safe inverse squares."""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, vector


def check_light_inputs(lights, surfaces):
    """Checks light and surface arguments; the two groups' batch dimensions need not broadcast.

    Args:
      lights: A dict `name: (value, inner_shape)` of the light arguments `[B1, ..., Bm, k]`.
      surfaces: A dict `name: (value, inner_shape)` of the surface arguments `[A1, ..., An, k]`.

    Returns:
      The light tensors, then the surface tensors (with m new axes before the last one, so that
      they broadcast against the lights to `[A1, ..., An, B1, ..., Bm, k]`).
    """
    tensors = shape.check_inputs(broadcast=[tuple(lights), tuple(surfaces)], **lights, **surfaces)
    light_tensors, surface_tensors = tensors[: len(lights)], tensors[len(lights) :]
    light_rank = max(tensor.shape.rank for tensor in light_tensors) - 1
    return light_tensors, [expand_for_lights(tensor, light_rank) for tensor in surface_tensors]


def expand_for_lights(tensor, light_rank):
    """Inserts `light_rank` axes of size 1 before the last axis of `tensor`."""
    for _ in range(light_rank):
        tensor = tf.expand_dims(tensor, -2)
    return tensor


def direction_and_inverse_square(vector_):
    """The unit direction of `vector_` and 1 / |vector_|², both 0 where |vector_| <= tiny.

    Args:
      vector_: A tensor of shape `[A1, ..., An, 3]`.

    Returns:
      Tensors of shapes `[A1, ..., An, 3]` and `[A1, ..., An, 1]`, with finite gradients.
    """
    squared = vector.dot(vector_, vector_)
    tiny = safe_ops.tiny(vector_.dtype)
    apart = squared > tiny * tiny
    inverse_square = tf.where(apart, 1.0 / tf.where(apart, squared, tf.ones_like(squared)), tf.zeros_like(squared))
    return safe_ops.normalize(vector_), inverse_square

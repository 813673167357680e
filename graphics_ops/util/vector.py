"""Small vector algebra on the last axis, with broadcasting batch dimensions."""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape


def dot(vector1, vector2, keepdims=True):
    """Dot product along the last axis: `[A1, ..., An, k]` twice to `[A1, ..., An, 1]`."""
    return tf.reduce_sum(vector1 * vector2, axis=-1, keepdims=keepdims)


def cross(vector1, vector2):
    """Cross product of `[A1, ..., An, 3]` vectors; unlike `tf.linalg.cross`, broadcasts."""
    x1, y1, z1 = tf.unstack(vector1, axis=-1)
    x2, y2, z2 = tf.unstack(vector2, axis=-1)
    return tf.stack([y1 * z2 - z1 * y2, z1 * x2 - x1 * z2, x1 * y2 - y1 * x2], axis=-1)


def matrix(rows):
    """Builds `[A1, ..., An, m, k]` matrices from m rows of k `[A1, ..., An]` components."""
    flat = shape.broadcast(*[(component, 0) for row in rows for component in row])
    width = len(rows[0])
    return tf.stack([tf.stack(flat[i : i + width], axis=-1) for i in range(0, len(flat), width)], axis=-2)


def orthogonal(vector):
    """A unit vector orthogonal to each unit `[A1, ..., An, 3]` vector (zero for a zero vector).

    Crosses the vector with whichever of the x and z axes it is less aligned with, so the result
    has length at least sqrt(1/2) before normalization.
    """
    x, y, z = tf.unstack(vector, axis=-1)
    zero = tf.zeros_like(x)
    use_z_axis = tf.abs(x) > tf.abs(z)
    candidate = tf.where(use_z_axis[..., None], tf.stack([-y, x, zero], -1), tf.stack([zero, -z, y], -1))
    return safe_ops.normalize(candidate)


def orthogonal_direction(vector, unit, scale):
    """The direction of the part of `vector` orthogonal to the unit vector `unit`.

    Projects twice: once leaves rounding errors along `unit` as large as eps |vector|, which
    dominate when little of `vector` is orthogonal. Where the orthogonal part is below rounding
    level, 16 eps times `scale` (the magnitude of the inputs `vector` was computed from), its
    direction is noise, and `orthogonal(unit)` is returned instead.

    Args:
      vector: A tensor of shape `[A1, ..., An, 3]`.
      unit: A tensor of shape `[A1, ..., An, 3]`: unit (or zero) vectors.
      scale: A tensor of shape `[A1, ..., An, 1]`.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`: unit vectors orthogonal to `unit` (zero where `unit` is).
    """
    once = vector - dot(vector, unit) * unit
    twice = once - dot(once, unit) * unit
    minimum_length = 16.0 * safe_ops.eps(vector.dtype) * scale
    return safe_ops.normalize(twice, fallback=orthogonal(unit), minimum_length=minimum_length)


def matvec(matrix, vector):
    """`matrix @ vector` for `[A1, ..., An, m, k]` and `[A1, ..., An, k]`, broadcasting the batch.

    Elementwise products and a sum: faster than batched matmul for small matrices on CPU, and fused
    by XLA.
    """
    return tf.reduce_sum(matrix * vector[..., None, :], axis=-1)

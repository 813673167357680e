"""Weighted sums of points picked by index, and 2D barycentric coordinates.

TensorFlow Graphics' `math.interpolation.weighted`. Unlike there, weights that sum to zero give a
zero point (not a division by a tiny epsilon), and a degenerate (zero-area) triangle gives zero
barycentric coordinates marked invalid, with zero gradients, rather than values near 1/eps.
"""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook


@trace_hook.op
def interpolate(points, weights, indices, normalize=True, allow_negative_weights=False, name="weighted_interpolate"):
    """Weighted sums of points of a point set.

    Args:
      points: A tensor of shape `[B1, ..., Bk, M]` (rank R = k + 1 > 1).
      weights: A tensor of shape `[A1, ..., An, P]`.
      indices: An integer tensor of shape `[A1, ..., An, P, R - 1]`: the index into `points` of
        each of the P points summed. Its batch dimensions broadcast with those of `weights`.
      normalize: Whether to divide the weights by their sum.
      allow_negative_weights: If False, negative weights fail an assert (outside XLA).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, M]`.
    """
    with tf.name_scope(name):
        (points,) = shape.check_inputs(points=(points, (None, None)))
        points, weights, indices = shape.check_inputs(
            points=(points, None),
            weights=(weights, ("P",)),
            indices=(indices, ("P", points.shape.rank - 1)),
            integer=("indices",),
            broadcast=[("weights", "indices")],
        )
        if not allow_negative_weights:
            assertion = tf.debugging.assert_non_negative(weights, message="weights must be non-negative")
            with tf.control_dependencies([assertion]):
                weights = tf.identity(weights)
        if normalize:
            weights = tf.math.divide_no_nan(weights, tf.reduce_sum(weights, axis=-1, keepdims=True))
        weights, indices = shape.broadcast((weights, 1), (indices, 2))
        return tf.reduce_sum(weights[..., None] * tf.gather_nd(points, indices), axis=-2)


@trace_hook.op
def get_barycentric_coordinates(triangle_vertices, pixels, name="rasterizer_get_barycentric_coordinates"):
    """Barycentric coordinates of 2D points with respect to 2D triangles.

    Args:
      triangle_vertices: A tensor of shape `[A1, ..., An, 3, 2]`: the corners' `x, y`.
      pixels: A tensor of shape `[A1, ..., An, N, 2]`: the points' `x, y`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, N, 3]` of coordinates that sum to 1 (zeros for a
      degenerate triangle), and a bool tensor of shape `[A1, ..., An, N]`, True where the point is
      inside the triangle or on its border (never for a degenerate triangle).
    """
    with tf.name_scope(name):
        triangle_vertices, pixels = shape.check_inputs(
            triangle_vertices=(triangle_vertices, (3, 2)), pixels=(pixels, (None, 2))
        )
        corners = triangle_vertices[..., None, :, :]
        edge1 = corners[..., 1, :] - corners[..., 0, :]
        edge2 = corners[..., 2, :] - corners[..., 0, :]
        offset = pixels - corners[..., 0, :]
        determinant = _cross_2d(edge1, edge2)
        # Collinear corners within rounding of their squared edge lengths count as degenerate.
        scale = tf.reduce_sum(tf.square(edge1) + tf.square(edge2), axis=-1)
        degenerate = tf.abs(determinant) <= 8.0 * safe_ops.eps(determinant.dtype) * scale
        divisor = tf.where(degenerate, tf.ones_like(determinant), determinant)
        second = _cross_2d(offset, edge2) / divisor
        third = _cross_2d(edge1, offset) / divisor
        coordinates = tf.stack([1.0 - second - third, second, third], axis=-1)
        coordinates = tf.where(degenerate[..., None], tf.zeros_like(coordinates), coordinates)
        valid = tf.reduce_all(coordinates >= 0.0, axis=-1) & ~degenerate
        return coordinates, valid


def _cross_2d(vector1, vector2):
    return vector1[..., 0] * vector2[..., 1] - vector1[..., 1] * vector2[..., 0]

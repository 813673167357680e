"""2d rotation matrices [[cos θ, -sin θ], [sin θ, cos θ]], rotating counterclockwise.

Names and conventions follow TensorFlow Graphics' `geometry.transformation.rotation_matrix_2d`.
Shapes are `[A1, ..., An, 2, 2]`, where A1, ..., An broadcast between arguments.
"""

import tensorflow as tf

from graphics_ops.transformation import rotation_matrix_common
from graphics_ops.util import shape, trace_hook, vector


@trace_hook.op
def from_euler(angle, name="rotation_matrix_2d_from_euler_angle"):
    """Converts angles to 2d rotation matrices.

    Args:
      angle: A tensor of shape `[A1, ..., An, 1]`: angles in radians.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 2, 2]`.
    """
    with tf.name_scope(name):
        (angle,) = shape.check_inputs(angle=(angle, 1))
        return _from_sine_cosine(tf.sin(angle[..., 0]), tf.cos(angle[..., 0]))


@trace_hook.op
def from_euler_with_small_angles_approximation(
    angles, name="rotation_matrix_2d_from_euler_with_small_angles_approximation"
):
    """Like `from_euler`, with sin(a) ≈ a and cos(a) ≈ 1 - a²/2 (the result is not normalized).

    Args:
      angles: A tensor of shape `[A1, ..., An, 1]`: small angles in radians.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 2, 2]`.
    """
    with tf.name_scope(name):
        (angles,) = shape.check_inputs(angles=(angles, 1))
        angle = angles[..., 0]
        return _from_sine_cosine(angle, 1.0 - 0.5 * tf.square(angle))


@trace_hook.op
def inverse(matrix, name="rotation_matrix_2d_inverse"):
    """Inverts 2d rotation matrices `[A1, ..., An, 2, 2]` by transposing them (same shape)."""
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (2, 2)))
        return tf.linalg.matrix_transpose(matrix)


@trace_hook.op
def is_valid(matrix, atol=1e-3, name="rotation_matrix_2d_is_valid"):
    """Whether 2x2 matrices `[A1, ..., An, 2, 2]` are rotations within the absolute tolerance `atol`.

    A bool tensor of shape `[A1, ..., An, 1]`; see `rotation_matrix_common.is_valid`.
    """
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (2, 2)))
        return rotation_matrix_common.is_valid(matrix, atol)


@trace_hook.op
def rotate(point, matrix, name="rotation_matrix_2d_rotate"):
    """Rotates 2d points `[A1, ..., An, 2]` by rotation matrices `[A1, ..., An, 2, 2]` (batch shapes broadcast)."""
    with tf.name_scope(name):
        point, matrix = shape.check_inputs(point=(point, 2), matrix=(matrix, (2, 2)))
        return vector.matvec(matrix, point)


def _from_sine_cosine(sine, cosine):
    return vector.matrix([[cosine, -sine], [sine, cosine]])

"""Checks shared by 2d and 3d rotation matrices (TensorFlow Graphics' `rotation_matrix_common`)."""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook


@trace_hook.op
def is_valid(matrix, atol=1e-3, name="rotation_matrix_common_is_valid"):
    """Whether square matrices `[A1, ..., An, K, K]` are rotations: bools `[A1, ..., An, 1]`.

    A matrix M is one where |det M - 1| < atol and ‖MᵀM - I‖_F < atol.
    """
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, ("K", "K")))
        gram = tf.linalg.matmul(matrix, matrix, transpose_a=True)
        identity = tf.eye(tf.shape(matrix)[-1], dtype=matrix.dtype)
        orthogonal = tf.norm(gram - identity, ord="fro", axis=(-2, -1)) < atol
        unit_determinant = tf.abs(_determinant(matrix) - 1.0) < atol
        return (orthogonal & unit_determinant)[..., None]


def _determinant(matrix):
    """Cofactor expansion for sizes up to 4, which, unlike `tf.linalg.det`, XLA compiles."""
    size = matrix.shape[-1]
    if size is None or size > 4:
        return tf.linalg.det(matrix)
    if size == 1:
        return matrix[..., 0, 0]
    minors = [tf.concat([matrix[..., 1:, :column], matrix[..., 1:, column + 1 :]], axis=-1) for column in range(size)]
    return tf.add_n(
        [(-1) ** column * matrix[..., 0, column] * _determinant(minor) for column, minor in enumerate(minors)]
    )

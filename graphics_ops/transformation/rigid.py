"""Rigid transforms as 4x4 matrices [[R, t], [0, 1]] acting on column vectors: p' = R p + t.

Shapes are `[A1, ..., An, 4, 4]`, where A1, ..., An broadcast between arguments. Not in TensorFlow
Graphics.
"""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook, vector


@trace_hook.op
def from_rotation_translation(rotation_matrix, translation, name="rigid_from_rotation_translation"):
    """4x4 matrices of rotations `[A1, ..., An, 3, 3]` followed by translations `[A1, ..., An, 3]`."""
    with tf.name_scope(name):
        rotation_matrix, translation = shape.check_inputs(
            rotation_matrix=(rotation_matrix, (3, 3)), translation=(translation, 3)
        )
        return _from_rotation_translation(rotation_matrix, translation)


@trace_hook.op
def to_rotation_translation(matrix, name="rigid_to_rotation_translation"):
    """Splits rigid transforms into rotation matrices `[A1, ..., An, 3, 3]` and translations `[A1, ..., An, 3]`."""
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (4, 4)))
        return matrix[..., :3, :3], matrix[..., :3, 3]


@trace_hook.op
def inverse(matrix, name="rigid_inverse"):
    """Inverts rigid transforms: [[Rᵀ, -Rᵀ t], [0, 1]]."""
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (4, 4)))
        rotation = tf.linalg.matrix_transpose(matrix[..., :3, :3])
        return _from_rotation_translation(rotation, -vector.matvec(rotation, matrix[..., :3, 3]))


@trace_hook.op
def transform_points(points, matrix, name="rigid_transform_points"):
    """Applies one rigid transform `[A1, ..., An, 4, 4]` to each point cloud of a batch.

    `points` are `[A1, ..., An, N, 3]`, clouds of N points, and so is the result.
    """
    with tf.name_scope(name):
        points, matrix = shape.check_inputs(points=(points, (None, 3)), matrix=(matrix, (4, 4)))
        rotated = tf.linalg.matmul(points, matrix[..., :3, :3], transpose_b=True)
        return rotated + matrix[..., None, :3, 3]


def _from_rotation_translation(rotation_matrix, translation):
    rotation_matrix, translation = shape.broadcast((rotation_matrix, 2), (translation, 1))
    top = tf.concat([rotation_matrix, translation[..., :, None]], axis=-1)
    bottom = tf.concat([tf.zeros_like(translation), tf.ones_like(translation[..., :1])], axis=-1)
    return tf.concat([top, bottom[..., None, :]], axis=-2)

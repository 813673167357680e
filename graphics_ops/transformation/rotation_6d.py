"""The continuous 6d rotation representation of Zhou et al. (CVPR 2019): two matrix columns.

A rotation matrix R = [c1 c2 c3] is represented by `[c1, c2]` (shape `[A1, ..., An, 6]`); any 6
numbers map back to a rotation by Gram-Schmidt, continuously wherever c1 and c2 are independent,
which makes it a good output for networks. Not in TensorFlow Graphics.
"""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook, vector

_X_AXIS = (1.0, 0.0, 0.0)


@trace_hook.op
def from_rotation_matrix(rotation_matrix, name="rotation_6d_from_rotation_matrix"):
    """The first two columns `[c1, c2]` of rotation matrices `[A1, ..., An, 3, 3]`."""
    with tf.name_scope(name):
        (rotation_matrix,) = shape.check_inputs(rotation_matrix=(rotation_matrix, (3, 3)))
        return tf.concat([rotation_matrix[..., :, 0], rotation_matrix[..., :, 1]], axis=-1)


@trace_hook.op
def to_rotation_matrix(rotation_6d, name="rotation_6d_to_rotation_matrix"):
    """Rotation matrices with columns b1, b2, b3, by Gram-Schmidt from `[a1, a2]` of any scale.

    b1 = a1 / |a1|, b2 = the normalized part of a2 orthogonal to b1, b3 = b1 × b2. Degenerate inputs
    stay finite: a zero a1 gives b1 = x, and an a2 parallel to b1 gives some b2 orthogonal to b1.
    """
    with tf.name_scope(name):
        (rotation_6d,) = shape.check_inputs(rotation_6d=(rotation_6d, 6))
        first, second = rotation_6d[..., :3], rotation_6d[..., 3:]
        b1 = safe_ops.normalize(first, fallback=tf.constant(_X_AXIS, rotation_6d.dtype))
        b2 = vector.orthogonal_direction(second, b1, scale=safe_ops.norm(second))
        return tf.stack([b1, b2, vector.cross(b1, b2)], axis=-1)

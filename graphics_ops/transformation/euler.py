"""Euler angles `[x, y, z]` in radians, for the rotation R = Rz(z) Ry(y) Rx(x).

Names and conventions follow TensorFlow Graphics' `geometry.transformation.euler`. Angles returned
have y in [-π/2, π/2] and x, z in [-π, π]. At gimbal lock (y = ±π/2) only x ∓ z is determined, and
z = 0 is returned; values and gradients stay finite there.
"""

import tensorflow as tf

from graphics_ops.transformation import rotation_matrix_3d
from graphics_ops.util import safe_ops, shape, trace_hook

_X_AXIS = (1.0, 0.0)


@trace_hook.op
def from_axis_angle(axis, angle, name="euler_from_axis_angle"):
    """Euler angles of axis-angle rotations (axes `[A1, ..., An, 3]` normalized here, angles `[A1, ..., An, 1]`)."""
    with tf.name_scope(name):
        return _from_rotation_matrix(rotation_matrix_3d.from_axis_angle(axis, angle))


@trace_hook.op
def from_quaternion(quaternions, name="euler_from_quaternion"):
    """Euler angles of unit quaternions `[x, y, z, w]`, `[A1, ..., An, 4]`."""
    with tf.name_scope(name):
        (quaternions,) = shape.check_inputs(quaternions=(quaternions, 4))
        return _from_rotation_matrix(rotation_matrix_3d.from_quaternion(quaternions))


@trace_hook.op
def from_rotation_matrix(rotation_matrix, name="euler_from_rotation_matrix"):
    """Euler angles of rotation matrices `[A1, ..., An, 3, 3]`, accurate also at and near gimbal lock.

    y = atan2(-r20, |(r00, r10)|) and z = atan2(r10, r00) (0 at gimbal lock, where both vanish);
    then x is read from Rz(z)ᵀ R = Ry(y) Rx(x), whose entries (1, 1) and (1, 2) are cos x and
    -sin x whatever y is. So x absorbs any error of z, and the angles always rebuild R.
    """
    with tf.name_scope(name):
        (rotation_matrix,) = shape.check_inputs(rotation_matrix=(rotation_matrix, (3, 3)))
        return _from_rotation_matrix(rotation_matrix)


@trace_hook.op
def inverse(euler_angle, name="euler_inverse"):
    """Euler angles of the inverse rotations: R(inverse(a)) = R(a)ᵀ.

    TensorFlow Graphics returns -a, which rebuilds Rz(-z) Ry(-y) Rx(-x), not the inverse
    Rx(-x) Ry(-y) Rz(-z), unless only one angle is nonzero.
    """
    with tf.name_scope(name):
        (euler_angle,) = shape.check_inputs(euler_angle=(euler_angle, 3))
        return _from_rotation_matrix(tf.linalg.matrix_transpose(rotation_matrix_3d.from_euler(euler_angle)))


def _from_rotation_matrix(matrix):
    row0, row1, row2 = tf.unstack(matrix, axis=-2)
    first_column = tf.stack([row0[..., 0], row1[..., 0]], axis=-1)
    cos_y = safe_ops.norm(first_column, keepdims=False)
    y = tf.atan2(-row2[..., 0], cos_y)
    cos_z, sin_z = tf.unstack(safe_ops.normalize(first_column, fallback=tf.constant(_X_AXIS, matrix.dtype)), axis=-1)
    z = tf.atan2(sin_z, cos_z)
    x = tf.atan2(sin_z * row0[..., 2] - cos_z * row1[..., 2], cos_z * row1[..., 1] - sin_z * row0[..., 1])
    return tf.stack([x, y, z], axis=-1)

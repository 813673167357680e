"""3d rotation matrices, acting on column vectors (p' = R p).

Names and conventions follow TensorFlow Graphics' `geometry.transformation.rotation_matrix_3d`:
Euler angles `[x, y, z]` give R = Rz Ry Rx, quaternions are `[x, y, z, w]`. Shapes are
`[A1, ..., An, 3, 3]`, where A1, ..., An broadcast between arguments.
"""

import tensorflow as tf

from graphics_ops.transformation import rotation_matrix_common, so3
from graphics_ops.util import safe_ops, shape, trace_hook, vector


@trace_hook.op
def assert_rotation_matrix_normalized(matrix, eps=1e-3, name="assert_rotation_matrix_normalized"):
    """Returns `matrix`, asserting at run time that it holds rotation matrices within `eps`.

    Always checks (no global flag). The assert is skipped under XLA, which cannot raise at run time.
    The result depends on the assert; see `is_valid` for the tolerance.

    Raises:
      tf.errors.InvalidArgumentError: If a matrix is not a rotation.
    """
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (3, 3)))
        valid = rotation_matrix_common.is_valid(matrix, eps)
        check = tf.debugging.Assert(tf.reduce_all(valid), ["matrix must hold rotation matrices (orthonormal, det 1)"])
        with tf.control_dependencies([check]):
            return tf.identity(matrix)


@trace_hook.op
def from_axis_angle(axis, angle, name="rotation_matrix_3d_from_axis_angle"):
    """Rotation matrices of axis-angle rotations.

    Axes `[A1, ..., An, 3]` are normalized here (a zero axis gives the identity); angles `[A1, ..., An, 1]`
    are in radians.
    """
    with tf.name_scope(name):
        axis, angle = shape.check_inputs(axis=(axis, 3), angle=(angle, 1))
        return so3.exp(safe_ops.normalize(axis) * angle)


@trace_hook.op
def from_euler(angles, name="rotation_matrix_3d_from_euler"):
    """Rotation matrices R = Rz Ry Rx of Euler angles `[x, y, z]`, `[A1, ..., An, 3]` in radians."""
    with tf.name_scope(name):
        (angles,) = shape.check_inputs(angles=(angles, 3))
        return _from_sines_cosines(tf.sin(angles), tf.cos(angles))


@trace_hook.op
def from_euler_with_small_angles_approximation(angles, name="rotation_matrix_3d_from_euler_with_small_angles"):
    """Like `from_euler`, with sin(a) ≈ a and cos(a) ≈ 1 - a²/2 (the result is not normalized)."""
    with tf.name_scope(name):
        (angles,) = shape.check_inputs(angles=(angles, 3))
        return _from_sines_cosines(angles, 1.0 - 0.5 * tf.square(angles))


@trace_hook.op
def from_quaternion(quaternion, name="rotation_matrix_3d_from_quaternion"):
    """Rotation matrices of unit quaternions `[x, y, z, w]`, `[A1, ..., An, 4]`."""
    with tf.name_scope(name):
        (quaternion,) = shape.check_inputs(quaternion=(quaternion, 4))
        x, y, z, w = tf.unstack(quaternion, axis=-1)
        x2, y2, z2 = 2.0 * x, 2.0 * y, 2.0 * z
        xx, yy, zz = x * x2, y * y2, z * z2
        xy, xz, yz = x * y2, x * z2, y * z2
        wx, wy, wz = w * x2, w * y2, w * z2
        return vector.matrix(
            [
                [1.0 - (yy + zz), xy - wz, xz + wy],
                [xy + wz, 1.0 - (xx + zz), yz - wx],
                [xz - wy, yz + wx, 1.0 - (xx + yy)],
            ]
        )


@trace_hook.op
def inverse(matrix, name="rotation_matrix_3d_inverse"):
    """Inverts rotation matrices (transposes them)."""
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (3, 3)))
        return tf.linalg.matrix_transpose(matrix)


@trace_hook.op
def is_valid(matrix, atol=1e-3, name="rotation_matrix_3d_is_valid"):
    """Whether 3x3 matrices are rotations within `atol`: bools `[A1, ..., An, 1]`.

    See `rotation_matrix_common.is_valid`.
    """
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (3, 3)))
        return rotation_matrix_common.is_valid(matrix, atol)


@trace_hook.op
def rotate(point, matrix, name="rotation_matrix_3d_rotate"):
    """Rotates 3d points `[A1, ..., An, 3]` by rotation matrices (same shape as `point`)."""
    with tf.name_scope(name):
        point, matrix = shape.check_inputs(point=(point, 3), matrix=(matrix, (3, 3)))
        return vector.matvec(matrix, point)


def _from_sines_cosines(sines, cosines):
    """Rz Ry Rx from the sines and cosines `[A1, ..., An, 3]` of the Euler angles."""
    sx, sy, sz = tf.unstack(sines, axis=-1)
    cx, cy, cz = tf.unstack(cosines, axis=-1)
    return vector.matrix(
        [
            [cy * cz, sx * sy * cz - cx * sz, cx * sy * cz + sx * sz],
            [cy * sz, sx * sy * sz + cx * cz, cx * sy * sz - sx * cz],
            [-sy, sx * cy, cx * cy],
        ]
    )

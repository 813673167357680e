"""Axis-angle rotations: a unit axis `[A1, ..., An, 3]` and an angle `[A1, ..., An, 1]` in radians.

Names and conventions follow TensorFlow Graphics' `geometry.transformation.axis_angle`. Axes given
as input are normalized, and a zero axis means the identity. Conversions return a tuple
`(axis, angle)`: unit axes, and angles in [0, π].
"""

import tensorflow as tf

from graphics_ops.transformation import quaternion as quaternion_lib
from graphics_ops.util import safe_ops, shape, trace_hook, vector

_FALLBACK_AXIS = (1.0, 0.0, 0.0)


@trace_hook.op
def from_euler(angles, name="axis_angle_from_euler"):
    """Axis-angle rotations of Euler angles `[A1, ..., An, 3]` (R = Rz Ry Rx, radians)."""
    with tf.name_scope(name):
        return _from_quaternion(quaternion_lib.from_euler(angles))


@trace_hook.op
def from_euler_with_small_angles_approximation(angles, name="axis_angle_from_euler_with_small_angles_approximation"):
    """Like `from_euler`, with sin(a) ≈ a and cos(a) ≈ 1 - a²/2."""
    with tf.name_scope(name):
        return _from_quaternion(quaternion_lib.from_euler_with_small_angles_approximation(angles))


@trace_hook.op
def from_quaternion(quaternion, name="axis_angle_from_quaternion"):
    """Axis-angle rotations, angle in [0, π], of nonzero quaternions `[A1, ..., An, 4]`.

    The identity, whose axis is arbitrary, gets the x axis.
    """
    with tf.name_scope(name):
        (quaternion,) = shape.check_inputs(quaternion=(quaternion, 4))
        return _from_quaternion(quaternion)


@trace_hook.op
def from_rotation_matrix(rotation_matrix, name="axis_angle_from_rotation_matrix"):
    """Axis-angle rotations, angle in [0, π], of rotation matrices `[A1, ..., An, 3, 3]`."""
    with tf.name_scope(name):
        return _from_quaternion(quaternion_lib.from_rotation_matrix(rotation_matrix))


@trace_hook.op
def inverse(axis, angle, name="axis_angle_inverse"):
    """Inverts axis-angle rotations: the same axis, the negated angle."""
    with tf.name_scope(name):
        axis, angle = shape.check_inputs(axis=(axis, 3), angle=(angle, 1))
        axis, angle = shape.broadcast((axis, 1), (angle, 1))
        return axis, -angle


@trace_hook.op
def is_normalized(axis, angle, atol=1e-3, name="axis_angle_is_normalized"):
    """Whether axes have unit length within `atol`: bools `[A1, ..., An, 1]`.

    Only the shape of `angle` is checked.
    """
    with tf.name_scope(name):
        axis, angle = shape.check_inputs(axis=(axis, 3), angle=(angle, 1))
        axis, _ = shape.broadcast((axis, 1), (angle, 1))
        return tf.abs(tf.norm(axis, axis=-1, keepdims=True) - 1.0) < atol


@trace_hook.op
def rotate(point, axis, angle, name="axis_angle_rotate"):
    """Rotates 3d points `[A1, ..., An, 3]` with Rodrigues' formula (same shape).

    p' = p + sin θ (a × p) + 2 sin²(θ/2) a × (a × p), with a the axis normalized here (zero for a zero
    axis, which leaves points unchanged).
    """
    with tf.name_scope(name):
        point, axis, angle = shape.check_inputs(point=(point, 3), axis=(axis, 3), angle=(angle, 1))
        unit = safe_ops.normalize(axis)
        axis_cross_point = vector.cross(unit, point)
        versine = 2.0 * tf.square(tf.sin(0.5 * angle))
        return point + tf.sin(angle) * axis_cross_point + versine * vector.cross(unit, axis_cross_point)


def _from_quaternion(quaternion):
    xyz, w = quaternion[..., :3], quaternion[..., 3:]
    angle = 2.0 * tf.atan2(safe_ops.norm(xyz), tf.abs(w))
    axis = safe_ops.normalize(safe_ops.nonzero_sign(w) * xyz, fallback=tf.constant(_FALLBACK_AXIS, xyz.dtype))
    return axis, angle

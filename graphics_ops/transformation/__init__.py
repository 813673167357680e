"""Differentiable rotations and rigid transforms, in plain TensorFlow ops.

The modules and functions of TensorFlow Graphics' `geometry.transformation`, with its names,
argument orders and conventions (quaternions `[x, y, z, w]`, Euler angles `[x, y, z]` for
R = Rz Ry Rx, batch shapes `[A1, ..., An, k]` that broadcast), plus `rotation_6d`, `so3`, `se3`,
`rigid` and `quaternion.slerp`. Values and gradients stay finite and correct at the identity, at
180°, at gimbal lock, for opposite vectors and for zero-length axes.
"""

from graphics_ops.transformation import (
    axis_angle,
    dual_quaternion,
    euler,
    linear_blend_skinning,
    look_at,
    quaternion,
    rigid,
    rotation_6d,
    rotation_matrix_2d,
    rotation_matrix_3d,
    rotation_matrix_common,
    se3,
    so3,
)

__all__ = [
    "axis_angle",
    "dual_quaternion",
    "euler",
    "linear_blend_skinning",
    "look_at",
    "quaternion",
    "rigid",
    "rotation_6d",
    "rotation_matrix_2d",
    "rotation_matrix_3d",
    "rotation_matrix_common",
    "se3",
    "so3",
]

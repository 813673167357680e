"""Dual quaternions `[real, dual]` (shape `[A1, ..., An, 8]`) for rigid transformations.

q = r + ε d with ε² = 0, where r and d are quaternions `[x, y, z, w]`. The rotation by unit r
followed by the translation t is r + ε ½ t r. Names follow TensorFlow Graphics'
`geometry.transformation.dual_quaternion`.
"""

import tensorflow as tf

from graphics_ops.transformation import quaternion
from graphics_ops.util import safe_ops, shape, trace_hook, vector


@trace_hook.op
def conjugate(dual_quaternion, name="dual_quaternion_conjugate"):
    """Quaternion conjugate of both parts, r* + ε d* (the inverse of a unit dual quaternion): `[A1, ..., An, 8]`."""
    with tf.name_scope(name):
        (dual_quaternion,) = shape.check_inputs(dual_quaternion=(dual_quaternion, 8))
        real, dual = _split(dual_quaternion)
        return tf.concat([quaternion.conjugate(real), quaternion.conjugate(dual)], axis=-1)


@trace_hook.op
def conjugate_dual(dual_quaternion, name="dual_quaternion_conjugate_dual"):
    """Dual-number conjugate r - ε d of dual quaternions `[A1, ..., An, 8]` (same shape)."""
    with tf.name_scope(name):
        (dual_quaternion,) = shape.check_inputs(dual_quaternion=(dual_quaternion, 8))
        real, dual = _split(dual_quaternion)
        return tf.concat([real, -dual], axis=-1)


@trace_hook.op
def multiply(dual_quaternion1, dual_quaternion2, name="dual_quaternion_multiply"):
    """Product (r1 + ε d1)(r2 + ε d2) = r1 r2 + ε (r1 d2 + d1 r2): transform 2, then 1.

    Both arguments and the result are `[A1, ..., An, 8]`.
    """
    with tf.name_scope(name):
        dual_quaternion1, dual_quaternion2 = shape.check_inputs(
            dual_quaternion1=(dual_quaternion1, 8), dual_quaternion2=(dual_quaternion2, 8)
        )
        real1, dual1 = _split(dual_quaternion1)
        real2, dual2 = _split(dual_quaternion2)
        real = quaternion.multiply(real1, real2)
        dual = quaternion.multiply(real1, dual2) + quaternion.multiply(dual1, real2)
        return tf.concat([real, dual], axis=-1)


@trace_hook.op
def inverse(dual_quaternion, name="dual_quaternion_inverse"):
    """Inverse r⁻¹ - ε r⁻¹ d r⁻¹ of dual quaternions `[A1, ..., An, 8]` (zero where r is zero)."""
    with tf.name_scope(name):
        (dual_quaternion,) = shape.check_inputs(dual_quaternion=(dual_quaternion, 8))
        real, dual = _split(dual_quaternion)
        real_inverse = quaternion.inverse(real)
        dual_inverse = -quaternion.multiply(quaternion.multiply(real_inverse, dual), real_inverse)
        return tf.concat([real_inverse, dual_inverse], axis=-1)


@trace_hook.op
def norm(dual_quaternion, name="dual_quaternion_norm"):
    """Norm of dual quaternions `[A1, ..., An, 8]`: dual numbers `[|r|, r·d / |r|]`, `[A1, ..., An, 2]`."""
    with tf.name_scope(name):
        (dual_quaternion,) = shape.check_inputs(dual_quaternion=(dual_quaternion, 8))
        real, dual = _split(dual_quaternion)
        real_norm = safe_ops.norm(real)
        return tf.concat([real_norm, tf.math.divide_no_nan(vector.dot(real, dual), real_norm)], axis=-1)


@trace_hook.op
def is_normalized(dual_quaternion, atol=1e-3, name="dual_quaternion_is_normalized"):
    """Whether dual quaternions `[A1, ..., An, 8]` have norm `[1, 0]` within `atol`: bools `[A1, ..., An, 1]`."""
    with tf.name_scope(name):
        real_norm, dual_norm = tf.split(norm(dual_quaternion), 2, axis=-1)
        return (tf.abs(real_norm - 1.0) < atol) & (tf.abs(dual_norm) < atol)


@trace_hook.op
def from_rotation_translation(
    rotation_quaternion, translation_vector, name="dual_quaternion_from_rotation_translation"
):
    """Dual quaternions r + ε ½ t r of a rotation followed by a translation.

    Unit quaternions `[A1, ..., An, 4]` and translations `[A1, ..., An, 3]` give `[A1, ..., An, 8]`.
    """
    with tf.name_scope(name):
        rotation_quaternion, translation_vector = shape.check_inputs(
            rotation_quaternion=(rotation_quaternion, 4), translation_vector=(translation_vector, 3)
        )
        return _from_rotation_translation(rotation_quaternion, translation_vector)


@trace_hook.op
def to_rotation_translation(dual_quaternion, name="dual_quaternion_to_rotation_translation"):
    """Splits dual quaternions `[A1, ..., An, 8]` into rotations r and translations t = vec(2 d r⁻¹).

    A tuple of tensors `[A1, ..., An, 4]` (rotation) and `[A1, ..., An, 3]` (translation).
    """
    with tf.name_scope(name):
        (dual_quaternion,) = shape.check_inputs(dual_quaternion=(dual_quaternion, 8))
        real, dual = _split(dual_quaternion)
        translation = 2.0 * quaternion.multiply(dual, quaternion.inverse(real))
        return real, translation[..., :3]


@trace_hook.op
def from_axis_angle_translation(axis, angle, translation_vector, name="dual_quaternion_from_axis_angle_translation"):
    """Dual quaternions of an axis-angle rotation followed by a translation.

    Axes `[A1, ..., An, 3]` (normalized here), angles `[A1, ..., An, 1]` in radians and translations
    `[A1, ..., An, 3]` give `[A1, ..., An, 8]`.
    """
    with tf.name_scope(name):
        axis, angle, translation_vector = shape.check_inputs(
            axis=(axis, 3), angle=(angle, 1), translation_vector=(translation_vector, 3)
        )
        return _from_rotation_translation(quaternion.from_axis_angle(axis, angle), translation_vector)


@trace_hook.op
def point_to_dual_quaternion(point, name="dual_quaternion_point_to_dual_quaternion"):
    """The dual quaternions 1 + ε p `[0, 0, 0, 1, px, py, pz, 0]` of 3d points `[A1, ..., An, 3]`.

    q (1 + ε p) conjugate_dual(conjugate(q)) = 1 + ε p' for the transformed point p'. (TensorFlow
    Graphics returns `[1, 0, 0, 0, 0, px, py, pz]`, the scalar-first layout, which breaks that.)
    """
    with tf.name_scope(name):
        (point,) = shape.check_inputs(point=(point, 3))
        zero = tf.zeros_like(point[..., :1])
        return tf.concat([zero, zero, zero, tf.ones_like(zero), point, zero], axis=-1)


def _split(dual_quaternion):
    return dual_quaternion[..., :4], dual_quaternion[..., 4:]


def _from_rotation_translation(rotation, translation):
    translation = tf.concat([translation, tf.zeros_like(translation[..., :1])], axis=-1)
    real, dual = shape.broadcast((rotation, 1), (0.5 * quaternion.multiply(translation, rotation), 1))
    return tf.concat([real, dual], axis=-1)

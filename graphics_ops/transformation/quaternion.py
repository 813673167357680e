"""Quaternions `[x, y, z, w]` in the Hamilton convention (i² = j² = k² = ijk = -1).

Names and conventions follow TensorFlow Graphics' `geometry.transformation.quaternion`. A unit
quaternion q represents a rotation, and -q represents the same one. Shapes are `[A1, ..., An, 4]`,
where the batch dimensions A1, ..., An broadcast between arguments.

Extra: `slerp`.
"""

import tensorflow as tf

from graphics_ops.math.interpolation import slerp as slerp_weights
from graphics_ops.util import safe_ops, shape, trace_hook, vector

_IDENTITY = (0.0, 0.0, 0.0, 1.0)


@trace_hook.op
def between_two_vectors_3d(vector1, vector2, name="quaternion_between_two_vectors_3d"):
    """Unit quaternions `[A1, ..., An, 4]` of the shortest-arc rotations taking `vector1` to `vector2`.

    The vectors are `[A1, ..., An, 3]` of any nonzero length. For opposite vectors, the result is a half
    turn about some axis orthogonal to `vector1`; a zero vector gives the identity.
    """
    with tf.name_scope(name):
        vector1, vector2 = shape.check_inputs(vector1=(vector1, 3), vector2=(vector2, 3))
        start, end = safe_ops.normalize(vector1), safe_ops.normalize(vector2)
        normal = vector.cross(start, end)
        # atan2 gets the angle to rounding accuracy even near 0 and π, where the cross product and
        # 1 + cos(angle) are small; projecting the axis off `start` keeps start mapped onto end.
        half_angle = 0.5 * safe_ops.atan2(safe_ops.norm(normal), vector.dot(start, end))
        axis = vector.orthogonal_direction(normal, start, scale=tf.ones_like(half_angle))
        return tf.concat([tf.sin(half_angle) * axis, tf.cos(half_angle)], axis=-1)


@trace_hook.op
def conjugate(quaternion, name="quaternion_conjugate"):
    """Conjugate `[-x, -y, -z, w]` of quaternions `[A1, ..., An, 4]`; the inverse rotation for unit ones."""
    with tf.name_scope(name):
        (quaternion,) = shape.check_inputs(quaternion=(quaternion, 4))
        return _conjugate(quaternion)


@trace_hook.op
def from_axis_angle(axis, angle, name="quaternion_from_axis_angle"):
    """Unit quaternions `[A1, ..., An, 4]` of axis-angle rotations.

    Axes `[A1, ..., An, 3]` are normalized here (a zero axis gives the identity); angles `[A1, ..., An, 1]`
    are in radians.
    """
    with tf.name_scope(name):
        axis, angle = shape.check_inputs(axis=(axis, 3), angle=(angle, 1))
        unit = safe_ops.normalize(axis)
        half = 0.5 * angle
        # Where the axis is zero, w becomes 1 so that the result is the identity.
        w = tf.where(vector.dot(unit, unit) > 0.5, tf.cos(half), tf.ones_like(half))
        return tf.concat([tf.sin(half) * unit, w], axis=-1)


@trace_hook.op
def from_euler(angles, name="quaternion_from_euler"):
    """Unit quaternions `[A1, ..., An, 4]` of Euler angles `[A1, ..., An, 3]` (R = Rz Ry Rx, radians)."""
    with tf.name_scope(name):
        (angles,) = shape.check_inputs(angles=(angles, 3))
        half = 0.5 * angles
        return _from_half_angle_sines_cosines(tf.sin(half), tf.cos(half))


@trace_hook.op
def from_euler_with_small_angles_approximation(angles, name="quaternion_from_euler_with_small_angles_approximation"):
    """Like `from_euler`, with sin(a) ≈ a and cos(a) ≈ 1 - a²/2 (the result is normalized)."""
    with tf.name_scope(name):
        (angles,) = shape.check_inputs(angles=(angles, 3))
        half = 0.5 * angles
        return safe_ops.normalize(_from_half_angle_sines_cosines(half, 1.0 - 0.5 * tf.square(half)))


@trace_hook.op
def from_rotation_matrix(rotation_matrix, name="quaternion_from_rotation_matrix"):
    """Unit quaternions `[A1, ..., An, 4]` of rotation matrices `[A1, ..., An, 3, 3]`, accurate for all.

    Each row k of the symmetric matrix 4 q qᵀ can be read off the rotation matrix, and its diagonal
    entry is 4 q_k². The row with the largest diagonal (at least 1, since the diagonal sums to 4)
    is normalized, so nothing is divided by a small number, even at 180° in float32. The result has
    its largest component positive; it is continuous except where that choice changes sign.
    """
    with tf.name_scope(name):
        (rotation_matrix,) = shape.check_inputs(rotation_matrix=(rotation_matrix, (3, 3)))
        (m00, m01, m02), (m10, m11, m12), (m20, m21, m22) = [
            tf.unstack(row, axis=-1) for row in tf.unstack(rotation_matrix, axis=-2)
        ]
        xx = 1.0 + m00 - m11 - m22
        yy = 1.0 - m00 + m11 - m22
        zz = 1.0 - m00 - m11 + m22
        ww = 1.0 + m00 + m11 + m22
        xy, xz, yz = m01 + m10, m02 + m20, m12 + m21
        xw, yw, zw = m21 - m12, m02 - m20, m10 - m01
        outer = vector.matrix([[xx, xy, xz, xw], [xy, yy, yz, yw], [xz, yz, zz, zw], [xw, yw, zw, ww]])
        largest = tf.one_hot(tf.argmax(tf.stack([xx, yy, zz, ww], axis=-1), axis=-1), 4, dtype=outer.dtype)
        row = tf.reduce_sum(outer * largest[..., :, None], axis=-2)
        return row / tf.norm(row, axis=-1, keepdims=True)


@trace_hook.op
def inverse(quaternion, name="quaternion_inverse"):
    """Inverse `conjugate(q) / |q|²` of quaternions `[A1, ..., An, 4]` (zero for the zero quaternion)."""
    with tf.name_scope(name):
        (quaternion,) = shape.check_inputs(quaternion=(quaternion, 4))
        return tf.math.divide_no_nan(_conjugate(quaternion), vector.dot(quaternion, quaternion))


@trace_hook.op
def is_normalized(quaternion, atol=1e-3, name="quaternion_is_normalized"):
    """Whether quaternions `[A1, ..., An, 4]` have unit norm within `atol`: bools `[A1, ..., An, 1]`."""
    with tf.name_scope(name):
        (quaternion,) = shape.check_inputs(quaternion=(quaternion, 4))
        return tf.abs(tf.norm(quaternion, axis=-1, keepdims=True) - 1.0) < atol


@trace_hook.op
def normalize(quaternion, eps=1e-12, name="quaternion_normalize"):
    """Divides quaternions `[A1, ..., An, 4]` by their norm, or by sqrt(eps) where the norm is smaller."""
    with tf.name_scope(name):
        (quaternion,) = shape.check_inputs(quaternion=(quaternion, 4))
        return tf.math.l2_normalize(quaternion, axis=-1, epsilon=eps)


@trace_hook.op
def multiply(quaternion1, quaternion2, name="quaternion_multiply"):
    """Hamilton product `quaternion1 * quaternion2` (rotation 2, then 1) of quaternions `[A1, ..., An, 4]`."""
    with tf.name_scope(name):
        quaternion1, quaternion2 = shape.check_inputs(quaternion1=(quaternion1, 4), quaternion2=(quaternion2, 4))
        return _multiply(quaternion1, quaternion2)


@trace_hook.op
def normalized_random_uniform(quaternion_shape, name="quaternion_normalized_random_uniform", dtype=tf.float32):
    """Random unit quaternions `[A1, ..., An, 4]`, uniform over rotations.

    `quaternion_shape` is the batch shape `[A1, ..., An]`; `dtype` is float32 or float64.
    """
    with tf.name_scope(name):
        batch = tf.convert_to_tensor(quaternion_shape, dtype=tf.int32)
        # Normal samples are isotropic, so their directions are uniform on the 3-sphere.
        sample = tf.random.normal(tf.concat([batch, [4]], axis=0), dtype=dtype)
        return safe_ops.normalize(sample, fallback=tf.constant(_IDENTITY, dtype))


def normalized_random_uniform_initializer():
    """A variable initializer drawing random unit quaternions uniformly over rotations.

    It is a function `(shape, dtype=tf.float32, partition_info=None)` for shapes `[A1, ..., An, 4]` and
    float32 or float64.
    """

    def initializer(shape, dtype=tf.float32, partition_info=None):  # noqa: ARG001 (TF1 signature)
        dtype = tf.as_dtype(dtype)
        if dtype not in (tf.float32, tf.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype.name}")
        if shape[-1] != 4:
            raise ValueError(f"shape must be [A1, ..., An, 4], got {list(shape)}")
        return normalized_random_uniform(list(shape[:-1]), dtype=dtype)

    return initializer


@trace_hook.op
def rotate(point, quaternion, name="quaternion_rotate"):
    """Rotates 3d points `[A1, ..., An, 3]` by unit quaternions `[A1, ..., An, 4]` (same shape as `point`)."""
    with tf.name_scope(name):
        point, quaternion = shape.check_inputs(point=(point, 3), quaternion=(quaternion, 4))
        xyz, w = quaternion[..., :3], quaternion[..., 3:]
        # q p q* = p + w t + xyz × t with t = 2 xyz × p: two cross products, no 4x4 products.
        twice_cross = 2.0 * vector.cross(xyz, point)
        return point + w * twice_cross + vector.cross(xyz, twice_cross)


@trace_hook.op
def relative_angle(quaternion1, quaternion2, name="quaternion_relative_angle"):
    """Angle in [0, π] of the rotation between nonzero quaternions `[A1, ..., An, 4]`: `[A1, ..., An]`.

    Computed as 2 atan2(|vec(r)|, |w(r)|) with r = conj(q1) q2, which is accurate and has finite
    gradients everywhere (arccos of the dot product has infinite ones at 0 and π). The shape is what
    TensorFlow Graphics returns; its docstring says `[A1, ..., An, 1]`.
    """
    with tf.name_scope(name):
        quaternion1, quaternion2 = shape.check_inputs(quaternion1=(quaternion1, 4), quaternion2=(quaternion2, 4))
        relative = _multiply(_conjugate(quaternion1), quaternion2)
        return 2.0 * tf.atan2(safe_ops.norm(relative[..., :3], keepdims=False), tf.abs(relative[..., 3]))


@trace_hook.op
def slerp(quaternion1, quaternion2, percent, name="quaternion_slerp"):
    """Spherical linear interpolation between unit quaternions `[A1, ..., An, 4]`, along the shorter arc.

    `percent` (`[A1, ..., An, 1]`) 0 gives `quaternion1` and 1 gives `quaternion2` up to sign. The weights
    are those of `graphics_ops.math.interpolation.slerp.quaternion_weights`, exact and differentiable as
    the quaternions approach each other (θ → 0).
    """
    with tf.name_scope(name):
        quaternion1, quaternion2, percent = shape.check_inputs(
            quaternion1=(quaternion1, 4), quaternion2=(quaternion2, 4), percent=(percent, 1)
        )
        # quaternion_weights gives quaternion1's weight the sign that takes the shorter arc; the
        # result is negated with it so that it starts at quaternion1 itself.
        sign = safe_ops.nonzero_sign(vector.dot(quaternion1, quaternion2))
        weight1, weight2 = slerp_weights.quaternion_weights(quaternion1, quaternion2, percent)
        return sign * (weight1 * quaternion1 + weight2 * quaternion2)


def _conjugate(quaternion):
    return tf.concat([-quaternion[..., :3], quaternion[..., 3:]], axis=-1)


def _multiply(quaternion1, quaternion2):
    xyz1, w1 = quaternion1[..., :3], quaternion1[..., 3:]
    xyz2, w2 = quaternion2[..., :3], quaternion2[..., 3:]
    xyz = w1 * xyz2 + w2 * xyz1 + vector.cross(xyz1, xyz2)
    return tf.concat([xyz, w1 * w2 - vector.dot(xyz1, xyz2)], axis=-1)


def _from_half_angle_sines_cosines(sines, cosines):
    """q_z q_y q_x from the sines and cosines `[A1, ..., An, 3]` of the half Euler angles."""
    sx, sy, sz = tf.unstack(sines, axis=-1)
    cx, cy, cz = tf.unstack(cosines, axis=-1)
    return tf.stack(
        [
            sx * cy * cz - cx * sy * sz,
            cx * sy * cz + sx * cy * sz,
            cx * cy * sz - sx * sy * cz,
            cx * cy * cz + sx * sy * sz,
        ],
        axis=-1,
    )

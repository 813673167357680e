"""The rotation group SO(3): exponential and logarithm maps, and the geodesic distance.

Rotation vectors ω (shape `[A1, ..., An, 3]`) are axis times angle in radians; rotation matrices
(`[A1, ..., An, 3, 3]`) act on column vectors. Not in TensorFlow Graphics.
"""

import tensorflow as tf

from graphics_ops.transformation import quaternion as quaternion_lib
from graphics_ops.util import safe_ops, shape, trace_hook
from graphics_ops.util import vector as vector_lib


@trace_hook.op
def hat(vector, name="so3_hat"):
    """The skew-symmetric matrices [ω]× `[A1, ..., An, 3, 3]` with [ω]× p = ω × p, of vectors ω `[A1, ..., An, 3]`."""
    with tf.name_scope(name):
        (vector,) = shape.check_inputs(vector=(vector, 3))
        x, y, z = tf.unstack(vector, axis=-1)
        zero = tf.zeros_like(x)
        return vector_lib.matrix([[zero, -z, y], [z, zero, -x], [-y, x, zero]])


@trace_hook.op
def vee(matrix, name="so3_vee"):
    """The vectors ω `[A1, ..., An, 3]` with [ω]× = (M - Mᵀ) / 2, of matrices M `[A1, ..., An, 3, 3]`; inverts `hat`."""
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (3, 3)))
        return _vee(matrix)


@trace_hook.op
def exp(rotation_vector, name="so3_exp"):
    """Rotation matrices of rotation vectors (Rodrigues' formula), exact and smooth at 0.

    R = cos θ I + sinc θ [ω]× + ½ sinc²(θ/2) ω ωᵀ, with θ = |ω|.
    """
    with tf.name_scope(name):
        (rotation_vector,) = shape.check_inputs(rotation_vector=(rotation_vector, 3))
        angle = safe_ops.norm(rotation_vector, keepdims=False)
        cosine = tf.cos(angle)
        sine_term = safe_ops.sinc(angle)
        outer_term = 0.5 * tf.square(safe_ops.sinc(0.5 * angle))
        x, y, z = tf.unstack(rotation_vector, axis=-1)
        xy, xz, yz = outer_term * x * y, outer_term * x * z, outer_term * y * z
        sx, sy, sz = sine_term * x, sine_term * y, sine_term * z
        return vector_lib.matrix(
            [
                [cosine + outer_term * x * x, xy - sz, xz + sy],
                [xy + sz, cosine + outer_term * y * y, yz - sx],
                [xz - sy, yz + sx, cosine + outer_term * z * z],
            ]
        )


@trace_hook.op
def log(rotation_matrix, name="so3_log"):
    """Rotation vectors (angle in [0, π] times unit axis) of rotation matrices; inverts `exp`.

    Goes through the quaternion [v, w] with w >= 0: ω = 2 v / sinc(θ/2) with θ/2 = atan2(|v|, w),
    which is exact near the identity and, unlike formulas dividing by sin θ, near 180°.
    """
    with tf.name_scope(name):
        (rotation_matrix,) = shape.check_inputs(rotation_matrix=(rotation_matrix, (3, 3)))
        quaternion = quaternion_lib.from_rotation_matrix(rotation_matrix)
        quaternion = quaternion * safe_ops.nonzero_sign(quaternion[..., 3:])
        xyz, w = quaternion[..., :3], quaternion[..., 3:]
        half_angle = tf.atan2(safe_ops.norm(xyz), w)
        return 2.0 * xyz / safe_ops.sinc(half_angle)


@trace_hook.op
def geodesic_distance(rotation_matrix1, rotation_matrix2, name="so3_geodesic_distance"):
    """Angle in [0, π] of the rotation R1ᵀ R2 between two rotations, |log(R1ᵀ R2)|: `[A1, ..., An]`.

    Computed as atan2(sin θ, cos θ) from the skew-symmetric part and the trace, which is accurate and
    has finite gradients everywhere, including at 0 and π (arccos has infinite ones there).
    """
    with tf.name_scope(name):
        rotation_matrix1, rotation_matrix2 = shape.check_inputs(
            rotation_matrix1=(rotation_matrix1, (3, 3)), rotation_matrix2=(rotation_matrix2, (3, 3))
        )
        relative = tf.linalg.matmul(rotation_matrix1, rotation_matrix2, transpose_a=True)
        sine = safe_ops.norm(_vee(relative), keepdims=False)
        cosine = 0.5 * (tf.linalg.trace(relative) - 1.0)
        return tf.atan2(sine, cosine)


def _vee(matrix):
    return 0.5 * tf.stack(
        [
            matrix[..., 2, 1] - matrix[..., 1, 2],
            matrix[..., 0, 2] - matrix[..., 2, 0],
            matrix[..., 1, 0] - matrix[..., 0, 1],
        ],
        axis=-1,
    )

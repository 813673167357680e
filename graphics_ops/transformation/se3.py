"""The rigid motion group SE(3): exponential and logarithm maps of twists.

A twist `[v, ω]` (shape `[A1, ..., An, 6]`, translational part first, as in Sophus and PyTorch3D)
maps to the 4x4 rigid transform [[exp(ω), V v], [0, 1]] with V = I + B [ω]× + C [ω]×²,
B = (1 - cos θ) / θ², C = (θ - sin θ) / θ³ and θ = |ω|. Not in TensorFlow Graphics.
"""

import tensorflow as tf

from graphics_ops.transformation import rigid, so3
from graphics_ops.util import safe_ops, shape, trace_hook, vector

# Taylor coefficients (in θ²) of (θ - sin θ) / θ³ and of (1 - (θ/2) cot(θ/2)) / θ².
_C_SERIES = (1 / 6, -1 / 120, 1 / 5040, -1 / 362880, 1 / 39916800)
_D_SERIES = (1 / 12, 1 / 720, 1 / 30240, 1 / 1209600, 1 / 47900160)


@trace_hook.op
def exp(twist, name="se3_exp"):
    """Rigid transforms `[A1, ..., An, 4, 4]` of twists `[v, ω]`, exact and smooth at ω = 0."""
    with tf.name_scope(name):
        (twist,) = shape.check_inputs(twist=(twist, 6))
        translational, rotational = twist[..., :3], twist[..., 3:]
        angle = safe_ops.norm(rotational)
        b = 0.5 * tf.square(safe_ops.sinc(0.5 * angle))
        c = safe_ops.series_or_exact(angle, lambda x: (x - tf.sin(x)) / x**3, _C_SERIES)
        once = vector.cross(rotational, translational)
        translation = translational + b * once + c * vector.cross(rotational, once)
        return rigid.from_rotation_translation(so3.exp(rotational), translation)


@trace_hook.op
def log(matrix, name="se3_log"):
    """Twists `[v, ω]` of rigid transforms `[A1, ..., An, 4, 4]`, with |ω| in [0, π]; inverts `exp`.

    v = V⁻¹ t with V⁻¹ = I - ½ [ω]× + D [ω]×² and D = (1 - (θ/2) cot(θ/2)) / θ².
    """
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (4, 4)))
        rotation, translation = rigid.to_rotation_translation(matrix)
        rotational = so3.log(rotation)
        angle = safe_ops.norm(rotational)
        d = safe_ops.series_or_exact(angle, lambda x: (1.0 - 0.5 * x / tf.tan(0.5 * x)) / tf.square(x), _D_SERIES)
        once = vector.cross(rotational, translation)
        translational = translation - 0.5 * once + d * vector.cross(rotational, once)
        return tf.concat([translational, rotational], axis=-1)

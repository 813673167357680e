"""Spherical linear interpolation of quaternions and vectors (TensorFlow Graphics' `math.interpolation.slerp`).

`quaternion_weights` and `vector_weights` return the two weights of slerp; `interpolate_with_weights`
takes the weighted sum, and `interpolate` does both. Quaternions take the shorter arc (the weight of
`quaternion1` changes sign when the quaternions lie in opposite hemispheres); vectors are normalized
to find the angle, and the weights applied to the vectors as given.

The weights are sin((1 - t) θ) / sin θ and sin(t θ) / sin θ, computed as (1 - t) sinc((1 - t) θ) /
sinc θ and t sinc(t θ) / sinc θ, with θ = 2 atan2(|u1 - u2|, |u1 + u2|) for unit vectors u1, u2.
Unlike TensorFlow Graphics (acos of a dot product shrunk just below 1, and an eps-shifted angle), this
is accurate for nearly equal inputs, and its gradients are correct where the inputs are equal: there
the weights depend on θ² only, so their derivatives vanish; TensorFlow Graphics' do not.
Exactly opposite vectors, where slerp is undefined, fall back to linear interpolation, as there.
"""

import enum

import numpy as np
import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook, vector


class InterpolationType(enum.Enum):
    """What `interpolate` treats its inputs as."""

    VECTOR = 0
    QUATERNION = 1


@trace_hook.op
def interpolate(vector1, vector2, percent, method=InterpolationType.QUATERNION, eps=None, name=None):
    """Slerp between quaternions or vectors.

    Args:
      vector1: A tensor of shape `[A1, ..., An, M]` (M = 4 for quaternions, which must be unit).
      vector2: A tensor of shape `[A1, ..., An, M]`.
      percent: A scalar or a tensor of shape `[A1, ..., An, 1]`: 0 gives `vector1`, 1 `vector2`.
      method: An `InterpolationType`.
      eps: Unused: accepted for TensorFlow Graphics compatibility.
      name: A name for this op; defaults to "quaternion_weights" or "vector_weights".

    Returns:
      A tensor of shape `[A1, ..., An, M]`.

    Raises:
      ValueError: If `method` is not an `InterpolationType`.
    """
    if method == InterpolationType.QUATERNION:
        weight1, weight2 = quaternion_weights(vector1, vector2, percent, eps, name or "quaternion_weights")
    elif method == InterpolationType.VECTOR:
        weight1, weight2 = vector_weights(vector1, vector2, percent, eps, name or "vector_weights")
    else:
        raise ValueError(f"method must be an InterpolationType, got {method!r}")
    return interpolate_with_weights(vector1, vector2, weight1, weight2)


@trace_hook.op
def interpolate_with_weights(vector1, vector2, weight1, weight2, name="interpolate_with_weights"):
    """`weight1 * vector1 + weight2 * vector2`.

    Args:
      vector1: A tensor of shape `[A1, ..., An, M]`.
      vector2: A tensor of shape `[A1, ..., An, M]`.
      weight1: A scalar or a tensor of shape `[A1, ..., An, 1]`.
      weight2: A scalar or a tensor of shape `[A1, ..., An, 1]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, M]`.
    """
    with tf.name_scope(name):
        vector1, vector2, weight1, weight2 = shape.check_inputs(
            vector1=(vector1, "M"), vector2=(vector2, "M"), weight1=(_lift(weight1), 1), weight2=(_lift(weight2), 1)
        )
        return weight1 * vector1 + weight2 * vector2


@trace_hook.op
def quaternion_weights(quaternion1, quaternion2, percent, eps=None, name="quaternion_weights"):
    """Slerp weights `[A1, ..., An, 1]` of unit quaternions `[A1, ..., An, 4]`, along the shorter arc.

    Returns the weights of `quaternion1` and `quaternion2`; `percent` and `eps` are as in `interpolate`.
    """
    del eps
    with tf.name_scope(name):
        quaternion1, quaternion2, percent = shape.check_inputs(
            quaternion1=(quaternion1, 4), quaternion2=(quaternion2, 4), percent=(_lift(percent), 1)
        )
        sign = safe_ops.nonzero_sign(vector.dot(quaternion1, quaternion2))
        weight1, weight2 = _arc_weights(quaternion1, sign * quaternion2, percent)
        return sign * weight1, weight2


@trace_hook.op
def vector_weights(vector1, vector2, percent, eps=None, name="vector_weights"):
    """Slerp weights `[A1, ..., An, 1]` of vectors `[A1, ..., An, M]` of any length (normalized here).

    Returns the weights of `vector1` and `vector2`; `percent` and `eps` are as in `interpolate`.
    """
    del eps
    with tf.name_scope(name):
        vector1, vector2, percent = shape.check_inputs(
            vector1=(vector1, "M"), vector2=(vector2, "M"), percent=(_lift(percent), 1)
        )
        return _arc_weights(safe_ops.normalize(vector1), safe_ops.normalize(vector2), percent)


def _lift(value):
    """Scalars become `[1]`, as in TensorFlow Graphics; a Python number stays dtype-less."""
    if tf.is_tensor(value):
        return tf.reshape(value, [1]) if value.shape.rank == 0 else value
    if np.ndim(value) != 0:
        return value
    return np.reshape(value, [1]) if hasattr(value, "dtype") else [value]


def _arc_weights(unit1, unit2, percent):
    """Slerp weights for unit vectors; linear weights where they are exactly opposite."""
    angle = 2.0 * tf.atan2(safe_ops.norm(unit1 - unit2), safe_ops.norm(unit1 + unit2))
    sinc_angle = safe_ops.sinc(angle)
    defined = sinc_angle > safe_ops.eps(angle.dtype)
    divisor = tf.where(defined, sinc_angle, tf.ones_like(sinc_angle))
    rest = 1.0 - percent
    weight1 = tf.where(defined, rest * safe_ops.sinc(rest * angle) / divisor, rest)
    weight2 = tf.where(defined, percent * safe_ops.sinc(percent * angle) / divisor, percent)
    return weight1, weight2

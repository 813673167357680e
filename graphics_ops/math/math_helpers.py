"""Spherical coordinates and factorials (TensorFlow Graphics' `math.math_helpers`).

Spherical coordinates are `[r, theta, phi]`: radius, polar angle from +z in [0, π], and azimuth
from +x towards +y in (-π, π].

Unlike TensorFlow Graphics, `cartesian_to_spherical_coordinates` computes theta with atan2
instead of acos(z / r): accurate near the poles (where acos loses half the digits) and with finite
gradients there and at the origin (TensorFlow Graphics' are infinite or nan). `factorial` and
`double_factorial` of integer tensors are exact (table look-ups) rather than rounded floats.
"""

import math

import numpy as np
import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook


@trace_hook.op
def cartesian_to_spherical_coordinates(point_cartesian, eps=None, name="cartesian_to_spherical_coordinates"):
    """Converts points `[x, y, z]` to spherical coordinates `[r, theta, phi]`.

    At the origin theta is 0; on the z axis phi is 0. Gradients there are zero, never nan.

    Args:
      point_cartesian: A tensor of shape `[A1, ..., An, 3]`.
      eps: Unused: accepted for TensorFlow Graphics compatibility (atan2 needs no guard).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    del eps
    with tf.name_scope(name):
        (point_cartesian,) = shape.check_inputs(point_cartesian=(point_cartesian, 3))
        x, y, z = tf.unstack(point_cartesian, axis=-1)
        radius = safe_ops.norm(point_cartesian, keepdims=False)
        planar = safe_ops.norm(point_cartesian[..., :2], keepdims=False)
        return tf.stack([radius, safe_ops.atan2(planar, z), safe_ops.atan2(y, x)], axis=-1)


@trace_hook.op
def spherical_to_cartesian_coordinates(point_spherical, name="spherical_to_cartesian_coordinates"):
    """Converts spherical coordinates `[r, theta, phi]` to points `[x, y, z]`.

    Args:
      point_spherical: A tensor of shape `[A1, ..., An, 3]`; r should be non-negative.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        (point_spherical,) = shape.check_inputs(point_spherical=(point_spherical, 3))
        radius, theta, phi = tf.unstack(point_spherical, axis=-1)
        planar = radius * tf.sin(theta)
        return tf.stack([planar * tf.cos(phi), planar * tf.sin(phi), radius * tf.cos(theta)], axis=-1)


@trace_hook.op
def square_to_spherical_coordinates(point_2d, name="math_square_to_spherical_coordinates"):
    """Maps the unit square onto the unit sphere, uniformly by area.

    `[u, v]` in [0, 1]² becomes `[1, theta, phi]` with cos(theta) = 1 - 2u and phi = 2π v.
    (TensorFlow Graphics documents a `[..., 2]` result but returns this `[..., 3]` one.)

    Args:
      point_2d: A tensor of shape `[A1, ..., An, 2]` with values in [0, 1].
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        (point_2d,) = shape.check_inputs(point_2d=(point_2d, 2))
        u, v = tf.unstack(point_2d, axis=-1)
        # cos(theta / 2) = sqrt(1 - u) and sin(theta / 2) = sqrt(u): accurate near both poles.
        theta = 2.0 * tf.atan2(tf.sqrt(u), tf.sqrt(1.0 - u))
        return tf.stack([tf.ones_like(theta), theta, 2.0 * math.pi * v], axis=-1)


@trace_hook.op
def factorial(n, name="factorial"):
    """n! elementwise.

    Floating `n`: Γ(n + 1), also for non-integers. Integer `n`: exact, from a table up to the
    largest n whose factorial fits the dtype (12 for int32, 20 for int64; larger n give that
    entry); negative n give 1.

    Args:
      n: A tensor of shape `[A1, ..., An]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]` and the dtype of `n`.
    """
    table = [math.factorial(k) for k in range(21)]
    return _integer_table_or_formula(n, name, table, lambda x: tf.exp(tf.math.lgamma(x + 1.0)))


@trace_hook.op
def double_factorial(n, name="double_factorial"):
    """n!! = n (n - 2) (n - 4) ... elementwise; 1 for n < 2.

    Floating `n`: 2^(n/2) Γ(n/2 + 1) for even n and that times sqrt(2/π) for odd n, in closed
    form rather than TensorFlow Graphics' loop. Integer `n`: exact, from a table up to the largest n
    whose double factorial fits the dtype (19 for int32, 33 for int64; larger n give that entry).

    Args:
      n: A tensor of shape `[A1, ..., An]` of integer values.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]` and the dtype of `n`.
    """
    table = [math.prod(range(k, 1, -2)) for k in range(34)]
    return _integer_table_or_formula(n, name, table, _double_factorial_closed_form)


def _double_factorial_closed_form(n):
    n = tf.maximum(n, 1.0)
    odd = tf.math.floormod(n, 2.0)
    return tf.exp(0.5 * n * math.log(2.0) + tf.math.lgamma(0.5 * n + 1.0) + odd * 0.5 * math.log(2.0 / math.pi))


def _integer_table_or_formula(n, name, table, formula):
    """`table[n]` for int32 or int64 `n` (1 below 0), else `formula(n)` for floating `n`."""
    with tf.name_scope(name):
        n = tf.convert_to_tensor(n, name="n")
        if n.dtype.is_floating:
            return formula(n)
        if n.dtype not in (tf.int32, tf.int64):
            raise TypeError(f"n must have a floating dtype or int32 or int64, got {n.dtype.name}")
        limit = np.iinfo(n.dtype.as_numpy_dtype).max
        values = [value for value in table if value <= limit]
        return tf.gather(tf.constant(values, n.dtype), tf.clip_by_value(n, 0, len(values) - 1))

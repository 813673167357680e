"""Uniform (cardinal) B-splines of degree 0 to 4 (TensorFlow Graphics' `math.interpolation.bspline`).

A spline with C knots (control values) and degree D is evaluated at positions in [0, C - D], or
[0, C) for cyclical splines, where knot indices wrap around. Segment k (positions in [k, k + 1])
blends knots k, ..., k + D with the uniform B-spline basis.

Unlike TensorFlow Graphics, the end position C - D of a non-cyclical spline is valid (there, its
scatter reads knot C, one past the end, and fails); positions beyond the range extend the first or
last segment's polynomial and cyclical positions wrap, instead of failing an assert; weights are
built with one-hot sums rather than a scatter, so `jit_compile` needs no static position count.
"""

import enum
import math

import tensorflow as tf

from graphics_ops.util import arguments, shape, trace_hook


class Degree(enum.IntEnum):
    """Degrees of B-splines."""

    CONSTANT = 0
    LINEAR = 1
    QUADRATIC = 2
    CUBIC = 3
    QUARTIC = 4


@trace_hook.op
def knot_weights(positions, num_knots, degree, cyclical, sparse_mode=False, name="bspline_knot_weights"):
    """The weight of each knot at each position.

    Args:
      positions: A tensor of shape `[A1, ..., An]`.
      num_knots: The number of knots C, a positive Python int.
      degree: The degree D, a Python int (or `Degree`) from 0 to 4, below `num_knots`.
      cyclical: Whether the spline is cyclical.
      sparse_mode: If True, return only the D + 1 nonzero weights and the index of the first knot.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, C]`; or, if `sparse_mode`, a tensor of shape
      `[A1, ..., An, D + 1]` of the weights of knots `shift, ..., shift + D` (modulo C if cyclical)
      and the int32 tensor `shift` of shape `[A1, ..., An]`.

    Raises:
      ValueError: If `degree` is not in [0, 4] or not below `num_knots`.
    """
    with tf.name_scope(name):
        degree = _check_degree(degree, num_knots)
        (positions,) = shape.check_inputs(positions=(positions, ()))
        if cyclical:
            positions = tf.math.floormod(positions, float(num_knots))
        last_segment = num_knots - 1 if cyclical else num_knots - degree - 1
        start = tf.clip_by_value(tf.floor(positions), 0.0, float(last_segment))
        weights = _basis(positions - start, degree)
        shift = tf.cast(start, tf.int32)
        if sparse_mode:
            return weights, shift
        knots = shift[..., None] + tf.range(degree + 1)
        if cyclical:
            knots = tf.math.floormod(knots, num_knots)
        return tf.reduce_sum(weights[..., None] * tf.one_hot(knots, num_knots, dtype=weights.dtype), axis=-2)


@trace_hook.op
def interpolate_with_weights(knots, weights, name="bspline_interpolate_with_weights"):
    """Sums knots with weights.

    Args:
      knots: A tensor of shape `[B1, ..., Bk, C]`.
      weights: A tensor of shape `[A1, ..., An, C]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, B1, ..., Bk]`.
    """
    with tf.name_scope(name):
        knots, weights = shape.check_inputs(knots=(knots, ("C",)), weights=(weights, ("C",)), broadcast=False)
        return tf.tensordot(weights, knots, [[-1], [-1]])


@trace_hook.op
def interpolate(knots, positions, degree, cyclical, name="bspline_interpolate"):
    """Evaluates B-splines at positions.

    Args:
      knots: A tensor of shape `[B1, ..., Bk, C]` with a static C: knot values.
      positions: A tensor of shape `[A1, ..., An]` (see `knot_weights`).
      degree: The degree, a Python int (or `Degree`) from 0 to 4, below C.
      cyclical: Whether the splines are cyclical.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, B1, ..., Bk]`.
    """
    with tf.name_scope(name):
        knots, positions = shape.check_inputs(knots=(knots, None), positions=(positions, ()), broadcast=False)
        num_knots = knots.shape[-1]
        if num_knots is None:
            raise ValueError("knots must have a static last dimension (the number of knots)")
        return interpolate_with_weights(knots, knot_weights(positions, num_knots, degree, cyclical))


def _check_degree(degree, num_knots):
    arguments.check_positive_int(num_knots, "num_knots")
    if not isinstance(degree, int) or not 0 <= degree <= 4:
        raise ValueError(f"degree must be an int from 0 to 4, got {degree!r}")
    if degree >= num_knots:
        raise ValueError(f"degree must be below num_knots, got degree {degree} and num_knots {num_knots}")
    return int(degree)


def _basis(fraction, degree):
    """The D + 1 uniform B-spline basis functions at `fraction` in [0, 1], on a new last axis.

    B_j(u) = sum_i (-1)^i C(D+1, i) (u + D - j - i)_+^D / D!, the cardinal B-spline shifted to knot j,
    written out as a polynomial in u per j (no truncated powers, so gradients are polynomial too).
    """
    columns = []
    for j in range(degree + 1):
        coefficients = _polynomial(degree, j)
        value = tf.zeros_like(fraction)
        for coefficient in reversed(coefficients):
            value = value * fraction + coefficient
        columns.append(value)
    return tf.stack(columns, axis=-1)


def _polynomial(degree, j):
    """Coefficients c_0..c_D (in powers of u) of basis function j on u in [0, 1]."""
    coefficients = [0.0] * (degree + 1)
    for i in range(degree - j + 1):
        offset = degree - j - i  # (u + offset)^D, nonnegative over the whole segment
        sign = (-1) ** i * math.comb(degree + 1, i) / math.factorial(degree)
        for power in range(degree + 1):
            coefficients[power] += sign * math.comb(degree, power) * offset ** (degree - power)
    return coefficients

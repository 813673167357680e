"""Math with finite values and gradients where the naive formulas divide by zero.

`tf.where` passes the gradient of the branch it did not select multiplied by zero, and 0 * inf or
0 * nan is nan. So every helper here first replaces the inputs of the unselected branch with
harmless values, then selects.
"""

import numpy as np
import tensorflow as tf


def tiny(dtype):
    """Lengths below this are treated as zero: its inverse is still far from overflowing."""
    return float(np.sqrt(np.finfo(tf.as_dtype(dtype).as_numpy_dtype).tiny))


def eps(dtype):
    """Machine epsilon of `dtype`, as a Python float."""
    return float(np.finfo(tf.as_dtype(dtype).as_numpy_dtype).eps)


def nonzero_sign(x):
    """1 where `x >= 0`, else -1 (never 0)."""
    return tf.where(x >= 0, tf.ones_like(x), -tf.ones_like(x))


def norm(x, axis=-1, keepdims=True):
    """Euclidean norm whose gradient at the zero vector is zero instead of nan."""
    squared = tf.reduce_sum(tf.square(x), axis=axis, keepdims=keepdims)
    nonzero = squared > 0
    return tf.where(nonzero, tf.sqrt(tf.where(nonzero, squared, tf.ones_like(squared))), tf.zeros_like(squared))


def normalize(x, fallback=None, axis=-1, minimum_length=None):
    """`x / |x|` along `axis`, or `fallback` (default zeros) where `|x|` is below `minimum_length`.

    Args:
      x: A tensor of shape `[A1, ..., An, k]`.
      fallback: A tensor broadcastable to `x`, returned where `x` is (nearly) zero.
      axis: The axis to normalize along.
      minimum_length: A tensor broadcastable to `[A1, ..., An, 1]`; defaults to `tiny`.

    Returns:
      A tensor shaped like `x` broadcast with `fallback`.
    """
    length = norm(x, axis=axis)
    valid = length > (tiny(x.dtype) if minimum_length is None else minimum_length)
    unit = x / tf.where(valid, length, tf.ones_like(length))
    return tf.where(valid, unit, tf.zeros_like(unit) if fallback is None else tf.cast(fallback, x.dtype))


def atan2(y, x):
    """`tf.atan2` with a zero gradient at (0, 0), where the usual one is nan; atan2(0, 0) = 0."""
    origin = tf.equal(x, 0) & tf.equal(y, 0)
    return tf.atan2(tf.where(origin, tf.zeros_like(y), y), tf.where(origin, tf.ones_like(x), x))


def series_or_exact(x, exact, coefficients):
    """Evaluates `exact(x)`, or its even Taylor series near 0 where `exact` cancels or divides by 0.

    The switch point balances the series' truncation error against the cancellation error of
    `exact`, which is assumed to grow like eps / x**2.

    Args:
      x: A floating tensor.
      exact: A function of `x`, finite away from 0.
      coefficients: `c0, c1, ..., cn` of the series `sum_k c_k x**(2k)`; the last one is the
        first term left out, and only sets the switch point.

    Returns:
      A tensor shaped like `x`.
    """
    *series, omitted = coefficients
    switch = (eps(x.dtype) / abs(omitted)) ** (1.0 / (2 * len(coefficients)))
    squared = tf.square(x)
    small = squared < switch**2
    value = tf.zeros_like(x)
    for coefficient in reversed(series):
        value = value * squared + coefficient
    return tf.where(small, value, exact(tf.where(small, tf.fill(tf.shape(x), tf.cast(switch, x.dtype)), x)))


def sinc(x):
    """sin(x) / x (unnormalized), 1 at 0, with exact gradients near 0."""
    return series_or_exact(x, lambda y: tf.sin(y) / y, (1.0, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880))

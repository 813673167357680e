"""graphics_ops.util.safe_ops: exact values and finite, exact gradients where naive formulas fail."""

import math

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.util import safe_ops, vector
from tests.graphics_ops.testing import ATOL, all_dtypes, assert_all_finite

# Points on both sides of the series/exact switch points in float32 and float64, and 0.
ARGUMENTS = np.concatenate([[0.0, 1e-30, 1e-12, 1e-6, 1e-3], np.linspace(0.05, 1.5, 30), [2.0, 3.0, np.pi]])


def _value_and_gradient(function, x, dtype):
    x = tf.constant(x, dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = function(x)
    return y.numpy(), tape.gradient(y, x).numpy()


def _alternating_series(offset):
    """sum_k (-1)^k x^(2k) / (2k + offset)! and its derivative: exact references in float64 for |x| <= π.

    Offset 1 gives sin(x) / x, offset 3 gives (x - sin x) / x³.
    """

    def reference(x):
        k = np.arange(25)[:, None]
        terms = (-1.0) ** k / np.array([float(math.factorial(2 * i + offset)) for i in range(25)])[:, None]
        return np.sum(terms * x ** (2 * k), axis=0), np.sum(terms * 2 * k * x ** np.maximum(2 * k - 1, 0), axis=0)

    return reference


@pytest.mark.parametrize(
    "function,reference",
    [
        (safe_ops.sinc, _alternating_series(1)),
        (
            lambda x: safe_ops.series_or_exact(
                x, lambda y: (y - tf.sin(y)) / y**3, (1 / 6, -1 / 120, 1 / 5040, -1 / 362880, 1 / 39916800)
            ),
            _alternating_series(3),
        ),
    ],
    ids=["sinc", "x_minus_sin_over_cube"],
)
@all_dtypes
def test_series_or_exact_matches_references(function, reference, dtype):
    value, gradient = _value_and_gradient(function, ARGUMENTS, dtype)
    expected_value, expected_gradient = reference(ARGUMENTS)
    tolerance = 1e-6 if dtype == tf.float32 else 1e-13
    np.testing.assert_allclose(value, expected_value, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=10 * tolerance, atol=10 * tolerance)


@all_dtypes
def test_norm_has_zero_gradient_at_zero(dtype):
    x = tf.constant([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0]], dtype)
    value, gradient = _value_and_gradient(safe_ops.norm, x, dtype)
    np.testing.assert_allclose(value, [[0.0], [5.0]])
    np.testing.assert_allclose(gradient, [[0, 0, 0], [0.6, 0, 0.8]], atol=ATOL[dtype])


@all_dtypes
def test_normalize_falls_back_below_tiny_lengths(dtype):
    tiny = safe_ops.tiny(dtype)
    x = tf.constant([[0.0, 0.0, 0.0], [tiny / 2, 0, 0], [0.0, 2 * tiny, 0.0], [0.0, 0.0, -7.0]], dtype)
    fallback = tf.constant([1.0, 0.0, 0.0], dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        unit = safe_ops.normalize(x, fallback=fallback)
    np.testing.assert_allclose(unit, [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, -1]], atol=ATOL[dtype])
    assert_all_finite(tape.gradient(unit, x))


def test_nonzero_sign():
    np.testing.assert_array_equal(safe_ops.nonzero_sign(tf.constant([-2.0, -0.0, 0.0, 3.0])), [-1, 1, 1, 1])


def test_orthogonal_vectors_are_unit_and_orthogonal():
    rng = np.random.default_rng(0)
    vectors = np.concatenate([np.eye(3), -np.eye(3), rng.normal(size=(50, 3))])
    vectors /= np.linalg.norm(vectors, axis=-1, keepdims=True)
    orthogonal = vector.orthogonal(tf.constant(vectors)).numpy()
    np.testing.assert_allclose(np.linalg.norm(orthogonal, axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.sum(orthogonal * vectors, axis=-1), 0.0, atol=1e-12)
    np.testing.assert_array_equal(vector.orthogonal(tf.zeros([1, 3])), [[0.0, 0.0, 0.0]])


def test_vector_helpers_broadcast():
    np.testing.assert_allclose(
        vector.cross(tf.constant([[1.0, 0, 0]]), tf.constant([[[0.0, 1, 0]], [[0, 0, 1]]])), [[[0, 0, 1]], [[0, -1, 0]]]
    )
    matrix = vector.matrix([[tf.ones([2]), tf.zeros([])], [tf.zeros([1]), tf.ones([])]])
    np.testing.assert_array_equal(matrix, [np.eye(2)] * 2)
    np.testing.assert_allclose(
        vector.matvec(tf.constant([[[0.0, -1], [1, 0]]]), tf.constant([[1.0, 2], [3, 4]])), [[-2, 1], [-4, 3]]
    )


@all_dtypes
def test_atan2_is_differentiable_at_the_origin(dtype):
    y, x = tf.constant([0.0, 1.0, -2.0], dtype), tf.constant([0.0, -1.0, 0.0], dtype)
    with tf.GradientTape() as tape:
        tape.watch([y, x])
        angle = safe_ops.atan2(y, x)
    np.testing.assert_allclose(angle, [0.0, 3 * np.pi / 4, -np.pi / 2], atol=ATOL[dtype])
    gradient_y, gradient_x = tape.gradient(angle, [y, x])
    np.testing.assert_allclose(gradient_y, [0.0, -0.5, 0.0], atol=ATOL[dtype])
    np.testing.assert_allclose(gradient_x, [0.0, -0.5, 0.5], atol=ATOL[dtype])

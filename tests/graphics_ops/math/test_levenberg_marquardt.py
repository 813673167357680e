"""Levenberg-Marquardt against SciPy's MINPACK (`least_squares(method="lm")`) on nonlinear problems."""

import numpy as np
import pytest
import tensorflow as tf
from scipy.optimize import least_squares

from graphics_ops.math.optimizer import levenberg_marquardt

TIMES = np.linspace(0.0, 4.0, 25)
# Noisy samples of 2.5 exp(-1.3 t) cos(2 t) + 0.4: a damped oscillation, nonlinear in 3 of 4 parameters.
SAMPLES = 2.5 * np.exp(-1.3 * TIMES) * np.cos(2.0 * TIMES) + 0.4 + 0.02 * np.sin(11.0 * TIMES)
START = [1.0, 1.0, 1.5, 0.0]


def _oscillation(amplitude, decay, frequency, offset):
    times = tf.constant(TIMES, amplitude.dtype)
    return (
        amplitude * tf.exp(-decay * times) * tf.cos(frequency * times) + offset - tf.constant(SAMPLES, amplitude.dtype)
    )


def _scipy_fit():
    def residual(p):
        return p[0] * np.exp(-p[1] * TIMES) * np.cos(p[2] * TIMES) + p[3] - SAMPLES

    return least_squares(residual, START, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)


def _start(dtype):
    return [tf.constant(value, dtype) for value in START]


@pytest.mark.parametrize("mode", ["eager", "graph", "xla"])
def test_matches_scipy_minpack(mode):
    reference = _scipy_fit()

    def fit(*variables):
        return levenberg_marquardt.minimize(_oscillation, list(variables), 40)

    if mode != "eager":
        fit = tf.function(fit, jit_compile=mode == "xla")
    objective, variables = fit(*_start(tf.float64))
    np.testing.assert_allclose([v.numpy() for v in variables], reference.x, rtol=1e-9)
    np.testing.assert_allclose(objective, reference.cost, rtol=1e-12)


def test_rosenbrock_from_the_classic_start():
    def rosenbrock(x, y):
        return tf.stack([10.0 * (y - x * x), 1.0 - x])

    objective, (x, y) = levenberg_marquardt.minimize(
        rosenbrock, [tf.constant(-1.2, tf.float64), tf.constant(1.0, tf.float64)], 100
    )
    reference = least_squares(lambda p: [10 * (p[1] - p[0] ** 2), 1 - p[0]], [-1.2, 1.0], method="lm")
    np.testing.assert_allclose([x, y], reference.x, atol=1e-10)
    assert objective < 1e-20


def test_float32_and_several_residuals_and_variable_shapes():
    target = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)

    def matrix_residual(matrix, scale):
        return scale * matrix - target

    def scale_residual(matrix, scale):
        return scale - 2.0

    objective, (matrix, scale) = levenberg_marquardt.minimize(
        (matrix_residual, scale_residual), (tf.zeros([2, 2]), tf.constant(1.0)), 30
    )
    assert matrix.dtype == tf.float32 and matrix.shape == (2, 2)
    np.testing.assert_allclose(scale, 2.0, atol=1e-6)
    np.testing.assert_allclose(matrix, target / 2.0, atol=1e-6)
    assert objective < 1e-10


def test_rank_deficient_jacobian_in_a_graph():
    # y never enters the residual: J has a zero column. TensorFlow Graphics' Cholesky raises in
    # graph mode here; the damped QR solve just leaves y alone.
    @tf.function
    def fit(x, y):
        return levenberg_marquardt.minimize(lambda x, y: tf.stack([x * x - 4.0, x - 2.0]), [x, y], 20)

    objective, (x, y) = fit(tf.constant(5.0, tf.float64), tf.constant(7.0, tf.float64))
    np.testing.assert_allclose([x, y], [2.0, 7.0], atol=1e-10)
    assert objective < 1e-20


def test_objective_never_increases_and_callback_sees_every_iteration():
    seen = []

    def callback(iteration, objective_value, variables):
        seen.append((int(iteration), float(objective_value)))

    levenberg_marquardt.minimize(_oscillation, _start(tf.float64), 15, callback=callback)
    assert [iteration for iteration, _ in seen] == list(range(1, 16))
    objectives = [value for _, value in seen]
    assert all(later <= earlier for earlier, later in zip(objectives, objectives[1:]))


def test_damping_comes_down_after_successful_steps():
    # Started with heavy damping, steps are short gradient steps until λ comes down; TensorFlow
    # Graphics never lowers λ, so it would crawl for the whole budget.
    objective, variables = levenberg_marquardt.minimize(_oscillation, _start(tf.float64), 60, regularizer=1e6)
    reference = _scipy_fit()
    np.testing.assert_allclose([v.numpy() for v in variables], reference.x, rtol=1e-8)
    # Without damping, the exact Gauss-Newton step solves a linear problem at once.
    objective, variables = levenberg_marquardt.minimize(
        lambda x: tf.stack([x - 3.0, 2.0 * x - 6.0]), [tf.constant(0.0, tf.float64)], 1, regularizer=0.0
    )
    np.testing.assert_allclose(variables[0], 3.0, atol=1e-12)
    assert objective < 1e-24


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="max_iterations"):
        levenberg_marquardt.minimize(_oscillation, _start(tf.float64), 0)
    with pytest.raises(ValueError, match="regularizer_multiplier"):
        levenberg_marquardt.minimize(_oscillation, _start(tf.float64), 5, regularizer_multiplier=1.0)
    with pytest.raises(ValueError, match="regularizer must"):
        levenberg_marquardt.minimize(_oscillation, _start(tf.float64), 5, regularizer=-1.0)
    with pytest.raises(TypeError, match="variables must all have one floating dtype"):
        levenberg_marquardt.minimize(_oscillation, [tf.constant(1.0), tf.constant(1.0, tf.float64)], 5)

"""graphics_ops.lighting.spherical_harmonics against SciPy, quadrature, and finite differences."""

import inspect

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import lpmv

from graphics_ops.lighting import spherical_harmonics as sh
from tests.graphics_ops import shading_testing as ref
from tests.graphics_ops.api_testing import public_functions
from tests.graphics_ops.testing import ATOL, all_dtypes, assert_all_finite, assert_jacobians_match_finite_differences

MAX_BAND = 6
COUNT = 128

TFG_API = {
    "integration_product": ["harmonics1", "harmonics2", "keepdims"],
    "generate_l_m_permutations": ["max_band"],
    "generate_l_m_zonal": ["max_band"],
    "evaluate_legendre_polynomial": ["degree_l", "order_m", "x"],
    "evaluate_spherical_harmonics": ["degree_l", "order_m", "theta", "phi"],
    "rotate_zonal_harmonics": ["zonal_coeffs", "theta", "phi"],
    "tile_zonal_coefficients": ["coefficients"],
}
EXTRAS = {"evaluate_basis", "fit_coefficients", "clamped_cosine_zonal_coefficients"}


def _angles(seed=0, count=COUNT):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, np.pi, (count, 1)), rng.uniform(0.0, 2.0 * np.pi, (count, 1))


def _direction(theta, phi):
    return np.concatenate([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], -1)


def _reference_basis(theta, phi, max_band=MAX_BAND):
    degrees, orders = [array.numpy() for array in sh.generate_l_m_permutations(max_band)]
    return np.stack(
        [ref.real_spherical_harmonic(l, m, theta[..., 0], phi[..., 0]) for l, m in zip(degrees, orders)], -1
    )


def _tolerance(dtype):
    return 20 * ATOL[dtype]


def test_tensorflow_graphics_api():
    for function_name, arguments in TFG_API.items():
        parameters = list(inspect.signature(getattr(sh, function_name)).parameters)
        assert parameters[: parameters.index("name")] == arguments, function_name
    assert public_functions(sh) == set(TFG_API) | EXTRAS


def test_degree_and_order_generators():
    degrees, orders = sh.generate_l_m_permutations(2)
    np.testing.assert_array_equal(degrees, [0, 1, 1, 1, 2, 2, 2, 2, 2])
    np.testing.assert_array_equal(orders, [0, -1, 0, 1, -2, -1, 0, 1, 2])
    assert degrees.dtype == tf.int32
    degrees, orders = sh.generate_l_m_zonal(3)
    np.testing.assert_array_equal(degrees, [0, 1, 2, 3])
    np.testing.assert_array_equal(orders, [0, 0, 0, 0])


class TestEvaluation:
    @all_dtypes
    def test_against_scipy(self, dtype):
        theta, phi = _angles()
        theta[:2] = [[0.0], [np.pi]]  # the poles
        degrees, orders = sh.generate_l_m_permutations(MAX_BAND)
        expected = _reference_basis(theta, phi)
        actual = sh.evaluate_spherical_harmonics(degrees, orders, tf.constant(theta, dtype), tf.constant(phi, dtype))
        np.testing.assert_allclose(actual, expected, atol=_tolerance(dtype))
        basis = sh.evaluate_basis(tf.constant(_direction(theta, phi), dtype), MAX_BAND)
        np.testing.assert_allclose(basis, expected, atol=_tolerance(dtype))

    def test_low_bands_in_closed_form(self):
        """Y_0^0 = 1 / (2 sqrt π) and band 1 = sqrt(3 / 4π) (-y, z, -x), with the Condon-Shortley phase."""
        direction = ref.random_unit(np.random.default_rng(1), (COUNT,))
        x, y, z = direction.T
        basis = sh.evaluate_basis(3.0 * direction, 1).numpy()  # any length
        np.testing.assert_allclose(basis[:, 0], 0.5 / np.sqrt(np.pi), rtol=1e-14)
        np.testing.assert_allclose(basis[:, 1:], np.sqrt(3.0 / (4.0 * np.pi)) * np.stack([-y, z, -x], -1), atol=1e-14)

    def test_per_element_degrees_and_batch_dimensions(self):
        rng = np.random.default_rng(2)
        degrees = rng.integers(0, 8, (5, 7))
        orders = np.array([[rng.integers(-l, l + 1) for l in row] for row in degrees])
        theta, phi = _angles(3, 5)
        actual = sh.evaluate_spherical_harmonics(degrees, orders, theta, phi).numpy()
        for i in range(5):
            for j in range(7):
                expected = ref.real_spherical_harmonic(degrees[i, j], orders[i, j], theta[i, 0], phi[i, 0])
                assert abs(actual[i, j] - expected) < 1e-12
        # Shared degrees [C] broadcast against angles [2, 5, 1].
        shared = sh.evaluate_spherical_harmonics(degrees[0], orders[0], theta.reshape(1, 5, 1), phi.reshape(1, 5, 1))
        assert shared.shape == (1, 5, 7)

    def test_degrees_known_only_at_run_time(self):
        """A tf.while_loop replaces the unrolled recurrence, also under XLA, also for gradients."""
        degrees, orders = sh.generate_l_m_permutations(MAX_BAND)
        theta, phi = [tf.constant(a, tf.float32) for a in _angles(4, 8)]
        signature = [tf.TensorSpec([None], tf.int32)] * 2 + [tf.TensorSpec([None, 1])] * 2

        def value_and_gradient(degree_l, order_m, theta_, phi_):
            with tf.GradientTape() as tape:
                tape.watch([theta_, phi_])
                value = sh.evaluate_spherical_harmonics(degree_l, order_m, theta_, phi_)
                loss = tf.reduce_sum(value * tf.cast(tf.range(tf.size(degree_l)), value.dtype))
            return (value, *tape.gradient(loss, [theta_, phi_]))

        expected = value_and_gradient(degrees, orders, theta, phi)
        for jit_compile in (False, True):
            compiled = tf.function(value_and_gradient, input_signature=signature, jit_compile=jit_compile)
            for got, want in zip(compiled(degrees, orders, theta, phi), expected):
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
        legendre = tf.function(
            sh.evaluate_legendre_polynomial,
            input_signature=[tf.TensorSpec([None], tf.int32)] * 2 + [tf.TensorSpec([None])],
        )
        with pytest.raises(tf.errors.InvalidArgumentError, match="must be at most 64"):
            legendre(tf.constant([70]), tf.constant([2]), tf.constant([0.5]))

    def test_orthonormal_by_quadrature(self):
        directions, weights = ref.sphere_quadrature(24, 48)  # exact for polynomials of degree < 48
        basis = sh.evaluate_basis(directions, 8).numpy()
        gram = basis.T @ (basis * weights[:, None])
        np.testing.assert_allclose(gram, np.eye(81), atol=1e-12)

    def test_gradients_at_the_poles_and_for_zero_vectors(self):
        directions = tf.constant([[0.0, 0.0, 1.0], [0.0, 0.0, -2.0], [0.0, 0.0, 0.0], [1e-30, 0.0, 0.0]], tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(directions)
            values = sh.evaluate_basis(directions, MAX_BAND)
        assert_all_finite(values, tape.gradient(values, directions))
        assert_jacobians_match_finite_differences(lambda d: sh.evaluate_basis(d, MAX_BAND), directions.numpy()[:2])
        theta = tf.constant([[0.0], [np.pi]], tf.float64)
        degrees, orders = sh.generate_l_m_permutations(MAX_BAND)
        assert_jacobians_match_finite_differences(
            lambda t, p: sh.evaluate_spherical_harmonics(degrees, orders, t, p), theta, [[0.3], [2.0]]
        )


class TestLegendre:
    @all_dtypes
    def test_against_scipy(self, dtype):
        rng = np.random.default_rng(5)
        degrees = rng.integers(0, 9, 200)
        orders = np.minimum(rng.integers(0, 9, 200), degrees)
        x = rng.uniform(-1.0, 1.0, 200)
        x[:4] = [-1.0, 1.0, 0.0, 1.0]
        expected = lpmv(orders, degrees, x)
        actual = sh.evaluate_legendre_polynomial(degrees, orders, tf.constant(x, dtype))
        scale = np.abs(expected).max()
        np.testing.assert_allclose(actual, expected, rtol=_tolerance(dtype), atol=_tolerance(dtype) * scale)

    def test_gradients(self):
        degrees, orders = np.array([3, 4, 5, 6, 2]), np.array([0, 1, 2, 3, 2])
        x = np.random.default_rng(6).uniform(-0.9, 0.9, 5)
        assert_jacobians_match_finite_differences(lambda t: sh.evaluate_legendre_polynomial(degrees, orders, t), x)
        # At x = ±1: finite; exact for even orders (d/dx P_2^2 = d/dx 3 (1 - x²) = -6x).
        ends = tf.constant([1.0, -1.0, 1.0, 1.0], tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(ends)
            values = sh.evaluate_legendre_polynomial([2, 2, 3, 4], [2, 2, 1, 0], ends)
        gradient = tape.gradient(values, ends)  # each value depends on its own x only
        assert_all_finite(gradient)
        np.testing.assert_allclose(gradient[:2], [-6.0, 6.0], rtol=1e-12)


class TestZonalHarmonics:
    def test_rotated_zonal_function_is_symmetric_about_the_new_axis(self):
        rng = np.random.default_rng(7)
        zonal = rng.normal(size=5)
        theta, phi = _angles(8, 3)
        rotated = sh.rotate_zonal_harmonics(zonal, theta, phi).numpy()
        assert rotated.shape == (3, 25)
        samples = ref.random_unit(rng, (50,))
        values = sh.evaluate_basis(samples, 4).numpy() @ rotated.T  # [50, 3]
        axes = _direction(theta, phi)
        # The zonal function of the angle with the axis: Σ z_l Y_l^0 at polar angle arccos(d . axis).
        polar = np.arccos(np.clip(samples @ axes.T, -1.0, 1.0))
        expected = sum(zonal[l] * ref.real_spherical_harmonic(l, 0, polar, 0.0) for l in range(5))
        np.testing.assert_allclose(values, expected, atol=1e-12)

    def test_axis_along_z_leaves_zonal_coefficients(self):
        rotated = sh.rotate_zonal_harmonics([1.0, 2.0, 3.0], [[0.0]], [[1.0]]).numpy()[0]
        degrees, orders = [a.numpy() for a in sh.generate_l_m_permutations(2)]
        expected = np.where(orders == 0, np.array([1.0, 2.0, 3.0])[degrees], 0.0)
        np.testing.assert_allclose(rotated, expected, atol=1e-7)

    def test_batched_zonal_coefficients_and_tiling(self):
        zonal = np.arange(6.0).reshape(2, 3)
        np.testing.assert_array_equal(sh.tile_zonal_coefficients([1.0, 2.0, 3.0]), [1, 2, 2, 2, 3, 3, 3, 3, 3])
        np.testing.assert_array_equal(sh.tile_zonal_coefficients(zonal)[1], [3, 4, 4, 4, 5, 5, 5, 5, 5])
        theta, phi = _angles(9, 2)
        batched = sh.rotate_zonal_harmonics(zonal, theta, phi)
        for i in range(2):
            np.testing.assert_allclose(batched[i], sh.rotate_zonal_harmonics(zonal[i], theta[i], phi[i]), rtol=1e-14)

    def test_clamped_cosine_coefficients_by_quadrature(self):
        directions, weights = ref.sphere_quadrature(200, 1)
        clamped = np.maximum(directions[:, 2], 0.0)
        zonal = sh.clamped_cosine_zonal_coefficients(8, tf.float64).numpy()
        for l in range(9):
            integral = np.sum(clamped * ref.real_spherical_harmonic(l, 0, np.arccos(directions[:, 2]), 0.0) * weights)
            assert abs(zonal[l] - integral) < 1e-4, l  # the kink at the equator limits the quadrature
        factors = zonal[:3] * np.sqrt(4.0 * np.pi / (2.0 * np.arange(3) + 1.0))
        np.testing.assert_allclose(factors, [np.pi, 2.0 * np.pi / 3.0, np.pi / 4.0], rtol=1e-15)

    def test_irradiance_from_radiance_coefficients(self):
        """E(n) = integration_product(rotated clamped cosine, radiance); exact for radiance in bands 0 to 2."""
        rng = np.random.default_rng(10)
        radiance = rng.normal(size=9)
        theta, phi = _angles(11, 6)
        kernel = sh.rotate_zonal_harmonics(sh.clamped_cosine_zonal_coefficients(2, tf.float64), theta, phi)
        irradiance = sh.integration_product(kernel, radiance).numpy()[:, 0]
        # ∫ L(ω) cos θ dω over each normal's hemisphere, by a quadrature in the normal's frame.
        local, weights = ref.hemisphere_quadrature(8, 16)
        for normal, value in zip(_direction(theta, phi), irradiance):
            tangent = ref.unit(np.cross(normal, [1.0, 0.0, 0.0] if abs(normal[0]) < 0.9 else [0.0, 1.0, 0.0]))
            frame = np.stack([tangent, np.cross(normal, tangent), normal])
            incoming = sh.evaluate_basis(local @ frame, 2).numpy() @ radiance
            assert abs(value - np.sum(incoming * local[:, 2] * weights)) < 1e-12
        constant = sh.integration_product(kernel, [1.0] + [0.0] * 8).numpy()
        np.testing.assert_allclose(constant, np.pi * 0.5 / np.sqrt(np.pi), rtol=1e-14)  # π L for L = Y_0^0


class TestProductsAndFits:
    def test_integration_product_by_quadrature(self):
        rng = np.random.default_rng(12)
        first, second = rng.normal(size=(2, 4, 16))
        directions, weights = ref.sphere_quadrature(16, 32)
        basis = sh.evaluate_basis(directions, 3).numpy()
        expected = np.sum((basis @ first.T) * (basis @ second.T) * weights[:, None], 0)
        np.testing.assert_allclose(sh.integration_product(first, second)[:, 0], expected, atol=1e-12)
        assert sh.integration_product(first, second, keepdims=False).shape == (4,)

    @all_dtypes
    def test_fit_recovers_band_limited_radiance(self, dtype):
        rng = np.random.default_rng(13)
        coefficients = rng.normal(size=(2, 3, 16))  # batch 2, RGB, bands 0 to 3
        directions = ref.random_unit(rng, (2, 60))
        radiance = np.einsum("anc,akc->ank", sh.evaluate_basis(directions, 3).numpy(), coefficients)
        fitted = sh.fit_coefficients(tf.constant(directions, dtype), tf.constant(radiance, dtype), 3)
        assert fitted.shape == (2, 3, 16) and fitted.dtype == dtype
        np.testing.assert_allclose(fitted, coefficients, atol=2e-4 if dtype == tf.float32 else 1e-9)

    def test_weighted_fit_is_the_projection_and_regularizer_shrinks(self):
        directions, weights = ref.sphere_quadrature(8, 16)
        rng = np.random.default_rng(14)
        radiance = np.exp(directions @ rng.normal(size=(3, 2)))  # not band-limited
        projection = (sh.evaluate_basis(directions, 2).numpy() * weights[:, None]).T @ radiance
        fitted = sh.fit_coefficients(directions, radiance, 2, weights=weights[:, None])
        np.testing.assert_allclose(fitted, projection.T, atol=1e-10)
        shrunk = sh.fit_coefficients(directions, radiance, 2, weights=weights[:, None], l2_regularizer=1.0)
        assert np.linalg.norm(shrunk) < np.linalg.norm(fitted)

    def test_too_few_samples_stay_finite(self):
        directions = ref.random_unit(np.random.default_rng(15), (3,))
        fitted = sh.fit_coefficients(directions.astype(np.float32), np.ones((3, 1), np.float32), 2)
        assert_all_finite(fitted)
        zero_weights = sh.fit_coefficients(directions, np.ones((3, 1)), 1, weights=np.zeros((3, 1)))
        np.testing.assert_array_equal(zero_weights, 0.0)

    def test_fit_jacobians(self):
        rng = np.random.default_rng(16)
        directions, radiance = ref.random_unit(rng, (20,)), rng.normal(size=(20, 2))
        weights = rng.uniform(0.5, 1.0, (20, 1))
        assert_jacobians_match_finite_differences(
            lambda d, r, w: sh.fit_coefficients(d, r, 2, weights=w, l2_regularizer=0.1), directions, radiance, weights
        )


# name -> (function of float tensors, example inputs for batch (n,))
def _cases(n, seed=0):
    rng = np.random.default_rng(seed)
    theta, phi = rng.uniform(0.1, 3.0, (n, 1)), rng.uniform(0.0, 6.0, (n, 1))
    degrees, orders = sh.generate_l_m_permutations(3)
    return {
        "evaluate_spherical_harmonics": (
            lambda t, p: sh.evaluate_spherical_harmonics(degrees, orders, t, p),
            [theta, phi],
        ),
        "evaluate_legendre_polynomial": (
            lambda x: sh.evaluate_legendre_polynomial(4, 1, x),
            [rng.uniform(-0.9, 0.9, (n,))],
        ),
        "evaluate_basis": (lambda d: sh.evaluate_basis(d, 3), [rng.normal(size=(n, 3))]),
        "rotate_zonal_harmonics": (sh.rotate_zonal_harmonics, [rng.normal(size=(n, 4)), theta, phi]),
        "tile_zonal_coefficients": (sh.tile_zonal_coefficients, [rng.normal(size=(n, 4))]),
        "integration_product": (sh.integration_product, [rng.normal(size=(n, 9)), rng.normal(size=(n, 9))]),
        "fit_coefficients": (
            lambda d, r: sh.fit_coefficients(d, r, 1, l2_regularizer=0.01),
            [rng.normal(size=(n, 6, 3)), rng.normal(size=(n, 6, 2))],
        ),
    }


@pytest.mark.parametrize("name", sorted(_cases(1)))
def test_graph_and_xla_match_eager(name):
    function, inputs = _cases(3)[name]
    for dtype in (tf.float32, tf.float64):
        tensors = [tf.constant(value, dtype) for value in inputs]
        expected = function(*tensors).numpy()
        assert function(*tensors).dtype == dtype
        signature = [tf.TensorSpec([None] + t.shape[1:].as_list(), dtype) for t in tensors]
        modes = {"graph": tf.function(function, input_signature=signature)}
        if dtype == tf.float32:
            modes["xla"] = tf.function(function, input_signature=signature, jit_compile=True)
        for mode, compiled in modes.items():
            message = f"{mode} {dtype.name}"
            np.testing.assert_allclose(compiled(*tensors), expected, rtol=1e-5, atol=1e-5, err_msg=message)


@pytest.mark.parametrize("name", sorted(_cases(1)))
def test_jacobians_match_finite_differences(name):
    function, inputs = _cases(2, seed=1)[name]
    assert_jacobians_match_finite_differences(function, *inputs, tolerance=1e-6)


class TestBadArguments:
    def test_harmonics_must_agree(self):
        with pytest.raises(ValueError, match=r"dimension C must agree: harmonics1 has C=9, harmonics2 has C=4"):
            sh.integration_product(np.ones(9), np.ones(4))

    def test_angles_and_degrees(self):
        degrees, orders = sh.generate_l_m_permutations(1)
        with pytest.raises(ValueError, match=r"^theta must have shape \[A1, \.\.\., An, 1\], got \[3, 2\]$"):
            sh.evaluate_spherical_harmonics(degrees, orders, np.ones((3, 2)), np.ones((3, 1)))
        with pytest.raises(ValueError, match=r"dimension C must agree: degree_l has C=4, order_m has C=3"):
            sh.evaluate_spherical_harmonics(degrees, orders[:3], np.ones((3, 1)), np.ones((3, 1)))
        with pytest.raises(TypeError, match=r"^degree_l must have an integer dtype, got float32$"):
            sh.evaluate_spherical_harmonics(tf.cast(degrees, tf.float32), orders, np.ones((3, 1)), np.ones((3, 1)))
        with pytest.raises(ValueError, match=r"batch dimensions .* of degree_l and order_m and x"):
            sh.evaluate_legendre_polynomial(np.ones(3, np.int32), np.ones(3, np.int32), np.ones(4))

    def test_directions_and_fits(self):
        with pytest.raises(ValueError, match=r"^direction must have shape \[A1, \.\.\., An, 3\], got \[5, 2\]$"):
            sh.evaluate_basis(np.ones((5, 2)), 2)
        with pytest.raises(ValueError, match=r"dimension N must agree: direction has N=5, radiance has N=4"):
            sh.fit_coefficients(np.ones((5, 3)), np.ones((4, 3)), 1)
        with pytest.raises(ValueError, match=r"^weights must have shape \[A1, \.\.\., An, N, 1\], got \[5\]$"):
            sh.fit_coefficients(np.ones((5, 3)), np.ones((5, 3)), 1, weights=np.ones(5))

    def test_number_of_bands_must_be_static(self):
        graph = tf.function(sh.tile_zonal_coefficients, input_signature=[tf.TensorSpec([None])])
        with pytest.raises(ValueError, match=r"coefficients must have a statically known last dimension"):
            graph.get_concrete_function()

    def test_run_time_shape_errors_name_the_argument(self):
        graph = tf.function(sh.integration_product, input_signature=[tf.TensorSpec([None, None])] * 2)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"dimension C of harmonics1, harmonics2 must agree"):
            graph(tf.ones([2, 9]), tf.ones([2, 4]))


nonzero_directions = hnp.arrays(np.float64, (16, 3), elements=st.floats(-1, 1)).map(
    lambda array: np.where(np.linalg.norm(array, axis=-1, keepdims=True) > 1e-3, array, [0.0, 0.0, 1.0])
)


@settings(max_examples=25, deadline=None)
@given(nonzero_directions, nonzero_directions)
def test_addition_theorem(first, second):
    """Σ_m Y_l^m(a) Y_l^m(b) = (2l + 1) / 4π P_l(a · b): the basis of each band is rotation invariant."""
    basis_first, basis_second = sh.evaluate_basis(first, MAX_BAND).numpy(), sh.evaluate_basis(second, MAX_BAND).numpy()
    cosine = np.clip(np.sum(ref.unit(first) * ref.unit(second), -1), -1.0, 1.0)
    for l in range(MAX_BAND + 1):
        band = slice(l * l, (l + 1) * (l + 1))
        expected = (2 * l + 1) / (4.0 * np.pi) * lpmv(0, l, cosine)
        np.testing.assert_allclose(np.sum(basis_first[:, band] * basis_second[:, band], -1), expected, atol=1e-12)

"""ray_density.compute_density and ray_radiance.compute_radiance: NeRF's quadrature along rays."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.rendering.volumetric import ray_density, ray_radiance
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.testing import (
    all_dtypes,
    assert_all_finite,
    assert_jacobians_match_finite_differences,
    assert_longer_last_axis_is_named,
    weighted_gradients,
)


def reference(rgba, distances):
    """NeRF's formulas in float64, with products of (1 - alpha)."""
    rgba, distances = np.asarray(rgba, np.float64), np.asarray(distances, np.float64)
    alpha = 1.0 - np.exp(-rgba[..., 3] * distances)
    transmittance = np.cumprod(np.concatenate([np.ones_like(alpha[..., :1]), 1.0 - alpha[..., :-1]], -1), -1)
    weights = alpha * transmittance
    return (weights[..., None] * rgba[..., :3]).sum(-2), weights.sum(-1, keepdims=True), weights


def random_rays(rng, batch, samples):
    rgba = np.concatenate([rng.uniform(size=batch + (samples, 3)), rng.exponential(size=batch + (samples, 1))], -1)
    return rgba, rng.uniform(0.05, 0.5, size=batch + (samples,))


def test_tensorflow_graphics_signatures():
    assert list(inspect.signature(ray_radiance.compute_radiance).parameters) == ["rgba_values", "distances", "name"]
    assert list(inspect.signature(ray_density.compute_density).parameters) == ["density_values", "distances", "name"]


@all_dtypes
def test_values_match_the_float64_reference(dtype):
    rgba, distances = random_rays(np.random.default_rng(0), (2, 3), 16)
    rgb, alpha, weights = ray_radiance.compute_radiance(tf.constant(rgba, dtype), tf.constant(distances, dtype))
    expected = reference(rgba, distances)
    for got, want in zip((rgb, alpha, weights), expected):
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == tf.float32 else 1e-12, atol=1e-7)
    density_alpha, density_weights = ray_density.compute_density(
        tf.constant(rgba[..., 3:], dtype), tf.constant(distances, dtype)
    )
    np.testing.assert_array_equal(density_alpha, alpha)
    np.testing.assert_array_equal(density_weights, weights)
    # The opacity is the sum of the weights.
    np.testing.assert_allclose(alpha[..., 0], tf.reduce_sum(weights, -1), rtol=1e-5)


def test_an_opaque_sample_hides_what_is_behind_it():
    rgba = np.array([[0.2, 0.3, 0.4, 0.0], [1.0, 0.0, 0.0, 1e4], [0.0, 1.0, 0.0, 1e4], [0.0, 0.0, 1.0, 5.0]])
    rgb, alpha, weights = ray_radiance.compute_radiance(tf.constant(rgba), tf.fill([4], tf.constant(0.1, tf.float64)))
    np.testing.assert_allclose(rgb, [1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(alpha, [1.0], atol=1e-12)
    np.testing.assert_allclose(weights, [0.0, 1.0, 0.0, 0.0], atol=1e-12)


def test_empty_space_and_empty_rays():
    rgb, alpha, weights = ray_radiance.compute_radiance(tf.zeros([5, 8, 4]), tf.ones([5, 8]))
    assert np.all(rgb.numpy() == 0) and np.all(alpha.numpy() == 0) and np.all(weights.numpy() == 0)
    rgb, alpha, weights = ray_radiance.compute_radiance(tf.zeros([5, 0, 4]), tf.zeros([5, 0]))
    assert rgb.shape == (5, 3) and alpha.shape == (5, 1) and weights.shape == (5, 0)
    assert np.all(alpha.numpy() == 0)


def test_small_opacities_keep_their_precision_in_float32():
    """alpha = 1 - exp(-1e-9) is 1e-9, not 0 (TensorFlow Graphics' 1 - exp in float32 gives 0)."""
    alpha, weights = ray_density.compute_density(tf.constant([[1e-9]], tf.float32), tf.constant([1.0], tf.float32))
    np.testing.assert_allclose(alpha, [1e-9], rtol=1e-6)
    np.testing.assert_allclose(weights, [1e-9], rtol=1e-6)


def test_jacobians_match_finite_differences():
    rgba, distances = random_rays(np.random.default_rng(1), (2,), 6)
    assert_jacobians_match_finite_differences(lambda r, d: ray_radiance.compute_radiance(r, d), rgba, distances)


@pytest.mark.parametrize("density", [0.0, 1e-12, 1e3, 1e8])
def test_gradients_are_finite_at_extreme_densities_and_zero_distances(density):
    for dtype in (tf.float32, tf.float64):
        rgba = tf.constant(np.concatenate([np.full((2, 5, 3), 0.5), np.full((2, 5, 1), density)], -1), dtype)
        distances = tf.constant([[0.0, 0.1, 0.0, 1.0, 1e10]] * 2, dtype)
        gradients = weighted_gradients(ray_radiance.compute_radiance, rgba, distances)
        assert_all_finite(*ray_radiance.compute_radiance(rgba, distances), *gradients)


def test_gradient_behind_an_opaque_sample_is_exactly_zero():
    rgba = tf.constant([[0.0, 0.0, 0.0, 1e4], [0.3, 0.6, 0.9, 2.0]], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(rgba)
        rgb, _, _ = ray_radiance.compute_radiance(rgba, tf.constant([1.0, 1.0], tf.float64))
        total = tf.reduce_sum(rgb)
    gradient = tape.gradient(total, rgba).numpy()
    assert np.all(gradient[1] == 0) and np.all(np.isfinite(gradient))


def test_batches_broadcast():
    rgba, distances = random_rays(np.random.default_rng(2), (3, 1), 4)
    rgb, _, _ = ray_radiance.compute_radiance(rgba, np.broadcast_to(distances, (3, 2, 4)))
    assert rgb.shape == (3, 2, 3)


@all_dtypes
def test_graph_and_xla_match_eager(dtype):
    rgba, distances = random_rays(np.random.default_rng(3), (4,), 8)
    inputs = [tf.constant(rgba, dtype), tf.constant(distances, dtype)]
    assert_modes_match_eager(ray_radiance.compute_radiance, inputs, [2, 1])
    assert_modes_match_eager(ray_density.compute_density, [inputs[0][..., 3:], inputs[1]], [2, 1])


def test_bad_shapes_and_dtypes_name_the_argument():
    rgba, distances = random_rays(np.random.default_rng(4), (2,), 5)
    assert_longer_last_axis_is_named(ray_radiance.compute_radiance, [rgba, distances], 0, "rgba_values")
    assert_longer_last_axis_is_named(ray_density.compute_density, [rgba[..., 3:], distances], 0, "density_values")
    with pytest.raises(ValueError, match="distances"):
        ray_radiance.compute_radiance(rgba, distances[..., :4])
    with pytest.raises(TypeError, match="distances"):
        ray_radiance.compute_radiance(tf.constant(rgba, tf.float32), tf.constant(distances, tf.float64))

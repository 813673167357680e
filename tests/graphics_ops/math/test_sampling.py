"""graphics_ops.math.sampling: interval samplers and inverse transform sampling of bins."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.math import sampling
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.testing import all_dtypes, assert_all_finite, assert_jacobians_match_finite_differences

SEED = [3, 4]
INTERVAL = ["near", "far", "num_samples"]
TFG_API = {
    sampling.regular_1d: INTERVAL,
    sampling.regular_inverse_1d: INTERVAL,
    sampling.uniform_1d: INTERVAL,
    sampling.stratified_1d: INTERVAL,
    sampling.logspace_1d: INTERVAL + ["base"],
    sampling.geomspace_1d: INTERVAL,
    sampling.stratified_geomspace_1d: INTERVAL,
    sampling.inverse_transform_sampling_1d: ["bins", "pdf", "num_samples"],
    sampling.inverse_transform_stratified_1d: ["bin_start", "bin_width", "pdf", "num_samples"],
}
RANDOM = (sampling.uniform_1d, sampling.stratified_1d, sampling.stratified_geomspace_1d)


def test_tensorflow_graphics_arguments_come_first():
    assert set(sampling.__all__) == {function.__name__ for function in TFG_API}
    for function, arguments in TFG_API.items():
        parameters = list(inspect.signature(function).parameters)
        assert parameters[: len(arguments) + 1] == arguments + ["name"], function.__name__


@all_dtypes
def test_regular_samplers_match_numpy(dtype):
    near, far = np.array([[0.5, 1.0], [2.0, 0.1]]), np.array([[4.0, 3.0], [2.5, 10.0]])
    near_t, far_t = tf.constant(near, dtype), tf.constant(far, dtype)
    rtol = 1e-6 if dtype == tf.float32 else 1e-14
    expected = np.linspace(near, far, 7, axis=-1)
    np.testing.assert_allclose(sampling.regular_1d(near_t, far_t, 7), expected, rtol=rtol)
    np.testing.assert_allclose(
        sampling.regular_inverse_1d(near_t, far_t, 7), 1.0 / np.linspace(1 / near, 1 / far, 7, axis=-1), rtol=rtol * 4
    )
    np.testing.assert_allclose(sampling.logspace_1d(near_t, far_t, 7, base=2.0), 2.0**expected, rtol=rtol * 16)
    geometric = sampling.geomspace_1d(near_t, far_t, 7)
    np.testing.assert_allclose(geometric, np.geomspace(near, far, 7, axis=-1), rtol=rtol * 8)
    np.testing.assert_array_equal(geometric[..., 0], near_t)
    np.testing.assert_array_equal(geometric[..., -1], far_t)
    for function in (sampling.regular_1d, sampling.geomspace_1d, sampling.regular_inverse_1d):
        single = function(near_t, far_t, 1)
        assert single.shape == (2, 2, 1) and single.dtype == dtype
        np.testing.assert_allclose(single[..., 0], near, rtol=rtol)


def test_regular_inverse_from_zero_is_finite():
    """1 / linspace(1 / 0, 1 / far) (TensorFlow Graphics) is nan; the limit is 0 then far."""
    near, far = tf.constant([0.0], tf.float64), tf.constant([2.0], tf.float64)
    np.testing.assert_array_equal(sampling.regular_inverse_1d(near, far, 4), [[0.0, 0.0, 0.0, 2.0]])
    with tf.GradientTape() as tape:
        tape.watch([near, far])
        total = tf.reduce_sum(sampling.regular_inverse_1d(near, far, 4))
    assert_all_finite(*tape.gradient(total, [near, far]))


@pytest.mark.parametrize("function", RANDOM, ids=lambda f: f.__name__)
def test_random_samplers_are_sorted_within_the_interval_and_seeded(function):
    near, far = tf.fill([500], 1.0), tf.fill([500], 5.0)
    samples = function(near, far, 16, seed=SEED).numpy()
    assert samples.shape == (500, 16)
    assert np.all(samples >= 1.0) and np.all(samples < 5.0)
    assert np.all(np.diff(samples, axis=-1) >= 0)
    np.testing.assert_array_equal(function(near, far, 16, seed=SEED), samples)
    assert not np.array_equal(function(near, far, 16, seed=[5, 6]), samples)
    assert function(near, far, 16).shape == (500, 16)  # stateful


def test_stratified_samples_fill_their_bins_uniformly():
    samples = sampling.stratified_1d(np.zeros(4000), np.full(4000, 8.0), 4, seed=SEED).numpy()
    bins = np.floor(samples / 2.0)
    np.testing.assert_array_equal(bins, np.broadcast_to(np.arange(4), samples.shape))
    np.testing.assert_allclose((samples - 2.0 * bins).mean(axis=0), 1.0, atol=0.05)
    geometric = sampling.stratified_geomspace_1d(tf.fill([4000], 1.0), tf.fill([4000], 16.0), 4, seed=SEED).numpy()
    np.testing.assert_array_equal(np.floor(np.log2(geometric)), np.broadcast_to(np.arange(4), geometric.shape))


def test_uniform_samples_have_the_uniform_distribution():
    samples = sampling.uniform_1d(tf.constant([2.0]), tf.constant([4.0]), 20000, seed=SEED).numpy().ravel()
    histogram, _ = np.histogram(samples, bins=10, range=(2.0, 4.0))
    np.testing.assert_allclose(histogram / samples.size, 0.1, atol=0.01)


def test_interval_samplers_are_differentiable_in_near_and_far():
    near, far = np.array([0.5, 1.0]), np.array([3.0, 2.0])
    for function in (sampling.regular_1d, sampling.regular_inverse_1d, sampling.geomspace_1d, sampling.logspace_1d):
        assert_jacobians_match_finite_differences(lambda a, b: function(a, b, 5), near, far)
    # A random sample s = near + f (far - near) for a fixed fraction f: ds/dnear = 1 - f, ds/dfar = f.
    near, far = tf.constant(near), tf.constant(far)
    for function in (sampling.uniform_1d, sampling.stratified_1d):
        fractions = ((function(near, far, 5, seed=SEED) - near[:, None]) / (far - near)[:, None]).numpy()
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([near, far])
            samples = function(near, far, 5, seed=SEED)
            first, last = tf.reduce_sum(samples[:, 0]), tf.reduce_sum(samples[:, -1])
        for total, column in ((first, 0), (last, -1)):
            np.testing.assert_allclose(tape.gradient(total, near), 1.0 - fractions[:, column], rtol=1e-12)
            np.testing.assert_allclose(tape.gradient(total, far), fractions[:, column], rtol=1e-12)


@all_dtypes
def test_inverse_transform_sampling_follows_the_pdf(dtype):
    bins = tf.constant([[0.0, 1.0, 2.0, 3.0]], dtype)
    pdf = tf.constant([[1.0, 0.0, 2.0, 1.0]], dtype)  # the last bin counts (TensorFlow Graphics drops it)
    samples = sampling.inverse_transform_sampling_1d(bins, pdf, 40000, seed=SEED).numpy()
    assert samples.shape == (1, 40000) and samples.dtype == dtype.as_numpy_dtype
    frequencies = np.bincount(samples.astype(int).ravel(), minlength=4) / samples.size
    np.testing.assert_allclose(frequencies, [0.25, 0.0, 0.5, 0.25], atol=0.01)
    assert frequencies[1] == 0.0


def test_inverse_transform_stratified_has_the_piecewise_constant_density():
    start, width = tf.constant([[0.0, 1.0, 3.0]]), tf.constant([[1.0, 2.0, 1.0]])
    pdf = tf.constant([[2.0, 0.0, 6.0]])
    samples = sampling.inverse_transform_stratified_1d(start, width, pdf, 40000, seed=SEED).numpy().ravel()
    assert np.all((samples >= 0.0) & (samples <= 4.0)) and not np.any((samples > 1.0) & (samples < 3.0))
    histogram, _ = np.histogram(samples, bins=8, range=(0.0, 4.0))
    np.testing.assert_allclose(histogram / samples.size, [0.125, 0.125, 0, 0, 0, 0, 0.375, 0.375], atol=0.01)


@pytest.mark.parametrize("pdf", [[0.0, 0.0, 0.0, 0.0], [-1.0, 0.0, -2.0, 0.0]])
def test_an_empty_or_negative_pdf_is_sampled_uniformly(pdf):
    start = tf.constant([0.0, 1.0, 2.0, 3.0])
    samples = sampling.inverse_transform_stratified_1d(start, tf.ones([4]), pdf, 20000, seed=SEED).numpy()
    histogram, _ = np.histogram(samples, bins=4, range=(0.0, 4.0))
    np.testing.assert_allclose(histogram / samples.size, 0.25, atol=0.01)
    chosen = sampling.inverse_transform_sampling_1d(start, pdf, 20000, seed=SEED).numpy()
    np.testing.assert_allclose(np.bincount(chosen.astype(int), minlength=4) / chosen.size, 0.25, atol=0.01)


def test_inverse_transform_stratified_is_differentiable_in_the_bins():
    """A sample s = start_i + f width_i in bin i: d sum(s) / d start_i counts the samples in bin i,
    d sum(s) / d width_i sums their fractions f."""
    start, width = tf.constant([0.0, 1.0, 3.0], tf.float64), tf.constant([1.0, 2.0, 1.0], tf.float64)
    pdf = tf.constant([1.0, 2.0, 3.0], tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([start, width])
        samples = sampling.inverse_transform_stratified_1d(start, width, pdf, 50, seed=SEED)
        total = tf.reduce_sum(samples)
    samples = samples.numpy()
    bins = np.searchsorted([1.0, 3.0], samples, side="right")
    fractions = (samples - start.numpy()[bins]) / width.numpy()[bins]
    np.testing.assert_allclose(tape.gradient(total, start), np.bincount(bins, minlength=3))
    np.testing.assert_allclose(tape.gradient(total, width), np.bincount(bins, fractions, minlength=3), rtol=1e-12)


@all_dtypes
def test_graph_and_xla_match_eager(dtype):
    rng = np.random.default_rng(0)
    near, far = tf.constant(rng.uniform(0.5, 1, (3, 2)), dtype), tf.constant(rng.uniform(2, 4, (3, 2)), dtype)

    def interval(a, b):
        regular = [sampling.regular_1d(a, b, 4), sampling.regular_inverse_1d(a, b, 4), sampling.geomspace_1d(a, b, 5)]
        return regular + [sampling.logspace_1d(a, b, 3)] + [function(a, b, 5, seed=SEED) for function in RANDOM]

    assert_modes_match_eager(interval, [near, far], [0, 0])
    bins, pdf = tf.constant(rng.uniform(size=(3, 6)), dtype), tf.constant(rng.uniform(size=(3, 6)), dtype)

    def inverse(b, p):
        return (
            sampling.inverse_transform_sampling_1d(b, p, 7, seed=SEED),
            sampling.inverse_transform_stratified_1d(b, b, p, 7, seed=SEED),
        )

    assert_modes_match_eager(inverse, [bins, pdf], [1, 1])


def test_batches_broadcast():
    assert sampling.regular_1d(tf.zeros([3, 1]), tf.ones([4]), 5).shape == (3, 4, 5)
    assert sampling.stratified_1d(tf.zeros([3, 1]), tf.ones([4]), 5, seed=SEED).shape == (3, 4, 5)
    assert sampling.inverse_transform_sampling_1d(tf.zeros([2, 1, 4]), tf.ones([3, 4]), 5).shape == (2, 3, 5)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="near"):
        sampling.regular_1d(tf.zeros([3]), tf.ones([4]), 5)
    with pytest.raises(ValueError, match="num_samples"):
        sampling.stratified_1d(0.0, 1.0, 0)
    with pytest.raises(TypeError, match="far"):
        sampling.uniform_1d(tf.zeros([2], tf.float32), tf.ones([2], tf.float64), 3)
    with pytest.raises(ValueError, match="dimension M"):
        sampling.inverse_transform_sampling_1d(tf.zeros([4]), tf.ones([5]), 3)
    with pytest.raises(ValueError, match="bin_width"):
        sampling.inverse_transform_stratified_1d(tf.zeros([4]), tf.ones([2, 4]), tf.ones([3, 4]), 3)

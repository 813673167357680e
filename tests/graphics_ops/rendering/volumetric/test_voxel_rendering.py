"""absorption, emission_absorption and visual_hull: projections of voxel grids along an axis."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.rendering import volumetric
from graphics_ops.rendering.volumetric import _voxels, absorption, emission_absorption, visual_hull
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.testing import (
    all_dtypes,
    assert_all_finite,
    assert_jacobians_match_finite_differences,
    weighted_gradients,
)

RENDERERS = {
    "absorption": absorption.render,
    "emission_absorption": emission_absorption.render,
    "visual_hull": visual_hull.render,
}


def reference_over(voxels, factor, cell_size, axis):
    """Front-to-back "over" compositing in float64, one voxel at a time, back to front."""
    voxels = np.moveaxis(np.asarray(voxels, np.float64), axis - 4, -2)
    signal, density = voxels[..., :-1], voxels[..., -1:]
    opacity = np.clip(density * factor / cell_size, 0.0, 1.0)
    color = np.zeros(signal.shape[:-2] + signal.shape[-1:])
    alpha = np.zeros(color.shape[:-1] + (1,))
    for index in reversed(range(voxels.shape[-2])):
        color = opacity[..., index, :] * signal[..., index, :] + (1.0 - opacity[..., index, :]) * color
        alpha = opacity[..., index, :] + (1.0 - opacity[..., index, :]) * alpha
    return np.concatenate([color, alpha], -1)


def random_voxels(rng, shape=(2, 3, 4, 5, 4)):
    return rng.uniform(0.0, 3.0, size=shape)


def test_tensorflow_graphics_signatures_and_exports():
    modules = {"absorption", "emission_absorption", "ray_density", "ray_radiance", "visual_hull"}
    assert set(volumetric.__all__) == modules
    arguments = ["voxels", "absorption_factor", "cell_size", "axis", "name"]
    assert list(inspect.signature(absorption.render).parameters) == arguments
    assert list(inspect.signature(emission_absorption.render).parameters) == arguments
    assert list(inspect.signature(visual_hull.render).parameters) == ["voxels", "axis", "name"]


@all_dtypes
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_emission_absorption_is_front_to_back_over_compositing(dtype, axis):
    voxels = random_voxels(np.random.default_rng(axis))
    image = emission_absorption.render(tf.constant(voxels, dtype), absorption_factor=0.3, cell_size=0.9, axis=axis)
    expected = reference_over(voxels, 0.3, 0.9, axis)
    assert image.dtype == dtype and image.shape == expected.shape
    np.testing.assert_allclose(image, expected, rtol=1e-5 if dtype == tf.float32 else 1e-12, atol=1e-6)


def test_an_opaque_voxel_in_front_shows_its_own_colour():
    """TensorFlow Graphics renders this pixel black: it gives an opaque voxel the weight 0."""
    voxels = np.zeros((1, 1, 3, 4))
    voxels[0, 0, 0] = [1.0, 0.0, 0.0, 10.0]  # red, opaque (opacity clipped to 1)
    voxels[0, 0, 1] = [0.0, 1.0, 0.0, 5.0]
    image = emission_absorption.render(voxels, absorption_factor=0.1)
    np.testing.assert_allclose(image, [[[1.0, 0.0, 0.0, 1.0]]])


def test_absorption_and_visual_hull_values():
    rng = np.random.default_rng(5)
    voxels = random_voxels(rng)
    for axis in (0, 1, 2):
        moved = np.moveaxis(voxels, axis - 4, -2)
        expected = 1.0 - np.prod(np.clip(1.0 - 0.2 * moved / 0.5, 0.0, 1.0), axis=-2)
        np.testing.assert_allclose(absorption.render(voxels, 0.2, 0.5, axis), expected, rtol=1e-12)
        np.testing.assert_allclose(visual_hull.render(voxels, axis), 1.0 - np.exp(-moved.sum(-2)), rtol=1e-12)
    # Opaque voxels absorb everything (TensorFlow Graphics lets 1e-6 through each).
    np.testing.assert_array_equal(absorption.render(np.full((1, 1, 2, 1), 20.0), 0.1), [[[1.0]]])
    np.testing.assert_array_equal(visual_hull.render(np.zeros((2, 2, 2, 1))), np.zeros((2, 2, 1)))


def test_exclusive_cumprod_gradient_is_exact_at_zeros():
    """The products are polynomials, so central differences are exact even where factors are 0."""
    for values in ([0.5, 0.0, 0.7, 0.0, 0.3], [0.0, 0.0, 0.2, 0.9], [0.4, 0.8, 0.6, 0.0], [0.3, 0.5, 0.2, 0.7]):
        x = np.array([values, values[::-1]])
        assert_jacobians_match_finite_differences(lambda v: _voxels.exclusive_cumprod(v, -1), x, tolerance=1e-8)
        # Along another axis too.
        assert_jacobians_match_finite_differences(lambda v: _voxels.exclusive_cumprod(v, -2), x.T, tolerance=1e-8)
    # d/dx of 1 + x0 + x0 x1 + x0 x1 x2 at (1, 0, 0, 0.5) is (1, 1, 0, 0); tf.math.cumprod's is not.
    x = tf.constant([1.0, 0.0, 0.0, 0.5])
    for function, exact in ((_voxels.exclusive_cumprod, True), (tf.math.cumprod, False)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(function(x, -1) if exact else function(x, exclusive=True))
        assert np.array_equal(tape.gradient(total, x), [1.0, 1.0, 0.0, 0.0]) == exact


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_jacobians_match_finite_differences(name):
    rng = np.random.default_rng(6)
    voxels = rng.uniform(0.2, 2.0, size=(2, 3, 2, 3, 3))  # opacities inside (0, 1): away from the clip
    function = RENDERERS[name]
    assert_jacobians_match_finite_differences(lambda v: function(v, axis=1), voxels)


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_gradients_are_finite_for_opaque_and_empty_voxels(name):
    voxels = np.zeros((2, 2, 4, 2))
    voxels[0, :, 1] = 10.0  # opacity exactly 1 through the clip
    voxels[1, :, :, 1] = 1.0 / 0.1  # opacity exactly 1 before the clip
    for dtype in (tf.float32, tf.float64):
        tensor = tf.constant(voxels, dtype)
        assert_all_finite(RENDERERS[name](tensor), *weighted_gradients(RENDERERS[name], tensor))


@all_dtypes
@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_graph_and_xla_match_eager(name, dtype):
    voxels = tf.constant(random_voxels(np.random.default_rng(7)), dtype)
    function = RENDERERS[name]
    assert_modes_match_eager(lambda v: (function(v, axis=0), function(v, axis=2)), [voxels], [4])


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_bad_arguments_are_named(name):
    with pytest.raises(ValueError, match="voxels"):
        RENDERERS[name](np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="axis"):
        RENDERERS[name](np.zeros((3, 3, 3, 1)), axis=3)
    with pytest.raises(TypeError, match="voxels"):
        RENDERERS[name](tf.zeros((3, 3, 3, 1), tf.int32))

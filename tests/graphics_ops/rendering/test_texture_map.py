"""rendering.texture.sample_texture and texture_map.map_texture: conventions, tiling, gradients, shapes."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from graphics_ops.rendering.texture import sample_texture, texture_map
from tests.graphics_ops.testing import all_dtypes, assert_jacobians_match_finite_differences


def reference_bilinear(image, u, v, tiling):
    """Float64 bilinear lookup at one UV, texel (i, j) centred at ((j + 0.5) / Wt, 1 - (i + 0.5) / Ht)."""
    height, width = image.shape[:2]
    column, row = u * width - 0.5, (1 - v) * height - 0.5
    j0, i0 = int(np.floor(column)), int(np.floor(row))
    a, b = column - j0, row - i0

    def texel(i, j):
        if tiling:
            return image[i % height, j % width]
        return image[min(max(i, 0), height - 1), min(max(j, 0), width - 1)]

    top = (1 - a) * texel(i0, j0) + a * texel(i0, j0 + 1)
    bottom = (1 - a) * texel(i0 + 1, j0) + a * texel(i0 + 1, j0 + 1)
    return (1 - b) * top + b * bottom


def test_signature_is_tensorflow_graphics():
    parameters = list(inspect.signature(texture_map.map_texture).parameters)
    assert parameters == ["uv_map", "texture_image", "tiling", "interpolation_method", "name"]


def test_tensorflow_graphics_example_texel_centres():
    # A [[1, 2], [3, 4]] texture: 1, 2, 3, 4 sit at (0.25, 0.75), (0.75, 0.75), (0.25, 0.25), (0.75, 0.25).
    texture = np.array([[1.0, 2.0], [3.0, 4.0]])[..., None]
    uv = np.array([[[0.25, 0.75], [0.75, 0.75]], [[0.25, 0.25], [0.75, 0.25]]])
    np.testing.assert_allclose(texture_map.map_texture(uv, texture)[..., 0], [[1, 2], [3, 4]], atol=1e-12)
    np.testing.assert_allclose(texture_map.map_texture([[[0.5, 0.5]]], texture)[..., 0], [[2.5]], atol=1e-12)


@all_dtypes
@pytest.mark.parametrize("tiling", [False, True])
def test_bilinear_matches_float64_reference(tiling, dtype):
    rng = np.random.default_rng(0)
    texture = rng.uniform(size=(5, 7, 3))
    uv = rng.uniform(-0.6, 1.6, size=(2, 4, 6, 2))
    result = texture_map.map_texture(tf.constant(uv, dtype), tf.constant(texture, dtype), tiling=tiling)
    assert result.shape == (2, 4, 6, 3) and result.dtype == dtype
    expected = np.array([reference_bilinear(texture, u, v, tiling) for u, v in uv.reshape(-1, 2)]).reshape(result.shape)
    np.testing.assert_allclose(result, expected, atol=1e-5 if dtype == tf.float32 else 1e-12)


def test_edges_clamp_instead_of_fading_to_zero():
    # TensorFlow Graphics read zeros outside the texture: a constant texture came out at 1/4 in a corner.
    texture = np.ones((4, 4, 1))
    np.testing.assert_allclose(texture_map.map_texture([[[0.0, 0.0], [1.0, 1.0]]], texture), np.ones((1, 2, 1)))


def test_tiling_repeats_the_texture_and_is_continuous_across_the_seam():
    rng = np.random.default_rng(1)
    texture = rng.uniform(size=(4, 4, 2))
    uv = rng.uniform(size=(3, 3, 2))
    shifted = uv + np.array([2.0, -1.0])
    np.testing.assert_allclose(
        texture_map.map_texture(shifted, texture, tiling=True),
        texture_map.map_texture(uv, texture, tiling=True),
        atol=1e-12,
    )
    seam = texture_map.map_texture([[[1.0, 0.5], [0.0, 0.5]]], texture, tiling=True)
    np.testing.assert_allclose(seam[0, 0], seam[0, 1], atol=1e-12)
    # u = 0 lies between the last and the first column, v = 0.5 between rows 1 and 2.
    np.testing.assert_allclose(seam[0, 0], 0.25 * (texture[1, 0] + texture[1, 3] + texture[2, 0] + texture[2, 3]))


def test_nearest_picks_the_texel_containing_the_point():
    texture = np.arange(12.0).reshape(3, 4, 1)
    uv = np.array([[[0.01, 0.99], [0.26, 0.99], [0.99, 0.01], [0.49, 0.5]]])
    result = texture_map.map_texture(uv, texture, interpolation_method="nearest")[..., 0]
    np.testing.assert_array_equal(result, [[0, 1, 11, 5]])


def test_jacobians_match_finite_differences():
    rng = np.random.default_rng(2)
    texture = rng.uniform(size=(5, 6, 2))
    uv = rng.uniform(0.15, 0.85, size=(3, 3, 2))
    # A leading copy axis makes these a batch of textures [B, Ht, Wt, C] and UVs [B, H, W, 2].
    assert_jacobians_match_finite_differences(sample_texture, texture, uv)
    tiled = rng.uniform(-0.9, 1.9, size=(3, 3, 2))
    assert_jacobians_match_finite_differences(lambda t, uv: sample_texture(t, uv, tiling=True), texture, tiled)


def test_batched_textures_and_rendering_export():
    rng = np.random.default_rng(3)
    textures = rng.uniform(size=(2, 4, 5, 3))
    uv = rng.uniform(size=(2, 3, 3, 2))
    batched = rendering.sample_texture(textures, uv)
    for index in range(2):
        np.testing.assert_allclose(batched[index], texture_map.map_texture(uv[index], textures[index]), atol=1e-12)


def test_tf_function_unknown_batch_and_jit_compile_match_eager():
    rng = np.random.default_rng(4)
    texture = rng.uniform(size=(4, 4, 3))
    uv = rng.uniform(-0.5, 1.5, size=(2, 3, 5, 2))
    for tiling in (False, True):
        function = lambda uv, texture, tiling=tiling: texture_map.map_texture(uv, texture, tiling)  # noqa: E731
        eager = function(uv, texture)
        signature = [tf.TensorSpec([None, None, None, 2], tf.float64), tf.TensorSpec([None, None, 3], tf.float64)]
        traced = tf.function(function, input_signature=signature)
        np.testing.assert_allclose(traced(uv, texture), eager, atol=1e-12)
        np.testing.assert_allclose(tf.function(function, jit_compile=True)(uv, texture), eager, atol=1e-12)


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="uv_map"):
        texture_map.map_texture(np.zeros((4, 4, 3)), np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="uv_map"):
        texture_map.map_texture(np.zeros((4, 2)), np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="texture_image"):
        texture_map.map_texture(np.zeros((4, 4, 2)), np.zeros((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="interpolation_method"):
        texture_map.map_texture(np.zeros((4, 4, 2)), np.zeros((4, 4, 3)), interpolation_method="cubic")
    with pytest.raises(TypeError, match="uv_map"):
        texture_map.map_texture(tf.zeros((4, 4, 2), tf.float64), tf.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match=r"uv must have shape \[B, H, W, 2\]"):
        sample_texture(np.zeros((2, 4, 4, 3)), np.zeros((2, 4, 2)))

"""rendering.texture.mipmap.map_texture: level selection, box-filtered levels, gradients, shapes."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.rendering.texture import mipmap, texture_map
from tests.graphics_ops.testing import all_dtypes, assert_all_finite


def uv_grid(height, width, texels_per_pixel, texture_size, origin=(0.1, 0.2)):
    """A UV map `[H, W, 2]` that steps `texels_per_pixel` texels of a square texture per pixel."""
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    step = texels_per_pixel / texture_size
    return np.stack([origin[0] + columns * step, origin[1] + rows * step], -1)


def box_levels(texture, count):
    levels = [texture]
    for _ in range(count - 1):
        t = levels[-1]
        levels.append(0.25 * (t[0::2, 0::2] + t[1::2, 0::2] + t[0::2, 1::2] + t[1::2, 1::2]))
    return levels


def test_signature_is_tensorflow_graphics():
    parameters = list(inspect.signature(mipmap.map_texture).parameters)
    assert parameters == ["uv_map", "texture_image", "mipmap_images", "num_mipmap_levels", "tiling", "name"]


def test_tensorflow_graphics_example_from_levels_and_from_texture():
    texture = np.arange(1.0, 17.0).reshape(4, 4)
    texture = np.stack([texture, 10 * texture], -1)
    uv = np.array([[[[0.25, 0.25], [0.25, 0.75]], [[0.75, 0.25], [0.75, 0.75]]]])
    expected = [[[[11.5, 115], [3.5, 35]], [[13.5, 135], [5.5, 55]]]]
    np.testing.assert_allclose(mipmap.map_texture(uv, texture, num_mipmap_levels=2), expected, rtol=1e-6)
    levels = box_levels(texture, 2)
    np.testing.assert_allclose(mipmap.map_texture(uv, mipmap_images=levels), expected, rtol=1e-6)


@all_dtypes
@pytest.mark.parametrize("texels_per_pixel", [1.0, 2.0, 4.0, 2.8284271247461903])
def test_each_pixel_blends_the_levels_of_its_footprint(texels_per_pixel, dtype):
    rng = np.random.default_rng(0)
    texture = rng.uniform(size=(16, 16, 2))
    uv = uv_grid(5, 7, texels_per_pixel, 16)
    result = mipmap.map_texture(tf.constant(uv, dtype), tf.constant(texture, dtype), num_mipmap_levels=4)
    assert result.dtype == dtype and result.shape == (5, 7, 2)
    levels = box_levels(texture, 4)
    level = np.log2(texels_per_pixel)
    low = int(np.floor(level + 1e-9))
    fraction = level - low
    expected = (1 - fraction) * texture_map.map_texture(uv, levels[low])
    if fraction > 1e-9:
        expected += fraction * texture_map.map_texture(uv, levels[low + 1])
    np.testing.assert_allclose(result, expected, atol=1e-5 if dtype == tf.float32 else 1e-10)


def test_wide_uv_maps_and_the_last_row_and_column_are_filtered_too():
    # TensorFlow Graphics only worked for UV maps 1 or 2 pixels wide, and used level 0 at the
    # last row and column.
    texture = np.random.default_rng(1).uniform(size=(32, 32, 1))
    uv = uv_grid(6, 9, 4.0, 32)
    result = mipmap.map_texture(uv, texture, num_mipmap_levels=3)
    np.testing.assert_allclose(result, texture_map.map_texture(uv, box_levels(texture, 3)[2]), atol=1e-12)


def test_minified_checkerboard_averages_to_grey_instead_of_aliasing():
    checker = (np.add.outer(np.arange(64), np.arange(64)) % 2).astype(np.float64)[..., None]
    uv = uv_grid(8, 8, 8.0, 64, origin=(0.003, 0.01))
    plain = texture_map.map_texture(uv, checker).numpy()
    filtered = mipmap.map_texture(uv, checker, num_mipmap_levels=7).numpy()
    assert np.abs(plain - 0.5).max() > 0.1  # aliasing: every pixel sees the same few texels of one phase
    np.testing.assert_allclose(filtered, 0.5, atol=1e-9)


def test_levels_stop_at_one_texel_and_odd_sizes_work():
    texture = np.random.default_rng(2).uniform(size=(5, 3, 2))
    uv = uv_grid(3, 3, 100.0, 5)
    result = mipmap.map_texture(uv, texture, num_mipmap_levels=10)
    # The coarsest level (1 x 1) of a 5 x 3 texture, padded by repeating its last row and column.
    padded = np.concatenate([texture, texture[-1:]], 0)
    padded = np.concatenate([padded, padded[:, -1:]], 1)  # 6 x 4
    level1 = 0.25 * (padded[0::2, 0::2] + padded[1::2, 0::2] + padded[0::2, 1::2] + padded[1::2, 1::2])  # 3 x 2
    level1 = np.concatenate([level1, level1[-1:]], 0)  # 4 x 2
    level2 = 0.25 * (level1[0::2, 0::2] + level1[1::2, 0::2] + level1[0::2, 1::2] + level1[1::2, 1::2])  # 2 x 1
    level3 = 0.5 * (level2[0] + level2[1])
    np.testing.assert_allclose(result, np.broadcast_to(level3, result.shape), atol=1e-12)


def test_gradients_reach_the_texture_and_uv_and_are_finite():
    rng = np.random.default_rng(3)
    texture = tf.constant(rng.uniform(size=(8, 8, 3)))
    uv = tf.constant(uv_grid(4, 4, 1.5, 8))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([texture, uv])
        result = tf.reduce_sum(mipmap.map_texture(uv, texture, num_mipmap_levels=3) ** 2)
    texture_gradient, uv_gradient = tape.gradient(result, [texture, uv])
    assert_all_finite(texture_gradient, uv_gradient)
    assert np.abs(texture_gradient).sum() > 0 and np.abs(uv_gradient).sum() > 0
    # Against finite differences of the texture (the level choice does not depend on it).
    direction = rng.normal(size=(8, 8, 3))
    eps = 1e-6
    plus = tf.reduce_sum(mipmap.map_texture(uv, texture + eps * direction, num_mipmap_levels=3) ** 2)
    minus = tf.reduce_sum(mipmap.map_texture(uv, texture - eps * direction, num_mipmap_levels=3) ** 2)
    np.testing.assert_allclose(np.sum(texture_gradient * direction), (plus - minus) / (2 * eps), rtol=1e-6)


def test_tf_function_and_jit_compile_match_eager():
    rng = np.random.default_rng(4)
    texture = rng.uniform(size=(16, 16, 3))
    uv = np.stack([uv_grid(4, 5, 2.5, 16), uv_grid(4, 5, 0.5, 16)])
    for tiling in (False, True):

        def function(uv, tiling=tiling):
            return mipmap.map_texture(uv, texture, num_mipmap_levels=4, tiling=tiling)

        eager = function(uv)
        traced = tf.function(function, input_signature=[tf.TensorSpec([None, None, None, 2], tf.float64)])(uv)
        compiled = tf.function(function, jit_compile=True)(uv)
        np.testing.assert_allclose(traced, eager, atol=1e-12)
        np.testing.assert_allclose(compiled, eager, atol=1e-12)


def test_bad_inputs_name_the_argument():
    texture = np.zeros((4, 4, 3))
    with pytest.raises(ValueError, match="texture_image or mipmap_images"):
        mipmap.map_texture(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="uv_map"):
        mipmap.map_texture(np.zeros((2, 2, 3)), texture)
    with pytest.raises(ValueError, match="texture_image"):
        mipmap.map_texture(np.zeros((2, 2, 2)), np.zeros((1, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"mipmap_images\[1\]"):
        mipmap.map_texture(np.zeros((2, 2, 2)), mipmap_images=[texture, np.zeros((2, 2, 2))])
    with pytest.raises(ValueError, match="num_mipmap_levels"):
        mipmap.map_texture(np.zeros((2, 2, 2)), texture, num_mipmap_levels=0)

"""rendering.barycentrics.differentiable_barycentrics: values, Jacobians for fixed triangle ids, layers, shapes."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from graphics_ops.rendering import barycentrics
from tests.graphics_ops.rendering.rendering_testing import random_scene, reference_rasterize
from tests.graphics_ops.testing import assert_all_finite, assert_jacobians_match_finite_differences

HEIGHT, WIDTH = 10, 12


def scene(seed, batch=2):
    return random_scene(np.random.default_rng(seed), batch=batch, vertex_count=10, face_count=6)


def test_signature_is_tensorflow_graphics():
    parameters = list(inspect.signature(barycentrics.differentiable_barycentrics).parameters)
    assert parameters[:3] == ["framebuffer", "clip_space_vertices", "triangles"]


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_the_float64_reference_for_the_given_ids(seed):
    clip, faces = scene(seed)
    ids, expected_barycentrics, expected_depth, ambiguous = reference_rasterize(clip, faces, HEIGHT, WIDTH)
    framebuffer = rendering.Rasterization(tf.constant(ids, tf.int32), None, None)
    result = barycentrics.differentiable_barycentrics(framebuffer, clip, faces)
    clear = ~ambiguous
    np.testing.assert_allclose(result.barycentrics.numpy()[clear], expected_barycentrics[clear], atol=1e-10)
    np.testing.assert_allclose(result.depth.numpy()[clear], expected_depth[clear], atol=1e-10)
    assert result.triangle_id is framebuffer.triangle_id


def test_jacobians_for_fixed_ids_match_finite_differences():
    # With the ids held fixed the coordinates are smooth functions of the vertices, edges included.
    clip, faces = scene(2, batch=1)
    ids = rendering.rasterize(clip, faces, (HEIGHT, WIDTH)).triangle_id.numpy()[0]

    def function(clip):  # a leading copy axis is the batch axis
        framebuffer = rendering.Rasterization(tf.broadcast_to(ids, [clip.shape[0], HEIGHT, WIDTH]), None, None)
        result = barycentrics.differentiable_barycentrics(framebuffer, clip, faces)
        return result.barycentrics, result.depth

    assert_jacobians_match_finite_differences(function, clip[0], tolerance=1e-6)


def test_layers_shared_vertices_and_background():
    clip, faces = scene(3, batch=1)
    raster = rendering.rasterize(clip, faces, (HEIGHT, WIDTH))
    layered = tf.stack([raster.triangle_id, -tf.ones_like(raster.triangle_id)], axis=1)  # [1, 2, H, W]
    result = barycentrics.differentiable_barycentrics(rendering.Rasterization(layered, None, None), clip[0], faces)
    assert result.barycentrics.shape == (1, 2, HEIGHT, WIDTH, 3) and result.depth.shape == (1, 2, HEIGHT, WIDTH)
    np.testing.assert_allclose(result.barycentrics[:, 0], raster.barycentrics, atol=1e-12)
    np.testing.assert_allclose(result.depth[:, 0], raster.depth, atol=1e-12)
    np.testing.assert_array_equal(result.barycentrics[:, 1], 0.0)
    np.testing.assert_array_equal(result.depth[:, 1], 1.0)


def test_degenerate_triangles_give_zeros_and_finite_gradients():
    clip = tf.constant([[[0.0, 0.0, 0.0, 1.0], [0.5, 0.5, 0.0, 1.0], [1.0, 1.0, 0.0, 1.0]]], tf.float64)
    ids = tf.zeros([1, 4, 4], tf.int32)  # every pixel claims the collinear triangle
    with tf.GradientTape() as tape:
        tape.watch(clip)
        result = barycentrics.differentiable_barycentrics(rendering.Rasterization(ids, None, None), clip, [[0, 1, 2]])
        total = tf.reduce_sum(result.barycentrics) + tf.reduce_sum(result.depth)
    np.testing.assert_array_equal(result.barycentrics, 0.0)
    assert_all_finite(tape.gradient(total, clip))


def test_tf_function_and_jit_compile_match_eager():
    clip, faces = scene(4)
    ids = rendering.rasterize(clip, faces, (HEIGHT, WIDTH)).triangle_id

    def function(ids, clip):
        framebuffer = rendering.Rasterization(ids, None, None)
        return barycentrics.differentiable_barycentrics(framebuffer, clip, faces).barycentrics

    eager = function(ids, clip)
    traced = tf.function(
        function,
        input_signature=[tf.TensorSpec([None, HEIGHT, WIDTH], tf.int32), tf.TensorSpec([None, None, 4], tf.float64)],
    )
    np.testing.assert_allclose(traced(ids, clip), eager, atol=1e-12)
    np.testing.assert_allclose(tf.function(function, jit_compile=True)(ids, clip), eager, atol=1e-12)


def test_bad_inputs_name_the_argument():
    clip, faces = scene(5)
    ids = tf.zeros([2, HEIGHT, WIDTH], tf.int32)
    with pytest.raises(ValueError, match="clip_space_vertices"):
        barycentrics.differentiable_barycentrics(rendering.Rasterization(ids, None, None), clip[..., :3], faces)
    with pytest.raises(ValueError, match="triangles"):
        barycentrics.differentiable_barycentrics(rendering.Rasterization(ids, None, None), clip, faces[None])
    with pytest.raises(ValueError, match="triangle_id"):
        barycentrics.differentiable_barycentrics(rendering.Rasterization(ids[0, 0], None, None), clip, faces)
    with pytest.raises(TypeError, match="triangle_id"):
        barycentrics.differentiable_barycentrics(rendering.Rasterization(tf.zeros([2, 3, 3]), None, None), clip, faces)

"""rasterize: visibility against a brute-force float64 reference, barycentrics, modes and bad input."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from graphics_ops.rendering import _fragments
from tests.graphics_ops.rendering.rendering_testing import (
    orthographic_clip,
    pixel_centres,
    random_scene,
    reference_rasterize,
)

HEIGHT, WIDTH = 24, 32


def _rasterize(clip, faces, dtype=tf.float32, **options):
    return rendering.rasterize(tf.constant(clip, dtype), faces, (HEIGHT, WIDTH), **options)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("cull", ["none", "back", "front"])
def test_visibility_equals_brute_force_reference(seed, cull):
    clip, faces = random_scene(np.random.default_rng(seed), batch=2, vertex_count=24, face_count=14)
    ids, bary, depth, ambiguous = reference_rasterize(clip, faces, HEIGHT, WIDTH, cull)
    result = _rasterize(clip, faces, tf.float64, cull=cull)
    assert result.triangle_id.dtype == tf.int32
    clear = ~ambiguous
    assert clear.mean() > 0.9 and (ids[clear] >= 0).sum() > 100, "the scene should cover many pixels"
    np.testing.assert_array_equal(result.triangle_id.numpy()[clear], ids[clear])
    seen = clear & (ids >= 0)
    np.testing.assert_allclose(result.barycentrics.numpy()[seen], bary[seen], atol=1e-9)
    np.testing.assert_allclose(result.depth.numpy()[clear], depth[clear], atol=1e-9)
    np.testing.assert_array_equal(result.barycentrics.numpy()[ids == -1], 0.0)


def test_float32_visibility_matches_the_reference_away_from_edges():
    clip, faces = random_scene(np.random.default_rng(11), batch=1, vertex_count=30, face_count=20)
    ids, _, _, ambiguous = reference_rasterize(clip, faces, HEIGHT, WIDTH)
    result = _rasterize(clip, faces, tf.float32)
    clear = ~ambiguous
    assert np.mean(result.triangle_id.numpy()[clear] == ids[clear]) > 0.999


def test_barycentrics_sum_to_one_and_reproduce_the_pixel_centres():
    clip, faces = random_scene(np.random.default_rng(5), batch=2, vertex_count=20, face_count=12, behind_near_plane=0.2)
    result = _rasterize(clip, faces, tf.float64)
    ids = result.triangle_id.numpy()
    seen = ids >= 0
    bary = result.barycentrics.numpy()
    np.testing.assert_allclose(bary.sum(-1)[seen], 1.0, atol=1e-12)
    corners = np.take_along_axis(clip[:, None, None], faces[np.maximum(ids, 0)][..., None], axis=3)  # [B,H,W,3,4]
    point = np.einsum("bhwk,bhwkc->bhwc", bary, corners)[seen]  # perspective-correct: clip-space points
    centres = np.broadcast_to(pixel_centres(HEIGHT, WIDTH), ids.shape + (2,))[seen]
    np.testing.assert_allclose(point[:, :2] / point[:, 3:], centres, atol=1e-9)
    np.testing.assert_allclose(point[:, 2] / point[:, 3], result.depth.numpy()[seen], atol=1e-9)
    assert np.all(bary[seen] >= -1e-12)


def test_triangles_crossing_the_near_plane_are_cut_there_not_smeared():
    # One triangle, two corners in front of the camera and one behind the eye (w < 0).
    clip = np.array([[[-0.5, -0.5, 0.0, 1.0], [0.5, -0.5, 0.0, 1.0], [0.0, 0.6, -2.0, -1.0]]])
    faces = np.array([[0, 1, 2]], np.int32)
    ids, _, depth, ambiguous = reference_rasterize(clip, faces, HEIGHT, WIDTH)
    result = _rasterize(clip, faces, tf.float64)
    clear = ~ambiguous
    np.testing.assert_array_equal(result.triangle_id.numpy()[clear], ids[clear])
    covered = result.triangle_id.numpy() >= 0
    assert 0 < covered.sum() < HEIGHT * WIDTH / 2
    assert np.all(result.depth.numpy()[covered] >= -1.0)


def test_ties_go_to_the_smaller_triangle_index_whatever_the_order():
    square = orthographic_clip([[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8]])
    faces = np.array([[0, 1, 2], [0, 2, 3], [0, 1, 2], [0, 2, 3]], np.int32)
    result = _rasterize(square, faces)
    ids = result.triangle_id.numpy()
    assert set(np.unique(ids)) == {-1, 0, 1}
    # A nearer copy wins over a farther one regardless of index.
    nearer = np.concatenate([square, square * [1, 1, 0, 1] + [0, 0, -0.5, 0]], axis=1)
    faces = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]], np.int32)
    ids = _rasterize(nearer, faces).triangle_id.numpy()
    assert set(np.unique(ids)) == {-1, 2, 3}
    ids_reversed = _rasterize(nearer, faces[::-1].copy()).triangle_id.numpy()
    np.testing.assert_array_equal(np.where(ids_reversed >= 0, 3 - ids_reversed, -1), ids)


def test_shared_edges_leave_no_gaps_and_no_overlap():
    # A fan of thin triangles around a centre: every pixel inside the fan is covered exactly once.
    angles = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    rim = 0.9 * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    clip = orthographic_clip(np.concatenate([[[0.013, -0.007]], rim]))
    faces = np.stack([np.zeros(200), 1 + np.arange(200), 1 + (np.arange(200) + 1) % 200], -1).astype(np.int32)
    ids = _rasterize(clip, faces).triangle_id.numpy()[0]
    inside = np.linalg.norm(pixel_centres(HEIGHT, WIDTH), axis=-1) < 0.85
    assert np.all(ids[inside] >= 0)


@pytest.mark.parametrize("pass_size", [1, 100, 4096])
def test_results_do_not_depend_on_the_pass_size(pass_size):
    clip, faces = random_scene(np.random.default_rng(3), batch=2, vertex_count=24, face_count=16)
    expected = _rasterize(clip, faces)
    actual = _rasterize(clip, faces, fragment_pass_size=pass_size)
    np.testing.assert_array_equal(actual.triangle_id, expected.triangle_id)
    np.testing.assert_array_equal(actual.barycentrics, expected.barycentrics)


def test_tf_function_with_unknown_batch_and_vertex_count_and_jit_compile_match_eager():
    clip, faces = random_scene(np.random.default_rng(8), batch=3, vertex_count=20, face_count=12)
    clip = tf.constant(clip, tf.float32)
    expected = rendering.rasterize(clip, faces, (HEIGHT, WIDTH))

    @tf.function(input_signature=[tf.TensorSpec([None, None, 4], tf.float32), tf.TensorSpec([None, 3], tf.int32)])
    def traced(clip, faces):
        return rendering.rasterize(clip, faces, (HEIGHT, WIDTH))

    @tf.function(jit_compile=True)
    def compiled(clip, faces):
        return rendering.rasterize(clip, faces, (HEIGHT, WIDTH))

    for function in (traced, compiled):
        actual = function(clip, tf.constant(faces))
        np.testing.assert_array_equal(actual.triangle_id, expected.triangle_id)
        np.testing.assert_allclose(actual.barycentrics, expected.barycentrics, atol=1e-6)
        np.testing.assert_allclose(actual.depth, expected.depth, atol=1e-6)


def test_memory_grows_with_fragments_not_pixels_times_triangles():
    # 20k tiny triangles in a 512 x 512 image: their boxes hold a few pixels each.
    rng = np.random.default_rng(0)
    centres = rng.uniform(-0.9, 0.9, size=(20_000, 1, 2))
    corners = centres + rng.uniform(-0.004, 0.004, size=(20_000, 3, 2))
    clip = orthographic_clip(corners.reshape(-1, 2), depth=0.5)
    faces = np.arange(60_000, dtype=np.int32).reshape(-1, 3)
    triangles = _fragments.setup(_fragments.corners(tf.constant(clip, tf.float32), faces), 512, 512, "none")
    assert int(triangles.total) < 10 * 20_000  # versus 512 * 512 * 20_000 pairs
    ids = rendering.rasterize(tf.constant(clip, tf.float32), faces, (512, 512)).triangle_id
    assert int(tf.reduce_sum(tf.cast(ids >= 0, tf.int32))) > 0


def test_empty_images_and_degenerate_triangles_give_finite_zero_gradients():
    clip = tf.constant(
        [
            [
                [-2.0, -2.0, 0.0, 1.0],
                [-1.5, -2.0, 0.0, 1.0],
                [-2.0, -1.5, 0.0, 1.0],
                [0.1, 0.1, 0.0, 1.0],
                [0.2, 0.2, 0.0, 1.0],
            ]
        ]
    )
    faces = np.array([[0, 1, 2], [3, 4, 4], [3, 4, 3]], np.int32)  # off screen, and two degenerate
    with tf.GradientTape() as tape:
        tape.watch(clip)
        result = rendering.rasterize(clip, faces, (HEIGHT, WIDTH))
        loss = tf.reduce_sum(result.barycentrics) + tf.reduce_sum(result.depth)
    gradient = tape.gradient(loss, clip)
    assert np.all(result.triangle_id.numpy() == -1)
    np.testing.assert_array_equal(gradient, 0.0)


@pytest.mark.parametrize(
    "clip_shape, faces, message",
    [
        ((5, 4), [[0, 1, 2]], r"clip_vertices must have shape \[B, V, 4\]"),
        ((1, 5, 3), [[0, 1, 2]], r"clip_vertices must have shape \[B, V, 4\]"),
        ((1, 5, 4), [[0, 1]], r"faces must have shape \[F, 3\]"),
        ((1, 5, 4), [[[0, 1, 2]]], r"faces must have shape \[F, 3\]"),
    ],
)
def test_bad_shapes_raise_errors_naming_the_argument(clip_shape, faces, message):
    with pytest.raises(ValueError, match=message):
        rendering.rasterize(tf.zeros(clip_shape), np.asarray(faces, np.int32), (8, 8))


def test_bad_arguments_raise_errors_naming_them():
    clip, faces = tf.zeros([1, 5, 4]), np.array([[0, 1, 2]], np.int32)
    with pytest.raises(TypeError, match="faces must have an integer dtype"):
        rendering.rasterize(clip, faces.astype(np.float32), (8, 8))
    with pytest.raises(ValueError, match="image_size must be a pair"):
        rendering.rasterize(clip, faces, (8, 0))
    with pytest.raises(ValueError, match="image_size must be a pair"):
        rendering.rasterize(clip, faces, 8)
    with pytest.raises(ValueError, match="cull must be one of"):
        rendering.rasterize(clip, faces, (8, 8), cull="backface")
    with pytest.raises(ValueError, match="fragment_pass_size must be None or a positive int"):
        rendering.rasterize(clip, faces, (8, 8), fragment_pass_size=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"faces must hold vertex indices in \[0, V\)"):
        rendering.rasterize(clip, np.array([[0, 1, 5]], np.int32), (8, 8))

"""interpolate: values against references, Jacobians against finite differences."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from tests.graphics_ops.rendering.rendering_testing import random_scene, reference_rasterize
from tests.graphics_ops.testing import assert_jacobians_match_finite_differences

HEIGHT, WIDTH = 12, 16


def _scene_away_from_edges(seed):
    """A scene whose pixel centres are all clear of triangle edges, so small moves keep visibility."""
    rng = np.random.default_rng(seed)
    for _ in range(50):
        clip, faces = random_scene(rng, batch=1, vertex_count=8, face_count=4, behind_near_plane=0.0)
        ids, _, _, ambiguous = reference_rasterize(clip, faces, HEIGHT, WIDTH)
        if not ambiguous.any() and (ids >= 0).sum() > 40:
            return clip[0], faces
    raise AssertionError("no clear scene found")


def test_interpolation_is_perspective_correct_and_zero_on_the_background():
    clip, faces = random_scene(np.random.default_rng(1), batch=2, vertex_count=16, face_count=10)
    attributes = np.random.default_rng(2).normal(size=(2, 16, 5))
    ids, bary, _, ambiguous = reference_rasterize(clip, faces, HEIGHT, WIDTH)
    rasterization = rendering.rasterize(tf.constant(clip), faces, (HEIGHT, WIDTH))
    result = rendering.interpolate(tf.constant(attributes), rasterization, faces).numpy()
    corners = np.take_along_axis(attributes[:, None, None], faces[np.maximum(ids, 0)][..., None], axis=3)
    expected = np.einsum("bhwk,bhwkc->bhwc", bary, corners)
    clear = ~ambiguous
    np.testing.assert_allclose(result[clear], np.where((ids >= 0)[..., None], expected, 0.0)[clear], atol=1e-10)


def test_shared_attributes_broadcast_over_the_batch():
    clip, faces = random_scene(np.random.default_rng(4), batch=3, vertex_count=12, face_count=6)
    attributes = np.random.default_rng(5).normal(size=(12, 2)).astype(np.float32)
    rasterization = rendering.rasterize(tf.constant(clip, tf.float32), faces, (HEIGHT, WIDTH))
    shared = rendering.interpolate(attributes, rasterization, faces)
    batched = rendering.interpolate(np.broadcast_to(attributes, (3, 12, 2)), rasterization, faces)
    np.testing.assert_allclose(shared, batched, atol=1e-7)


@pytest.mark.parametrize("seed", [0, 1])
def test_jacobians_with_respect_to_attributes_and_positions_match_finite_differences(seed):
    clip, faces = _scene_away_from_edges(seed)
    attributes = np.random.default_rng(seed).normal(size=(8, 2))

    def function(clip, attributes):  # a leading copy axis is the batch axis
        rasterization = rendering.rasterize(clip, faces, (HEIGHT, WIDTH))
        return rendering.interpolate(attributes, rasterization, faces)

    assert_jacobians_match_finite_differences(function, clip, attributes, tolerance=1e-6)


def test_bad_shapes_raise_errors_naming_the_argument():
    rasterization = rendering.rasterize(tf.zeros([1, 3, 4]), np.array([[0, 1, 2]], np.int32), (4, 4))
    with pytest.raises(ValueError, match="attributes must have shape"):
        rendering.interpolate(tf.zeros([1, 1, 3, 2]), rasterization, np.array([[0, 1, 2]], np.int32))
    with pytest.raises(TypeError, match="faces must have an integer dtype"):
        rendering.interpolate(tf.zeros([3, 2]), rasterization, np.array([[0.0, 1.0, 2.0]]))

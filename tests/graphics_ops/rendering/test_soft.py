"""soft_rasterize: limits of small and large sigma, gradients far from the silhouette, aggregation."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from tests.graphics_ops.rendering.rendering_testing import orthographic_clip, pixel_centres, polygon
from tests.graphics_ops.testing import assert_all_finite

SIZE = 48


def _disk(radius=0.5, center=(0.02, -0.01)):
    vertices, faces = polygon(center, radius, sides=40)
    return tf.constant(orthographic_clip(vertices), tf.float32), faces


def _distance_to_rim(radius=0.5, center=(0.02, -0.01)):
    """Pixel-unit distance of each pixel centre to the disk's rim `[H, W]` (negative inside)."""
    return (np.linalg.norm(pixel_centres(SIZE, SIZE) - center, axis=-1) - radius) * SIZE / 2


def test_small_sigma_approaches_hard_coverage_away_from_edges():
    corners = np.array([[-0.7, -0.6], [0.8, -0.5], [-0.1, 0.75]])
    clip = tf.constant(orthographic_clip(corners), tf.float32)
    faces = np.array([[0, 1, 2]], np.int32)
    silhouette = rendering.soft_silhouette(clip, faces, (SIZE, SIZE), sigma=0.05).numpy()[0]
    hard = rendering.rasterize(clip, faces, (SIZE, SIZE)).triangle_id.numpy()[0] >= 0
    centres = pixel_centres(SIZE, SIZE)
    distances = []
    for start, end in zip(corners, np.roll(corners, -1, axis=0)):
        t = np.clip(np.sum((centres - start) * (end - start), -1) / np.sum((end - start) ** 2), 0, 1)
        distances.append(np.linalg.norm(centres - start - t[..., None] * (end - start), axis=-1) * SIZE / 2)
    clear = np.min(distances, axis=0) > 1.0  # more than a pixel from every edge
    np.testing.assert_allclose(silhouette[clear], hard[clear].astype(np.float32), atol=1e-6)
    assert hard[clear].sum() > 300


def test_larger_sigma_blurs_outward_and_sends_gradients_to_far_pixels():
    clip, faces = _disk()
    distance = _distance_to_rim()
    far_outside = (distance > 4.0) & (distance < 6.0)
    gradients = {}
    for sigma in (0.3, 5.0):
        with tf.GradientTape() as tape:
            tape.watch(clip)
            silhouette = rendering.soft_silhouette(clip, faces, (SIZE, SIZE), sigma=sigma)
            loss = tf.reduce_sum(tf.boolean_mask(silhouette[0], far_outside))
        gradients[sigma] = tape.gradient(loss, clip).numpy()
        assert_all_finite(silhouette, gradients[sigma])
    assert np.abs(gradients[0.3]).max() == 0.0  # beyond the cut-off distance of a sharp coverage
    assert np.abs(gradients[5.0]).max() > 0.0
    # Pushing the rim outward (scaling the disk up) raises coverage of the far pixels.
    rim = gradients[5.0][0, 1:, :2]
    outward = orthographic_clip(polygon((0.02, -0.01), 0.5, 40)[0])[0, 1:, :2] - [0.02, -0.01]
    assert np.sum(rim * outward) > 0


def test_soft_coverage_is_monotonic_in_distance_across_the_rim():
    clip, faces = _disk()
    silhouette = rendering.soft_silhouette(clip, faces, (SIZE, SIZE), sigma=2.0).numpy()[0]
    distance = _distance_to_rim()
    order = np.argsort(distance.ravel())
    ring = (distance.ravel()[order] > -1.5) & (distance.ravel()[order] < 6.0)
    values = silhouette.ravel()[order][ring]
    # Non-increasing with distance (up to the polygon's deviation from a circle).
    assert np.all(np.diff(values) < 0.05)
    assert values[0] > 0.6 and values[-1] < 0.01


def test_aggregated_attributes_stay_within_the_vertex_values_and_the_background():
    clip, faces = _disk()
    colors = np.random.default_rng(0).uniform(0.2, 0.8, size=(41, 3)).astype(np.float32)
    result = rendering.soft_rasterize(
        clip, faces, (SIZE, SIZE), sigma=1.0, attributes=colors, gamma=0.05, background=[1.0, 1.0, 1.0]
    )
    values = result.attributes.numpy()
    assert values.shape == (1, SIZE, SIZE, 3)
    assert values.min() >= 0.2 - 1e-5 and values.max() <= 1.0 + 1e-5
    far = _distance_to_rim() > 8.0
    np.testing.assert_allclose(values[0][far], 1.0, atol=1e-6)


def test_nearer_triangles_win_the_colour_softmax_as_gamma_shrinks():
    back = orthographic_clip([[-0.6, -0.6], [0.6, -0.6], [0.6, 0.6], [-0.6, 0.6]], depth=0.5)
    front = orthographic_clip([[-0.3, -0.3], [0.3, -0.3], [0.3, 0.3], [-0.3, 0.3]], depth=-0.5)
    clip = tf.constant(np.concatenate([back, front], axis=1), tf.float32)
    faces = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]], np.int32)
    colors = np.repeat([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], 4, axis=0).astype(np.float32)
    result = rendering.soft_rasterize(clip, faces, (SIZE, SIZE), sigma=0.5, attributes=colors, gamma=0.01)
    centre = result.attributes.numpy()[0, SIZE // 2, SIZE // 2]
    np.testing.assert_allclose(centre, [0.0, 0.0, 1.0], atol=1e-3)


def test_xla_and_pass_sizes_give_the_same_silhouette():
    clip, faces = _disk()
    expected = rendering.soft_silhouette(clip, faces, (SIZE, SIZE), sigma=1.0)
    chunked = rendering.soft_silhouette(clip, faces, (SIZE, SIZE), sigma=1.0, fragment_pass_size=500)
    compiled = tf.function(lambda c: rendering.soft_silhouette(c, faces, (SIZE, SIZE), sigma=1.0), jit_compile=True)
    np.testing.assert_allclose(chunked, expected, atol=1e-6)
    np.testing.assert_allclose(compiled(clip), expected, atol=1e-5)


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("inf"), "1"])
def test_bad_sigma_raises_a_named_error(sigma):
    clip, faces = _disk()
    with pytest.raises(ValueError, match="sigma must be a positive finite Python number"):
        rendering.soft_silhouette(clip, faces, (SIZE, SIZE), sigma=sigma)

"""antialias and edge_topology: coverage against analytic areas, silhouette gradients, modes, errors."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from tests.graphics_ops.rendering.rendering_testing import orthographic_clip, polygon, sphere
from tests.graphics_ops.testing import assert_all_finite

SIZE = 64


def _coverage(clip, faces, size=SIZE):
    """Hard and antialiased coverage images `[1, size, size, 1]` of a mesh in clip space."""
    clip = tf.constant(clip, tf.float32)
    rasterization = rendering.rasterize(clip, faces, (size, size))
    white = rendering.interpolate(tf.ones([clip.shape[1], 1]), rasterization, faces)
    return white, rendering.antialias(white, rasterization, clip, faces)


@pytest.mark.parametrize("center, radius", [((0.013, 0.007), 0.6), ((-0.21, 0.33), 0.37)])
def test_antialiased_coverage_of_a_disk_matches_its_area_within_one_percent(center, radius):
    vertices, faces = polygon(center, radius, sides=256)
    hard, smooth = _coverage(orthographic_clip(vertices), faces)
    # The polygon's area in pixels (NDC spans SIZE / 2 pixels per unit).
    area = 0.5 * 256 * np.sin(2 * np.pi / 256) * (radius * SIZE / 2) ** 2
    assert abs(float(tf.reduce_sum(smooth)) - area) < 0.01 * area
    assert abs(float(tf.reduce_sum(smooth)) - area) < abs(float(tf.reduce_sum(hard)) - area)


def test_only_pixels_at_silhouettes_change():
    vertices, faces = polygon((0.0, 0.0), 0.7, sides=12, phase=0.1)
    hard, smooth = _coverage(orthographic_clip(vertices), faces)
    changed = np.abs(smooth.numpy() - hard.numpy())[0, ..., 0] > 0
    rows, columns = np.nonzero(changed)
    centres = np.stack([(2 * columns + 1) / SIZE - 1, 1 - (2 * rows + 1) / SIZE], axis=-1)
    distance = np.linalg.norm(centres, axis=-1)
    # Changed pixels lie within a pixel (2 / SIZE in NDC) of the rim, between inscribed and circumscribed radii.
    assert changed.sum() > 50
    assert np.all(distance > 0.7 * np.cos(np.pi / 12) - 2.0 / SIZE) and np.all(distance < 0.7 + 2.0 / SIZE)


def _square(offset):
    """A square's clip coordinates `[1, 4, 4]`, differentiable in its horizontal `offset` (NDC)."""
    corners = tf.constant(orthographic_clip([[-0.4, -0.4], [0.4, -0.4], [0.4, 0.4], [-0.4, 0.4]]), tf.float32)
    shift = tf.stack([tf.cast(offset, tf.float32), 0.03, 0.0, 0.0])
    return corners + shift, np.array([[0, 1, 2], [0, 2, 3]], np.int32)


def _square_loss(offset, target):
    clip, faces = _square(offset)
    rasterization = rendering.rasterize(clip, faces, (SIZE, SIZE))
    white = rendering.interpolate(tf.ones([4, 1]), rasterization, faces)
    image = rendering.antialias(white, rasterization, clip, faces)
    return tf.reduce_sum(tf.square(image - target))


def test_silhouette_gradients_point_toward_a_target_shifted_right():
    clip, faces = _square(0.1)  # the target, 0.1 NDC (3.2 pixels) to the right of offset 0
    rasterization = rendering.rasterize(clip, faces, (SIZE, SIZE))
    target = rendering.antialias(
        rendering.interpolate(tf.ones([4, 1]), rasterization, faces), rasterization, clip, faces
    )
    offset = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        loss = _square_loss(offset, target)
    gradient = float(tape.gradient(loss, offset))
    assert gradient < 0, "moving right must lower the loss"
    step = 0.01
    assert float(_square_loss(step, target)) < float(loss) < float(_square_loss(-step, target))
    finite_difference = (float(_square_loss(step, target)) - float(_square_loss(-step, target))) / (2 * step)
    assert gradient == pytest.approx(finite_difference, rel=0.15)


def test_gradient_descent_on_the_offset_finds_the_target():
    clip, faces = _square(0.1)
    rasterization = rendering.rasterize(clip, faces, (SIZE, SIZE))
    target = rendering.antialias(
        rendering.interpolate(tf.ones([4, 1]), rasterization, faces), rasterization, clip, faces
    )
    offset = tf.Variable(0.0)
    optimizer = tf.keras.optimizers.Adam(learning_rate=tf.keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.8))
    for _ in range(80):
        with tf.GradientTape() as tape:
            loss = _square_loss(offset, target)
        optimizer.apply_gradients([(tape.gradient(loss, offset), offset)])
    assert float(offset) == pytest.approx(0.1, abs=0.004)  # an eighth of a pixel


def test_dense_path_under_xla_matches_the_compacted_path():
    vertices, faces = sphere(2)
    rotation = np.array([[0.8, 0.0, 0.6], [0.0, 1.0, 0.0], [-0.6, 0.0, 0.8]])
    points = vertices @ rotation.T * 0.7
    clip = tf.constant(
        np.concatenate([points[:, :2], points[:, 2:] * 0.5, np.ones_like(points[:, :1])], -1)[None], tf.float32
    )
    colors = tf.constant(np.random.default_rng(0).uniform(size=(len(vertices), 3)), tf.float32)

    def render(clip):
        rasterization = rendering.rasterize(clip, faces, (SIZE, SIZE), cull="back")
        image = rendering.interpolate(colors, rasterization, faces)
        return rendering.antialias(image, rasterization, clip, faces)

    expected = render(clip)
    np.testing.assert_allclose(tf.function(render, jit_compile=True)(clip), expected, atol=1e-5)
    np.testing.assert_allclose(tf.function(render)(clip), expected, atol=1e-6)


def _reference_topology(faces):
    owners = {}
    for f, face in enumerate(faces):
        for i in range(3):
            owners.setdefault(frozenset((face[(i + 1) % 3], face[(i + 2) % 3])), []).append((f, i))
    result = -np.ones(faces.shape, np.int64)
    for sharing in owners.values():
        if len(sharing) == 2:
            (f, i), (g, j) = sharing
            result[f, i], result[g, j] = g, f
    return result


@pytest.mark.parametrize(
    "faces",
    [
        sphere(1)[1],  # closed
        np.array([[0, 1, 2], [0, 2, 3], [0, 3, 4]], np.int32),  # open fan
        np.array([[0, 1, 2], [1, 0, 3], [0, 1, 4], [2, 1, 5]], np.int32),  # edge (0, 1) in three faces
    ],
)
def test_edge_topology_matches_a_reference(faces):
    np.testing.assert_array_equal(rendering.edge_topology(faces), _reference_topology(faces))


def test_degenerate_and_edge_on_triangles_and_empty_images_give_finite_gradients():
    clip = tf.constant(
        orthographic_clip([[-0.5, -0.5], [0.5, -0.5], [0.0, 0.5], [0.2, 0.2], [0.2, 0.2], [3.0, 3.0], [3.5, 3.0]]),
        tf.float32,
    )
    cases = {
        "degenerate and edge-on": np.array([[0, 1, 2], [3, 4, 3], [0, 1, 0], [0, 3, 4]], np.int32),
        "nothing on screen": np.array([[5, 6, 5]], np.int32),
    }
    for faces in cases.values():
        color = tf.random.uniform([1, 16, 16, 3])
        with tf.GradientTape() as tape:
            tape.watch([clip, color])
            rasterization = rendering.rasterize(clip, faces, (16, 16))
            out = rendering.antialias(color, rasterization, clip, faces)
            loss = tf.reduce_sum(out * tf.random.normal(out.shape))
        assert_all_finite(out, *tape.gradient(loss, [clip, color]))


def test_bad_inputs_raise_errors_naming_the_argument():
    clip, faces = _square(0.0)
    rasterization = rendering.rasterize(clip, faces, (8, 8))
    with pytest.raises(ValueError, match=r"color must have shape \[B, H, W, C\]"):
        rendering.antialias(tf.zeros([8, 8, 3]), rasterization, clip, faces)
    with pytest.raises(ValueError, match=r"topology must have shape \[\?, 3\]"):
        rendering.antialias(tf.zeros([1, 8, 8, 3]), rasterization, clip, faces, topology=np.zeros([2, 2], np.int32))
    with pytest.raises(ValueError, match=r"dimension B must agree"):
        rendering.antialias(tf.zeros([2, 8, 8, 3]), rasterization, clip, faces)


def test_antialias_traces_with_unknown_sizes():
    clip, faces = _square(0.05)

    @tf.function(input_signature=[tf.TensorSpec([None, None, 4]), tf.TensorSpec([None, 3], tf.int32)])
    def traced(clip, faces):
        rasterization = rendering.rasterize(clip, faces, (SIZE, SIZE))
        color = rendering.interpolate(tf.ones(tf.stack([tf.shape(clip)[1], 1])), rasterization, faces)
        return rendering.antialias(color, rasterization, clip, faces)

    np.testing.assert_allclose(traced(clip, faces), _coverage(clip.numpy(), faces)[1], atol=1e-6)

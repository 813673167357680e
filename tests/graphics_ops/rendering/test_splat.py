"""rendering.splat: a float64 reference of the splatting, Jacobians, and gradients at occlusion boundaries."""

import inspect
import math

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from graphics_ops.rendering import splat
from tests.graphics_ops.testing import assert_all_finite, assert_jacobians_match_finite_differences

SIZE = 16


def reference_splat(xyz, rgba):
    """Splatting of `[L, H, W, 3]`, `[L, H, W, 4]` samples by loops over samples and neighbours, in float64."""
    layers, height, width = rgba.shape[:3]
    sigma = 0.5
    offsets = [(r, c) for r in (-1, 0, 1) for c in (-1, 0, 1)]
    scale = 1.05 / sum(math.exp(-(r * r + c * c) / (2 * sigma**2)) for r, c in offsets)
    depth = xyz[..., 2]
    buffers = np.zeros((3, height, width, 4))
    for i in range(height):
        for j in range(width):
            for r, c in offsets:
                ti, tj = i + r, j + c
                if not (0 <= ti < height and 0 <= tj < width):
                    continue
                # Which of the sender's layers is the receiver's front surface?
                to_receiver_front = np.abs(depth[:, i, j] - depth[0, ti, tj])
                to_sender_front = np.abs(depth[:, ti, tj] - depth[0, i, j])
                if to_sender_front.min() < to_receiver_front.min():
                    surface = -int(np.argmin(to_sender_front))
                else:
                    surface = int(np.argmin(to_receiver_front))
                for layer in range(layers):
                    centre = np.floor(xyz[layer, i, j, :2]) + 0.5 + np.array([c, r])
                    distance = np.sum((centre - xyz[layer, i, j, :2]) ** 2)
                    alpha = rgba[layer, i, j, 3]
                    weight = scale * math.exp(-distance / (2 * sigma**2))
                    sample = weight * np.concatenate([rgba[layer, i, j, :3] * alpha, [alpha]])
                    buffer = 0 if surface > layer else (1 if surface == layer else 2)
                    buffers[buffer, ti, tj] += sample
    normalized = buffers / (np.maximum(buffers[..., 3:] - 1.0, 0.0) + 1.0)
    image = normalized[2]
    for index in (1, 0):
        image = normalized[index] + (1 - normalized[index, ..., 3:]) * image
    return image, buffers, normalized


def random_layers(seed, layers=3, height=5, width=6, jitter=0.3):
    """Samples near their pixel centres, distinct depths increasing with the layer, some empty."""
    rng = np.random.default_rng(seed)
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    xy = np.stack([columns + 0.5, rows + 0.5], -1) + rng.uniform(-jitter, jitter, (layers, height, width, 2))
    depth = np.sort(rng.uniform(0.1, 0.9, (height, width, layers)), axis=-1).transpose(2, 0, 1)[..., None]
    rgba = rng.uniform(0.2, 1.0, (layers, height, width, 4))
    rgba[rng.uniform(size=(layers, height, width)) < 0.2] = 0.0
    return np.concatenate([xy, depth], -1), rgba


def test_signatures_are_tensorflow_graphics():
    assert list(inspect.signature(splat.splat_at_pixel_centers).parameters)[:1] == ["xyz_rgba"]
    assert list(inspect.signature(splat.rasterize_then_splat).parameters)[:9] == [
        "vertices",
        "triangles",
        "attributes",
        "camera_matrices",
        "image_width",
        "image_height",
        "shading_function",
        "num_layers",
        "return_extra_buffers",
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_splat_at_pixel_centers_matches_float64_reference(seed):
    xyz, rgba = random_layers(seed)
    image, accumulated, normalized = splat.splat_at_pixel_centers((xyz, rgba))
    expected_image, expected_accumulated, expected_normalized = reference_splat(xyz, rgba)
    np.testing.assert_allclose(accumulated, expected_accumulated, atol=1e-12)
    np.testing.assert_allclose(normalized, expected_normalized, atol=1e-12)
    np.testing.assert_allclose(image, expected_image, atol=1e-12)


def test_interior_of_an_opaque_surface_keeps_its_colour():
    xyz, _ = random_layers(2, layers=1, jitter=0.0)
    rgba = np.broadcast_to([0.2, 0.4, 0.6, 1.0], (1, 5, 6, 4))
    image = splat.splat_at_pixel_centers((xyz, rgba))[0].numpy()
    np.testing.assert_allclose(image[1:-1, 1:-1], np.broadcast_to([0.2, 0.4, 0.6, 1.0], (3, 4, 4)), atol=1e-12)
    assert np.all(image[0, :, 3] < 1.0)  # the image border loses the splats that fall outside


def test_splat_jacobians_match_finite_differences():
    xyz, rgba = random_layers(3, layers=2, height=3, width=4)

    def function(xyz, rgba):  # a leading copy axis is a batch axis
        return splat.splat_at_pixel_centers((xyz, rgba))[0]

    assert_jacobians_match_finite_differences(function, xyz, rgba)


def triangle_scene(shift=(0.0, 0.0), scale=1.0, background=True):
    """A red triangle in front of a green one that covers it, in clip space, as `[6, 3]` vertices."""
    front = np.array([[-0.4, -0.4], [0.4, -0.4], [0.0, 0.4]]) * scale + shift
    back = np.array([[-0.95, -0.95], [0.95, -0.95], [0.0, 0.95]])
    if not background:  # a speck in a corner
        back = back * 1e-3 + [0.0, -0.9]
    depth = np.array([[0.0]] * 3 + [[0.5]] * 3)
    return np.concatenate([np.concatenate([front, back]), depth], -1)


FACES = np.array([[0, 1, 2], [3, 4, 5]], np.int32)
COLOURS = np.array([[1.0, 0.0, 0.0, 1.0]] * 3 + [[0.0, 1.0, 0.0, 1.0]] * 3)
ROWS, COLUMNS = np.meshgrid(np.arange(SIZE, dtype=np.float64), np.arange(SIZE, dtype=np.float64), indexing="ij")


def render(vertices, num_layers=1):
    return splat.rasterize_then_splat(vertices, FACES, COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x, num_layers)


def red_loss(image):
    """A blurred image's red, weighted to respond to moves right (columns), down (rows) and growth (all)."""
    blurred = tf.nn.conv2d(image[..., :1], tf.constant(np.ones((3, 3, 1, 1)) / 9.0), 1, "SAME")[0, ..., 0]
    return tf.reduce_sum(blurred * (COLUMNS + 2.0 * ROWS + 5.0))


def splat_and_numerical_gradients(num_layers, background):
    """d red_loss / d(shift x, shift y, scale) of the red triangle: autodiff, and central differences over a pixel."""
    parameters = tf.Variable([0.0, 0.0, 1.0], dtype=tf.float64)
    base = triangle_scene(background=background)
    with tf.GradientTape() as tape:
        front = tf.constant(base[:3, :2]) * parameters[2] + parameters[:2]
        vertices = tf.concat([tf.concat([front, tf.constant(base[:3, 2:])], 1), tf.constant(base[3:])], 0)
        loss = red_loss(render(vertices, num_layers))
    gradient = tape.gradient(loss, parameters).numpy()

    def loss_at(values):
        return red_loss(render(triangle_scene(values[:2], values[2], background), num_layers)).numpy()

    # Steps of one pixel (2 / SIZE in NDC, 0.25 in scale), averaged over sub-pixel offsets: the image
    # itself changes in steps as edges cross pixel centres.
    steps = np.array([2.0 / SIZE, 2.0 / SIZE, 0.25])
    numerical = np.zeros(3)
    for offset in (-1 / 3, 0.0, 1 / 3):
        for index in range(3):
            delta = np.eye(3)[index] * steps
            point = np.array([0.0, 0.0, 1.0]) + offset * steps
            numerical[index] += (loss_at(point + delta) - loss_at(point - delta)) / (2 * steps[index]) / 3
    return gradient, numerical


@pytest.mark.parametrize("num_layers", [1, 2])
def test_gradients_at_an_occlusion_boundary_point_the_way_of_finite_differences(num_layers):
    """The red triangle lies inside the green one: its whole outline is an occlusion boundary.

    `rasterize` alone gives this loss a zero gradient; the splatted image's gradient points the
    way the loss changes. Its size is smaller (see the module's notes): about half for moves, as
    normalizing shares each boundary pixel between the two surfaces, less for growth.
    """
    gradient, numerical = splat_and_numerical_gradients(num_layers, background=True)
    assert np.all(np.sign(gradient) == np.sign(numerical)), (gradient, numerical)
    ratios = gradient[:2] / numerical[:2]
    assert np.all((ratios > 0.4) & (ratios < 1.2)), (gradient, numerical)


def test_gradients_of_moves_at_a_silhouette_match_finite_differences():
    # Over the background nothing is normalized at the boundary: moves come out within 30%.
    gradient, numerical = splat_and_numerical_gradients(1, background=False)
    np.testing.assert_allclose(gradient[:2], numerical[:2], rtol=0.3)
    assert gradient[2] > 0 and numerical[2] > 0


def test_plain_rasterization_has_no_gradient_at_the_boundary_but_splatting_does():
    vertices = tf.Variable(triangle_scene())
    clip = tf.concat([vertices, tf.ones([6, 1], tf.float64)], -1)[None]
    with tf.GradientTape(persistent=True) as tape:
        raster = rendering.rasterize(clip, FACES, (SIZE, SIZE))
        plain = tf.reduce_sum(rendering.interpolate(COLOURS, raster, FACES)[..., 0])
        splatted = tf.reduce_sum(render(vertices)[..., 0])
    plain_gradient = tape.gradient(plain, vertices, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_allclose(plain_gradient, 0.0, atol=1e-9)
    splat_gradient = tape.gradient(splatted, vertices).numpy()
    # Each red corner pulls outwards from the triangle's centre, away from the green one.
    outwards = triangle_scene()[:3, :2] - triangle_scene()[:3, :2].mean(0)
    assert np.all(np.sum(splat_gradient[:3, :2] * outwards, -1) > 0)
    assert_all_finite(splat_gradient)


def test_layers_show_the_occluded_surface_under_a_moving_edge():
    # With two layers the green surface behind the red one is splatted too.
    _, accumulated, _ = splat.rasterize_then_splat(
        triangle_scene(), FACES, COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x, 2, return_extra_buffers=True
    )
    assert accumulated.shape == (1, 3, SIZE, SIZE, 4)
    # Green (behind red at the centre) lands in the "behind" buffer there.
    assert accumulated[0, 2, SIZE // 2, SIZE // 2, 1] > 0.5
    single = splat.rasterize_then_splat(
        triangle_scene(), FACES, COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x, 1, return_extra_buffers=True
    )[1]
    assert single[0, 2, SIZE // 2, SIZE // 2, 1] == 0.0


def test_batches_shared_attributes_camera_matrices_and_shading_function():
    vertices = triangle_scene()

    def opaque(rgb):
        return tf.concat([rgb, tf.ones_like(rgb[..., :1])], -1)

    from_rgb = splat.rasterize_then_splat(vertices, FACES, COLOURS[:, :3], np.eye(4)[None], SIZE, SIZE, opaque)
    np.testing.assert_allclose(from_rgb, render(vertices), atol=1e-12)
    # Per-image vertices, attributes and matrices; the second camera moves the scene right by 0.25.
    moved = np.eye(4)
    moved[0, 3] = 0.25
    both = splat.rasterize_then_splat(
        np.stack([vertices, vertices]),
        FACES,
        np.stack([COLOURS, COLOURS]),
        np.stack([np.eye(4), moved]),
        SIZE,
        SIZE,
        lambda x: x,
    )
    np.testing.assert_allclose(both[0], render(vertices)[0], atol=1e-12)
    np.testing.assert_allclose(both[1], render(vertices + [0.25, 0.0, 0.0])[0], atol=1e-12)


def test_tf_function_and_jit_compile_match_eager():
    vertices = triangle_scene()
    eager = render(vertices)

    def function(vertices):
        return splat.rasterize_then_splat(
            vertices, FACES, COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x, 2, fragment_pass_size=4096
        )

    eager2 = function(vertices)
    traced = tf.function(function, input_signature=[tf.TensorSpec([None, 3], tf.float64)])(vertices)
    compiled = tf.function(function, jit_compile=True)(vertices)
    np.testing.assert_allclose(traced, eager2, atol=1e-12)
    np.testing.assert_allclose(compiled, eager2, atol=1e-12)
    assert eager.dtype == tf.float64
    single = [value.astype(np.float32) for value in (vertices, COLOURS, np.eye(4)[None])]
    as_float32 = splat.rasterize_then_splat(single[0], FACES, single[1], single[2], SIZE, SIZE, lambda x: x)
    np.testing.assert_allclose(as_float32, eager, atol=1e-5)


def test_bad_inputs_name_the_argument():
    vertices = triangle_scene()
    with pytest.raises(ValueError, match="vertices"):
        splat.rasterize_then_splat(vertices[:, :2], FACES, COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x)
    with pytest.raises(ValueError, match="camera_matrices"):
        splat.rasterize_then_splat(vertices, FACES, COLOURS, np.eye(4), SIZE, SIZE, lambda x: x)
    with pytest.raises(ValueError, match="attributes"):
        splat.rasterize_then_splat(vertices, FACES, COLOURS[:4], np.eye(4)[None], SIZE, SIZE, lambda x: x)
    with pytest.raises(ValueError, match="num_layers"):
        splat.rasterize_then_splat(vertices, FACES, COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x, 0)
    with pytest.raises(ValueError, match="shaded"):
        splat.rasterize_then_splat(vertices, FACES, COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x[..., :3])
    with pytest.raises(ValueError, match="rgba"):
        splat.splat_at_pixel_centers((np.zeros((1, 4, 4, 3)), np.zeros((1, 4, 4, 3))))
    with pytest.raises(ValueError, match="triangles"):
        splat.rasterize_then_splat(vertices, FACES[:, :2], COLOURS, np.eye(4)[None], SIZE, SIZE, lambda x: x)
    with pytest.raises(ValueError, match="image_size"):
        splat.rasterize_then_splat(vertices, FACES, COLOURS, np.eye(4)[None], 0, SIZE, lambda x: x)


def test_depth_peeling_finds_the_nearest_fragments_in_order():
    from graphics_ops.rendering import rasterization
    from tests.graphics_ops.rendering.rendering_testing import random_scene, reference_rasterize

    clip, faces = random_scene(np.random.default_rng(7), batch=2, vertex_count=12, face_count=8, behind_near_plane=0.0)
    # Each face alone, by the float64 reference: its coverage and depth at every pixel.
    depths, ambiguous = [], np.zeros((2, SIZE, SIZE), bool)
    for face in faces:
        ids, _, depth, unclear = reference_rasterize(clip, face[None], SIZE, SIZE)
        depths.append(np.where(ids >= 0, depth, np.inf))
        ambiguous |= unclear
    order = np.argsort(np.stack(depths, -1), axis=-1, kind="stable")
    covered = np.sort(np.stack(depths, -1), axis=-1) < np.inf
    layers = rasterization.visible_layers(tf.constant(clip), faces, SIZE, SIZE, "none", None, 3).numpy()
    for layer in range(3):
        expected = np.where(covered[..., layer], order[..., layer], -1)
        np.testing.assert_array_equal(layers[:, layer][~ambiguous], expected[~ambiguous])

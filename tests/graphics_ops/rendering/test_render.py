"""render and Camera.to_clip: analytic shading of a sphere, conventions, batches, textures, errors."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import rendering
from graphics_ops.camera import Camera
from tests.graphics_ops.rendering.rendering_testing import looking_camera, sphere

SIZE = 96
LIGHT = np.array([0.3, -0.5, -1.0])


def _analytic_lambertian_sphere(camera, albedo, irradiance):
    """Float64 radiance of a unit Lambertian sphere at the origin, per pixel, and which pixels hit it."""
    pixels = np.stack(np.meshgrid(np.arange(camera.width), np.arange(camera.height)), axis=-1).astype(np.float64)
    origin, direction = camera.rays(tf.constant(pixels, camera.dtype))
    origin, direction = origin.numpy().astype(np.float64), direction.numpy().astype(np.float64)
    direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
    b = np.sum(origin * direction, -1)
    discriminant = b * b - (np.sum(origin * origin, -1) - 1.0)
    normal = origin + (-b - np.sqrt(np.maximum(discriminant, 0)))[..., None] * direction
    towards_light = -LIGHT / np.linalg.norm(LIGHT)
    radiance = albedo / np.pi * irradiance * np.maximum(np.sum(normal * towards_light, -1), 0)
    return radiance, discriminant


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_a_lambertian_sphere_matches_analytic_shading(dtype):
    vertices, faces = sphere(5)
    camera = looking_camera([0.0, 0.0, 4.0], SIZE, SIZE, focal=110.0, dtype=dtype)
    image = rendering.render(
        tf.constant(vertices[None], dtype),
        faces,
        camera,
        near=0.5,
        far=10.0,
        colors=tf.fill([len(vertices), 3], tf.constant(0.7, dtype)),
        light_directions=[LIGHT],
        light_radiance=[[2.0, 2.0, 2.0]],
    ).numpy()[0]
    expected, discriminant = _analytic_lambertian_sphere(camera, 0.7, 2.0)
    interior = discriminant > 0.05  # away from the silhouette, where the tessellation shows
    assert interior.sum() > 0.2 * SIZE * SIZE
    np.testing.assert_allclose(image[..., 0][interior], expected[interior], atol=2e-3)
    np.testing.assert_allclose(image[..., 3][interior], 1.0)
    assert np.all(image[discriminant < -0.1] == 0.0)


def test_to_clip_puts_points_on_the_pixels_project_gives():
    camera = Camera.from_look_at(
        [0.4, 0.3, 3.0], [0.0, 0.1, 0.0], [0.0, 1.0, 0.0], [80.0, 90.0], [30.0, 20.0], width=64, height=48
    )
    points = np.random.default_rng(0).uniform(-0.5, 0.5, size=(20, 3)).astype(np.float32)
    pixels = camera.project(points).numpy()
    clip = camera.to_clip(points, near=0.1, far=10.0).numpy()
    ndc = clip[:, :2] / clip[:, 3:]
    # Pixel (i, j) of a rasterized image is centred at NDC ((2j + 1) / W - 1, 1 - (2i + 1) / H).
    np.testing.assert_allclose((ndc[:, 0] + 1) * 64 / 2 - 0.5, pixels[:, 0], atol=1e-4)
    np.testing.assert_allclose((1 - ndc[:, 1]) * 48 / 2 - 0.5, pixels[:, 1], atol=1e-4)
    depth = camera.world_to_camera(points).numpy()[:, 2]
    np.testing.assert_allclose(clip[:, 3], depth, rtol=1e-6)
    near_far = camera.to_clip(camera.unproject([[10.0, 10.0]] * 2, [[0.1], [10.0]]), 0.1, 10.0).numpy()
    np.testing.assert_allclose(near_far[:, 2] / near_far[:, 3], [-1.0, 1.0], atol=1e-5)


def test_a_batch_of_cameras_renders_each_view():
    vertices, faces = sphere(3)
    cameras = [looking_camera(position, 32, 32, focal=40.0) for position in ([0.0, 0.0, 3.0], [3.0, 0.0, 0.0])]
    batched = Camera(
        *[
            tf.stack([getattr(c, name) for c in cameras])
            for name in ("rotation", "translation", "focal", "principal_point")
        ],
        width=32,
        height=32,
    )
    colors = np.abs(vertices).astype(np.float32)  # differs by view direction
    images = rendering.render(np.stack([vertices] * 2), faces, batched, near=0.5, far=10.0, colors=colors)
    for index, camera in enumerate(cameras):
        alone = rendering.render(vertices[None], faces, camera, near=0.5, far=10.0, colors=colors)
        np.testing.assert_allclose(images[index], alone[0], atol=1e-5)
    assert np.abs(images[0] - images[1]).max() > 0.1


def test_textures_and_materials_render():
    vertices, faces = sphere(3)
    camera = looking_camera([0.0, 0.0, 3.0], 32, 32, focal=40.0)
    uv = (vertices[:, :2] * 0.5 + 0.5).astype(np.float32)
    checker = np.kron((np.indices((4, 4)).sum(0) % 2)[..., None] * np.ones(3), np.ones((8, 8, 1))).astype(np.float32)
    textured = rendering.render(
        vertices[None], faces, camera, near=0.5, far=10.0, uv=uv, texture_image=checker, material="unlit"
    ).numpy()[0]
    covered = textured[..., 3] == 1.0
    assert {0.0, 1.0} <= set(np.round(textured[..., 0][covered], 3))
    shaded = {
        material: rendering.render(vertices[None], faces, camera, near=0.5, far=10.0, material=material).numpy()
        for material in rendering.renderer.MATERIALS
    }
    for material, image in shaded.items():
        assert np.all(np.isfinite(image)), material
    assert shaded["blinn_phong"][..., :3].max() > shaded["lambertian"][..., :3].max()  # a highlight


def test_gradients_reach_the_vertices_at_silhouettes_and_inside():
    vertices, faces = sphere(3)
    camera = looking_camera([0.0, 0.0, 3.0], 32, 32, focal=40.0)
    positions = tf.constant(vertices[None])
    with tf.GradientTape() as tape:
        tape.watch(positions)
        image = rendering.render(positions, faces, camera, near=0.5, far=10.0)
        loss = tf.reduce_sum(image[..., 3]) + tf.reduce_sum(image[..., 0])
    gradient = tape.gradient(loss, positions).numpy()[0]
    assert np.all(np.isfinite(gradient))
    # Coverage grows when the sphere grows: the radial gradient is positive on the rim.
    assert np.sum(gradient * vertices) > 0


def test_bad_arguments_raise_named_errors():
    vertices, faces = sphere(1)
    camera = looking_camera([0.0, 0.0, 3.0], 16, 16, focal=20.0)
    with pytest.raises(ValueError, match="material must be one of"):
        rendering.render(vertices[None], faces, camera, near=0.5, far=10.0, material="toon")
    with pytest.raises(ValueError, match="camera must be a graphics_ops.camera.Camera"):
        rendering.render(vertices[None], faces, "camera", near=0.5, far=10.0)
    with pytest.raises(ValueError, match="uv and texture_image must be given together"):
        rendering.render(vertices[None], faces, camera, near=0.5, far=10.0, uv=vertices[:, :2])
    with pytest.raises(ValueError, match=r"vertices must have shape \[B, V, 3\]"):
        rendering.render(vertices, faces, camera, near=0.5, far=10.0)
    with pytest.raises(ValueError, match="0 < near < far"):
        rendering.render(vertices[None], faces, camera, near=0.0, far=10.0)
    distorted = camera.replace(distortion=[0.1, 0.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="without lens distortion"):
        rendering.render(vertices[None], faces, distorted, near=0.5, far=10.0)

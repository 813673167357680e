"""A small differentiable renderer composed of the primitives: camera, rasterize, shade, antialias.

`render` draws triangle meshes seen by a `graphics_ops.camera.Camera` into RGBA images: albedo from
per-vertex colours or a texture, a BRDF of `graphics_ops.reflectance` lit by directional lights and
an ambient light, the background behind, and silhouettes antialiased so that the alpha and colour
have gradients with respect to the vertex positions there. Everything it does can be done with the
primitives directly when something else is needed (deferred shading, other lights, several meshes).
"""

import math
import typing

import tensorflow as tf

from graphics_ops.camera import camera as camera_lib
from graphics_ops.lighting import directional_light
from graphics_ops.mesh import normals as normals_lib
from graphics_ops.reflectance import blinn_phong, ggx, lambertian
from graphics_ops.rendering import antialiasing, interpolation, texture
from graphics_ops.rendering import rasterization as rasterization_lib
from graphics_ops.util import safe_ops, shape, trace_hook, vector

MATERIALS = ("lambertian", "blinn_phong", "ggx", "unlit")
_DEFAULT_ALBEDO = 0.8


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def render(
    vertices,
    faces,
    camera,
    *,
    near,
    far,
    colors=None,
    uv=None,
    texture_image=None,
    material="lambertian",
    shininess=32.0,
    metallic=0.0,
    roughness=0.5,
    light_directions=None,
    light_radiance=None,
    ambient=(0.0, 0.0, 0.0),
    background=(0.0, 0.0, 0.0),
    cull="back",
    antialiased=True,
    topology=None,
    fragment_pass_size=None,
    name="render",
):
    """Renders meshes sharing their faces into RGBA images of the camera's size.

    Args:
      vertices: A tensor of shape `[B, V, 3]`: world positions.
      faces: An integer tensor of shape `[F, 3]`, counterclockwise seen from outside.
      camera: A `Camera` of batch shape `[]` (shared) or `[B]`, without lens distortion.
      near: The depth of the near clipping plane, a positive Python float.
      far: The depth of the far clipping plane, a Python float > `near`.
      colors: None, or a tensor of shape `[B, V, 3]` or `[V, 3]`: linear RGB albedo (or base
        colour) per vertex; 0.8 grey if neither it nor a texture is given.
      uv: None, or a tensor of shape `[B, V, 2]` or `[V, 2]`: texture coordinates (see
        `rendering.texture`); needs `texture_image`.
      texture_image: None, or a tensor of shape `[Ht, Wt, 3]` or `[B, Ht, Wt, 3]`: the albedo.
      material: "lambertian", "blinn_phong" (albedo times a Lambertian diffuse lobe plus a white
        normalized Blinn-Phong lobe of `shininess`), "ggx" (glTF metallic-roughness, with
        `metallic` and `roughness`) or "unlit" (the albedo as is).
      shininess: A Python float: the Blinn-Phong exponent.
      metallic: A Python float in [0, 1], for "ggx".
      roughness: A Python float in [0, 1], for "ggx".
      light_directions: None, or a tensor of shape `[L, 3]`: directions the directional lights
        travel (toward the scene). None gives one light along the camera's optical axis.
      light_radiance: None, or a tensor of shape `[L, 3]`: their irradiance on a surface facing
        them; None gives π per light, so that a Lambertian surface facing it shows its albedo.
      ambient: A tensor of shape `[3]`: ambient radiance; every lit surface adds `albedo * ambient`.
      background: A tensor of shape `[3]`: the colour where no triangle is seen.
      cull: As for `rasterize`; "back" suits closed meshes.
      antialiased: Whether to antialias the silhouettes (which gives their gradients).
      topology: None, or `edge_topology(faces)`, to reuse it across calls.
      fragment_pass_size: As for `rasterize`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H, W, 4]` (H, W the camera's image size): linear RGB and coverage.

    Raises:
      ValueError: For bad shapes or arguments.
    """
    if material not in MATERIALS:
        raise ValueError(f"material must be one of {MATERIALS}, got {material!r}")
    if not isinstance(camera, camera_lib.Camera):
        raise ValueError(f"camera must be a graphics_ops.camera.Camera, got {type(camera).__name__}")
    if camera.batch_shape.rank not in (0, 1):
        raise ValueError(f"camera must have batch shape [] or [B], got {camera.batch_shape}")
    if (uv is None) != (texture_image is None):
        raise ValueError("uv and texture_image must be given together")
    with tf.name_scope(name):
        (vertices,) = shape.check_inputs(unbatched=("vertices",), vertices=(vertices, ("B", "V", 3)))
        dtype = vertices.dtype
        view = camera[:, None] if camera.batch_shape.rank == 1 else camera
        clip_vertices = view.to_clip(vertices, near, far)
        if topology is None and antialiased:
            topology = antialiasing.edge_topology(faces)
        rasterization = rasterization_lib.rasterize(
            clip_vertices, faces, (camera.height, camera.width), cull=cull, fragment_pass_size=fragment_pass_size
        )
        covered = tf.cast(rasterization.triangle_id >= 0, dtype)[..., None]
        albedo = _albedo(colors, uv, texture_image, rasterization, faces, dtype)
        if material == "unlit":
            shaded = albedo
        else:
            lighting = _Lighting(material, shininess, metallic, roughness, light_directions, light_radiance, ambient)
            shaded = _shade(vertices, faces, camera, rasterization, albedo, lighting)
        (background,) = shape.check_inputs(background=(tf.cast(background, dtype), 3))
        rgb = covered * shaded + (1.0 - covered) * background
        rgba = tf.concat([rgb, covered], axis=-1)
        if not antialiased:
            return rgba
        return antialiasing.antialias(rgba, rasterization, clip_vertices, faces, topology)


def _albedo(colors, uv, texture_image, rasterization, faces, dtype):
    if texture_image is not None:
        pixel_uv = interpolation.interpolate(tf.cast(uv, dtype), rasterization, faces)
        return texture.sample_texture(tf.cast(texture_image, dtype), pixel_uv)
    if colors is None:
        return tf.fill(tf.concat([tf.shape(rasterization.triangle_id), [3]], 0), tf.constant(_DEFAULT_ALBEDO, dtype))
    return interpolation.interpolate(colors, rasterization, faces)


class _Lighting(typing.NamedTuple):
    """`render`'s material and light arguments."""

    material: str
    shininess: float
    metallic: float
    roughness: float
    light_directions: typing.Any
    light_radiance: typing.Any
    ambient: typing.Any


def _shade(vertices, faces, camera, rasterization, albedo, lighting):
    """Radiance `[B, H, W, 3]` reflected toward the camera by the visible surface points."""
    material, shininess, metallic, roughness, light_directions, light_radiance, ambient = lighting
    dtype = vertices.dtype
    vertex_normals = normals_lib.vertex_normals(vertices, faces)
    normal = safe_ops.normalize(interpolation.interpolate(vertex_normals, rasterization, faces))
    position = interpolation.interpolate(vertices, rasterization, faces)
    view = camera[:, None, None] if camera.batch_shape.rank == 1 else camera
    if light_directions is None:
        # A headlight along each camera's optical axis: shade in camera coordinates, where it is the
        # same light, +z, for every camera of a batch.
        normal = vector.matvec(view.rotation, normal)
        position = view.world_to_camera(position)
        eye = tf.zeros_like(position)
        light_directions = tf.constant([[0.0, 0.0, 1.0]], dtype)
    else:
        eye = view.position + tf.zeros_like(position)
        light_directions = tf.cast(light_directions, dtype)
    if light_radiance is None:
        light_radiance = tf.fill(tf.shape(light_directions), tf.constant(math.pi, dtype))
    light_radiance = tf.cast(light_radiance, dtype)
    albedo = albedo[..., None, :]  # one axis for the lights

    def brdf(incoming, outgoing, surface_normal):
        if material == "lambertian":
            return lambertian.brdf(incoming, outgoing, surface_normal, albedo)
        if material == "blinn_phong":
            white = tf.ones_like(albedo)
            return lambertian.brdf(incoming, outgoing, surface_normal, albedo) + blinn_phong.brdf(
                incoming, outgoing, surface_normal, tf.fill(tf.shape(albedo[..., :1]), tf.cast(shininess, dtype)), white
            )
        return ggx.brdf(
            incoming,
            outgoing,
            surface_normal,
            albedo,
            tf.fill(tf.shape(albedo[..., :1]), tf.cast(metallic, dtype)),
            tf.fill(tf.shape(albedo[..., :1]), tf.cast(roughness, dtype)),
        )

    reflected = directional_light.estimate_radiance(light_radiance, light_directions, position, normal, eye, brdf)
    return tf.reduce_sum(reflected, axis=-2) + albedo[..., 0, :] * tf.cast(ambient, dtype)

"""Directional lights (a distant sun): parallel light of the same irradiance everywhere.

The same API and conventions as `point_light`: `light_direction` is the direction the light
travels, toward the surface (three.js' `DirectionalLight` points the other way, from the target to
the light), `light_radiance` is the irradiance it casts on a surface facing it (three.js'
`color * intensity`), light or view below the surface gives 0, and lights `[B1, ..., Bm]` and
surface points `[A1, ..., An]` give results of shape `[A1, ..., An, B1, ..., Bm, k]`.
"""

import tensorflow as tf

from graphics_ops.lighting import _common
from graphics_ops.util import safe_ops, shading, trace_hook, vector


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def incoming_light(light_radiance, light_direction, surface_point_position, name="directional_light_incoming_light"):
    """The direction and irradiance of the light each directional light casts on each surface point.

    Args:
      light_radiance: A tensor of shape `[B1, ..., Bm, K]`: the irradiance on a surface facing the
        light, per channel.
      light_direction: A tensor of shape `[B1, ..., Bm, 3]`: the direction the light travels (any
        nonzero length; a zero vector gives no light).
      surface_point_position: A tensor of shape `[A1, ..., An, 3]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, B1, ..., Bm, 3]`: unit directions of the light (toward the
      surface), and a tensor of shape `[A1, ..., An, B1, ..., Bm, K]`: the irradiance on a surface
      facing the light. The irradiance on a surface with normal n is this times
      `max(dot(-direction, n), 0)`.
    """
    with tf.name_scope(name):
        (radiance, direction), (surface,) = _common.check_light_inputs(
            lights={"light_radiance": (light_radiance, None), "light_direction": (light_direction, 3)},
            surfaces={"surface_point_position": (surface_point_position, 3)},
        )
        direction = safe_ops.normalize(direction)
        lit = tf.cast(vector.dot(direction, direction) > 0.5, radiance.dtype)
        zeros = tf.zeros_like(surface[..., :1])
        return direction + zeros + tf.zeros_like(radiance[..., :1]), radiance * lit + zeros


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def estimate_radiance(
    light_radiance,
    light_direction,
    surface_point_position,
    surface_point_normal,
    observation_point,
    brdf,
    name="directional_light_estimate_radiance",
):
    """Estimates the radiance of directional lights reflected from surface points toward observation points.

    `E brdf(l, v, n) cos θ`, where l is the light's unit direction, v the unit direction from the
    surface point to the observation point, and θ the angle between -l and the normal n. 0 where
    the light or the observation point is below the surface; light along the surface (cos θ = 0)
    also contributes exactly 0. Values and gradients are finite for every input, provided
    `brdf`'s are.

    Args:
      light_radiance, light_direction, surface_point_position: As for `incoming_light`.
      surface_point_normal: A tensor of shape `[A1, ..., An, 3]`: unit normals.
      observation_point: A tensor of shape `[A1, ..., An, 3]`.
      brdf: A function of `(direction_incoming_light, direction_outgoing_light, surface_normal)`,
        tensors of shape `[A1, ..., An, B1, ..., Bm, 3]`, returning the BRDF, of shape
        `[A1, ..., An, B1, ..., Bm, K]` (or broadcastable to it).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, B1, ..., Bm, K]`.
    """
    with tf.name_scope(name):
        (radiance, direction), (surface, normal, observation) = _common.check_light_inputs(
            lights={"light_radiance": (light_radiance, None), "light_direction": (light_direction, 3)},
            surfaces={
                "surface_point_position": (surface_point_position, 3),
                "surface_point_normal": (surface_point_normal, 3),
                "observation_point": (observation_point, 3),
            },
        )
        incoming = safe_ops.normalize(direction) + tf.zeros_like(surface)
        outgoing = safe_ops.normalize(observation - surface)
        cos_incoming = vector.dot(-incoming, normal)
        cos_outgoing = vector.dot(outgoing, normal)
        reflected = radiance * brdf(incoming, outgoing, normal) * cos_incoming
        return shading.where_above_surface(cos_incoming, cos_outgoing, reflected)

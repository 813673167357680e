"""Point lights: light arriving at, and reflected from, surface points.

`estimate_radiance` has TensorFlow Graphics' name, arguments (including the position of `name`
before `reflected_light_fall_off`) and conventions (`rendering.light.point_light`): a light of
radiance P at distance d casts `P / (4π d²)` on a surface facing it (P is the light's radiant
power, spread evenly over the 4π sphere), the incoming light direction points from the light
toward the surface, and light or view below the surface gives 0. Lights have batch dimensions
`[B1, ..., Bm]` and surface points `[A1, ..., An]`; each surface point is lit by each light, so
results have shape `[A1, ..., An, B1, ..., Bm, k]`.

Beyond it: `incoming_light` (the same API as `directional_light.incoming_light`), and finite
values and gradients when the light is exactly at the surface point (it then contributes 0,
instead of TensorFlow Graphics' nan) or the observation point is.

three.js' `PointLight(color, intensity)` with its default decay 2 casts `color * intensity / d²`,
so it corresponds to `point_light_radiance = 4π * intensity * color` (three.js also floors d² at
0.01 and can fade the light out toward its `distance`; neither is modelled here).
"""

import math

import tensorflow as tf

from graphics_ops.lighting import _common
from graphics_ops.util import shading, trace_hook, vector


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def incoming_light(
    point_light_radiance, point_light_position, surface_point_position, name="point_light_incoming_light"
):
    """The direction and irradiance of the light each point light casts on each surface point.

    Args:
      point_light_radiance: A tensor of shape `[B1, ..., Bm, K]`: the lights' power per channel.
      point_light_position: A tensor of shape `[B1, ..., Bm, 3]`.
      surface_point_position: A tensor of shape `[A1, ..., An, 3]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, B1, ..., Bm, 3]`: unit directions from the light toward the
      surface point (zero where the light is at the point), and a tensor of shape
      `[A1, ..., An, B1, ..., Bm, K]`: `P / (4π d²)`, the irradiance on a surface facing the light
      (0 where the light is at the point, closer than `safe_ops.tiny`). The irradiance on a
      surface with normal n is this times `max(dot(-direction, n), 0)`.
    """
    with tf.name_scope(name):
        (radiance, position), (surface,) = _common.check_light_inputs(
            lights=_lights(point_light_radiance, point_light_position),
            surfaces={"surface_point_position": (surface_point_position, 3)},
        )
        direction, inverse_square = _common.direction_and_inverse_square(surface - position)
        irradiance = radiance * inverse_square / (4.0 * math.pi)
        return direction + tf.zeros_like(irradiance[..., :1]), irradiance


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def estimate_radiance(
    point_light_radiance,
    point_light_position,
    surface_point_position,
    surface_point_normal,
    observation_point,
    brdf,
    name="estimate_radiance",
    reflected_light_fall_off=False,
):
    """Estimates the radiance of point lights reflected from surface points toward observation points.

    `P brdf(l, v, n) cos θ / (4π d²)`, where l is the unit direction from the light to the surface
    point, v the one from the surface point to the observation point, θ the angle between -l and
    the normal n, and d the light's distance. 0 where the light or the observation point is below
    the surface (a negative cosine with the normal), or the light is at the surface point; light
    along the surface (cos θ = 0) also contributes exactly 0. Values and gradients are finite for
    every input, provided `brdf`'s are.

    Args:
      point_light_radiance: A tensor of shape `[B1, ..., Bm, K]`: the lights' power per channel.
      point_light_position: A tensor of shape `[B1, ..., Bm, 3]`.
      surface_point_position: A tensor of shape `[A1, ..., An, 3]`.
      surface_point_normal: A tensor of shape `[A1, ..., An, 3]`: unit normals.
      observation_point: A tensor of shape `[A1, ..., An, 3]`.
      brdf: A function of `(direction_incoming_light, direction_outgoing_light, surface_normal)`,
        tensors of shape `[A1, ..., An, B1, ..., Bm, 3]`, returning the BRDF, of shape
        `[A1, ..., An, B1, ..., Bm, K]` (or broadcastable to it); for example
        `lambda l, v, n: lambertian.brdf(l, v, n, albedo)`.
      name: A name for this op.
      reflected_light_fall_off: Whether to also divide by the squared distance from the surface
        point to the observation point (0 where they coincide).

    Returns:
      A tensor of shape `[A1, ..., An, B1, ..., Bm, K]`.
    """
    with tf.name_scope(name):
        (radiance, position), (surface, normal, observation) = _common.check_light_inputs(
            lights=_lights(point_light_radiance, point_light_position),
            surfaces={
                "surface_point_position": (surface_point_position, 3),
                "surface_point_normal": (surface_point_normal, 3),
                "observation_point": (observation_point, 3),
            },
        )
        incoming, inverse_square = _common.direction_and_inverse_square(surface - position)
        outgoing, inverse_square_outgoing = _common.direction_and_inverse_square(observation - surface)
        cos_incoming = vector.dot(-incoming, normal)
        cos_outgoing = vector.dot(outgoing, normal)
        reflected = radiance * brdf(incoming, outgoing, normal) * cos_incoming * inverse_square / (4.0 * math.pi)
        if reflected_light_fall_off:
            reflected = reflected * inverse_square_outgoing
        return shading.where_above_surface(cos_incoming, cos_outgoing, reflected)


def _lights(point_light_radiance, point_light_position):
    return {"point_light_radiance": (point_light_radiance, None), "point_light_position": (point_light_position, 3)}

"""Ambient light: the same radiance arriving from every direction.

Lights have batch dimensions `[B1, ..., Bm]` and surface points `[A1, ..., An]`, and results have
shape `[A1, ..., An, B1, ..., Bm, k]`, as for `point_light` and `directional_light`. A surface
under ambient radiance L receives the irradiance E = π L, whatever its normal; three.js'
`AmbientLight` `color * intensity` is that irradiance E (its diffuse term is `E * albedo / π`).
"""

import tensorflow as tf

from graphics_ops.lighting import _common
from graphics_ops.util import trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def estimate_radiance(light_radiance, albedo, name="ambient_light_estimate_radiance"):
    """The radiance a Lambertian surface reflects under ambient light: `albedo * light_radiance`.

    The integral of the Lambertian BRDF `albedo / π` times `light_radiance cos θ` over the
    hemisphere, for any view direction above the surface. For a glTF metallic-roughness material
    the diffuse albedo is `(1 - metallic) * base_color`; its specular part under ambient light
    needs the directional albedo of the GGX lobe, which this does not model.

    Args:
      light_radiance: A tensor of shape `[B1, ..., Bm, K]`: the radiance arriving from every
        direction, per channel.
      albedo: A tensor of shape `[A1, ..., An, K]`: the surfaces' diffuse albedo.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, B1, ..., Bm, K]`.
    """
    with tf.name_scope(name):
        (radiance,), (albedo,) = _common.check_light_inputs(
            lights={"light_radiance": (light_radiance, "K")}, surfaces={"albedo": (albedo, "K")}
        )
        return albedo * radiance

"""The Blinn-Phong specular BRDF, with Giesen's energy-conserving normalization.

Names, argument order and conventions follow TensorFlow Graphics' `rendering.reflectance.blinn_phong`:
the incoming light direction points toward the surface, the outgoing one away from it, the BRDF
is `albedo * max(n . h, 0) ** shininess` with the half vector `h = normalize(outgoing - incoming)`,
times `(s + 2) (s + 4) / (8π (2 ** (-s / 2) + s))` for `s = shininess` when normalized (F. Giesen,
"Derivation of Phong and Blinn-Phong BRDF normalization factors", 2009), and it is 0 where the
light or the view is below the surface. Shapes are `[A1, ..., An, k]`, where the batch dimensions
broadcast between arguments.
"""

import math

import tensorflow as tf

from graphics_ops.reflectance import _common
from graphics_ops.util import safe_ops, shading, vector


@tf.autograph.experimental.do_not_convert
def brdf(
    direction_incoming_light,
    direction_outgoing_light,
    surface_normal,
    shininess,
    albedo,
    brdf_normalization=True,
    name="blinn_phong_brdf",
):
    """Evaluates the specular BRDF of the Blinn-Phong model.

    Values and gradients are finite everywhere, including where the half vector is zero (light
    and view opposite, along the surface), where it is taken as zero and the lobe as 0.

    Args:
      direction_incoming_light: A tensor of shape `[A1, ..., An, 3]`: unit, toward the surface.
      direction_outgoing_light: A tensor of shape `[A1, ..., An, 3]`: unit, away from it to the viewer.
      surface_normal: A tensor of shape `[A1, ..., An, 3]`: unit normals.
      shininess: A tensor of shape `[A1, ..., An, 1]`: non-negative exponents.
      albedo: A tensor of shape `[A1, ..., An, 3]`: albedo in [0, 1] (not checked).
      brdf_normalization: Whether to apply Giesen's normalization factor.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`: the BRDF, 0 where the light or the view is below the
      surface.
    """
    with tf.name_scope(name):
        incoming, outgoing, normal, (shininess, albedo), cos_incoming, cos_outgoing = _common.check_inputs(
            direction_incoming_light,
            direction_outgoing_light,
            surface_normal,
            shininess=(shininess, 1),
            albedo=(albedo, 3),
        )
        half = safe_ops.normalize(outgoing - incoming)
        cos_alpha = tf.maximum(vector.dot(normal, half), 0.0)
        lobe = albedo * _common.power(cos_alpha, shininess)
        if brdf_normalization:
            lobe = lobe * _normalization_factor(shininess)
        return shading.where_above_surface(cos_incoming, cos_outgoing, lobe)


def _normalization_factor(shininess):
    """(s + 2) (s + 4) / (8π (2^(-s/2) + s)); the denominator is at least 8π for s >= 0."""
    power_of_two = tf.exp(-0.5 * math.log(2.0) * shininess)
    return (shininess + 2.0) * (shininess + 4.0) / (8.0 * math.pi * (power_of_two + shininess))

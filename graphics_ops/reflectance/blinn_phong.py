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
from graphics_ops.util import safe_ops, trace_hook, vector


@trace_hook.op
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
    """Evaluates the Blinn-Phong specular BRDF: `[A1, ..., An, 3]`, 0 where the light or the view is below.

    The directions and normals are unit `[A1, ..., An, 3]`, `shininess` non-negative exponents
    `[A1, ..., An, 1]` and `albedo` `[A1, ..., An, 3]` in [0, 1] (not checked). Values and gradients
    are finite everywhere, including where the half vector is zero (light and view opposite, along
    the surface), where it is taken as zero and the lobe as 0.
    """
    with tf.name_scope(name):
        return _common.specular_brdf(
            direction_incoming_light,
            direction_outgoing_light,
            surface_normal,
            shininess,
            albedo,
            _cos_normal_half,
            _normalization_factor if brdf_normalization else None,
        )


def _cos_normal_half(incoming, outgoing, normal, _cos_incoming):
    return vector.dot(normal, safe_ops.normalize(outgoing - incoming))


def _normalization_factor(shininess):
    """(s + 2) (s + 4) / (8π (2^(-s/2) + s)); the denominator is at least 8π for s >= 0."""
    power_of_two = tf.exp(-0.5 * math.log(2.0) * shininess)
    return (shininess + 2.0) * (shininess + 4.0) / (8.0 * math.pi * (power_of_two + shininess))

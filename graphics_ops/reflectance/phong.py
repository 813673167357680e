"""The Phong specular BRDF, with the energy-conserving normalization of the modified Phong model.

Names, argument order and conventions follow TensorFlow Graphics' `rendering.reflectance.phong`:
the incoming light direction points toward the surface, the outgoing one away from it, the BRDF
is `albedo * max(cos α, 0) ** shininess`, where α is the angle between the mirror reflection of
the light and the outgoing direction, times `(shininess + 2) / (2π)` when normalized (Lafortune
and Willems, "Using the modified Phong reflectance model for physically based rendering", 1994),
and it is 0 where the light or the view is below the surface. Shapes are `[A1, ..., An, k]`,
where the batch dimensions broadcast between arguments.
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
    name="phong_brdf",
):
    """Evaluates the Phong specular BRDF: `[A1, ..., An, 3]`, 0 where the light or the view is below.

    The directions and normals are unit `[A1, ..., An, 3]`, `shininess` non-negative exponents
    `[A1, ..., An, 1]` and `albedo` `[A1, ..., An, 3]` in [0, 1] (not checked). `brdf_normalization`
    multiplies by `(shininess + 2) / (2π)`, which keeps the directional albedo at normal incidence
    equal to `albedo`. Values and gradients are finite everywhere: outside the lobe (cos α <= 0) the
    value is 0 (1 for `shininess == 0`) and so are its gradients, also w.r.t. `shininess`, where the
    naive `pow` gives nan.
    """
    with tf.name_scope(name):
        return _common.specular_brdf(
            direction_incoming_light,
            direction_outgoing_light,
            surface_normal,
            shininess,
            albedo,
            _cos_reflected_outgoing,
            _normalization_factor if brdf_normalization else None,
        )


def _cos_reflected_outgoing(incoming, outgoing, normal, cos_incoming):
    # Mirror reflection of the incoming direction: incoming - 2 (incoming . n) n.
    return vector.dot(safe_ops.normalize(incoming + 2.0 * cos_incoming * normal), outgoing)


def _normalization_factor(shininess):
    return (shininess + 2.0) / (2.0 * math.pi)

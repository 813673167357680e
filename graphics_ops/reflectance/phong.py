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
from graphics_ops.util import safe_ops, shading, vector


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
    """Evaluates the specular BRDF of the Phong model.

    Values and gradients are finite everywhere: outside the lobe (cos α <= 0) the value is 0
    (1 for `shininess == 0`) and so are its gradients, also w.r.t. `shininess`, where the naive
    `pow` gives nan.

    Args:
      direction_incoming_light: A tensor of shape `[A1, ..., An, 3]`: unit, toward the surface.
      direction_outgoing_light: A tensor of shape `[A1, ..., An, 3]`: unit, away from it to the viewer.
      surface_normal: A tensor of shape `[A1, ..., An, 3]`: unit normals.
      shininess: A tensor of shape `[A1, ..., An, 1]`: non-negative exponents.
      albedo: A tensor of shape `[A1, ..., An, 3]`: albedo in [0, 1] (not checked).
      brdf_normalization: Whether to multiply by `(shininess + 2) / (2π)`, which keeps the
        directional albedo at normal incidence equal to `albedo`.
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
        # Mirror reflection of the incoming direction: incoming - 2 (incoming . n) n.
        reflected = safe_ops.normalize(incoming + 2.0 * cos_incoming * normal)
        cos_alpha = tf.maximum(vector.dot(reflected, outgoing), 0.0)
        lobe = albedo * _common.power(cos_alpha, shininess)
        if brdf_normalization:
            lobe = lobe * ((shininess + 2.0) / (2.0 * math.pi))
        return shading.where_above_surface(cos_incoming, cos_outgoing, lobe)

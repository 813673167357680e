"""Private helpers of the reflectance models: argument checks, powers and the Phong-type lobe."""

import tensorflow as tf

from graphics_ops.util import safe_ops, shading, shape


def check_inputs(direction_incoming_light, direction_outgoing_light, surface_normal, **parameters):
    """Checks the arguments of a BRDF and computes the cosines of the two directions with the normal.

    Args:
      direction_incoming_light: A tensor of shape `[A1, ..., An, 3]`, pointing toward the surface.
      direction_outgoing_light: A tensor of shape `[A1, ..., An, 3]`, pointing away from it.
      surface_normal: A tensor of shape `[A1, ..., An, 3]`.
      **parameters: The model's other arguments, `name=(value, inner_shape)` as for
        `shape.check_inputs`.

    Returns:
      The incoming, outgoing and normal tensors, a list of the parameter tensors, and the cosines
      `[A1, ..., An, 1]` of `shading.cosines`.
    """
    incoming, outgoing, normal, *values = shape.check_inputs(
        direction_incoming_light=(direction_incoming_light, 3),
        direction_outgoing_light=(direction_outgoing_light, 3),
        surface_normal=(surface_normal, 3),
        **parameters,
    )
    return (incoming, outgoing, normal, values, *shading.cosines(incoming, outgoing, normal))


def power(base, exponent):
    """`base ** exponent` for `base >= 0`, `exponent >= 0`, with finite gradients everywhere.

    `0 ** 0` is 1 and `0 ** s` is 0 for `s > 0`; at `base == 0` both gradients are 0 (the true
    derivative in `base` is infinite there for `0 < s < 1`). Positive bases below `tiny` are
    raised to `tiny`, so that `s * base ** (s - 1)` cannot overflow; the value changes by less
    than `tiny ** s` there.
    """
    positive = base > 0.0
    safe_base = tf.where(positive, tf.maximum(base, safe_ops.tiny(base.dtype)), tf.ones_like(base))
    at_zero = tf.cast(tf.equal(exponent, 0.0), base.dtype)
    return tf.where(positive, tf.pow(safe_base, exponent), at_zero)


def specular_brdf(
    direction_incoming_light,
    direction_outgoing_light,
    surface_normal,
    shininess,
    albedo,
    lobe_cosine,
    normalization=None,
):
    """`albedo * max(cos α, 0) ** shininess`, times `normalization(shininess)` if given, 0 below the surface.

    The Phong-type lobes differ only in `lobe_cosine(incoming, outgoing, normal, cos_incoming)`,
    which gives cos α `[A1, ..., An, 1]` from the checked arguments.
    """
    incoming, outgoing, normal, (shininess, albedo), cos_incoming, cos_outgoing = check_inputs(
        direction_incoming_light,
        direction_outgoing_light,
        surface_normal,
        shininess=(shininess, 1),
        albedo=(albedo, 3),
    )
    cos_alpha = tf.maximum(lobe_cosine(incoming, outgoing, normal, cos_incoming), 0.0)
    lobe = albedo * power(cos_alpha, shininess)
    if normalization is not None:
        lobe = lobe * normalization(shininess)
    return shading.where_above_surface(cos_incoming, cos_outgoing, lobe)

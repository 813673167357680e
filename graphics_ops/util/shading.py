"""Shading helpers of the reflectance models and the lights: cosines with the normal, the below-surface mask."""

import tensorflow as tf

from graphics_ops.util import vector


def cosines(direction_incoming_light, direction_outgoing_light, surface_normal):
    """Cosines of the light (reversed, so pointing away from the surface) and the view with the normal.

    Args:
      direction_incoming_light: A tensor of shape `[A1, ..., An, 3]`, pointing toward the surface.
      direction_outgoing_light: A tensor of shape `[A1, ..., An, 3]`, pointing away from it.
      surface_normal: A tensor of shape `[A1, ..., An, 3]`.

    Returns:
      Two tensors of shape `[A1, ..., An, 1]`: `dot(-incoming, normal)` and `dot(outgoing, normal)`.
    """
    return (
        vector.dot(-direction_incoming_light, surface_normal),
        vector.dot(direction_outgoing_light, surface_normal),
    )


def where_above_surface(cos_incoming, cos_outgoing, value):
    """`value` where both the light and the view are on the normal's side (cosines >= 0), else 0.

    TensorFlow Graphics' rule: a cosine of exactly 0 (grazing) counts as above the surface. The
    result has the broadcast shape of `value` and the cosines, so a shared `albedo` of shape `[3]`
    still gives one value per direction.
    """
    above = tf.minimum(cos_incoming, cos_outgoing) >= 0.0
    return tf.where(above, value, tf.zeros_like(value))

"""The Lambertian (ideal diffuse) BRDF, albedo / π.

Names, argument order and conventions follow TensorFlow Graphics' `rendering.reflectance.lambertian`:
the incoming light direction points toward the surface, the outgoing one away from it, all
directions and the normal are unit vectors (not normalized here), and the BRDF is 0 where the
light or the view is below the surface (a negative cosine with the normal). Shapes are
`[A1, ..., An, k]`, where the batch dimensions broadcast between arguments.
"""

import math

import tensorflow as tf

from graphics_ops.reflectance import _common
from graphics_ops.util import shading, trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def brdf(direction_incoming_light, direction_outgoing_light, surface_normal, albedo, name="lambertian_brdf"):
    """Evaluates the BRDF of a Lambertian surface.

    Light arriving or leaving exactly along the surface (a cosine of 0) counts as above it, as in
    TensorFlow Graphics; its contribution to reflected radiance is still 0, since the rendering
    equation multiplies the BRDF by that cosine.

    Args:
      direction_incoming_light: A tensor of shape `[A1, ..., An, 3]`: unit, toward the surface.
      direction_outgoing_light: A tensor of shape `[A1, ..., An, 3]`: unit, away from it to the viewer.
      surface_normal: A tensor of shape `[A1, ..., An, 3]`: unit normals.
      albedo: A tensor of shape `[A1, ..., An, 3]`: albedo in [0, 1] (not checked).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`: `albedo / π`, or 0 where the light or the view is below
      the surface.
    """
    with tf.name_scope(name):
        incoming, outgoing, normal, (albedo,), cos_incoming, cos_outgoing = _common.check_inputs(
            direction_incoming_light, direction_outgoing_light, surface_normal, albedo=(albedo, 3)
        )
        return shading.where_above_surface(cos_incoming, cos_outgoing, albedo / math.pi)

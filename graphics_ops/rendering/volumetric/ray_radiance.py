"""Colour of rays through a radiance field (TensorFlow Graphics' `rendering.volumetric.ray_radiance`).

NeRF's quadrature, as in `ray_density`: a ray's colour is the sum of its samples' colours times
their weights (not normalised: a ray that is not opaque is darker, composite a background with
`(1 - opacity) * background`). The same difference from TensorFlow Graphics as `ray_density`.
"""

import tensorflow as tf

from graphics_ops.rendering.volumetric import _quadrature
from graphics_ops.util import shape, trace_hook


@trace_hook.op
def compute_radiance(rgba_values, distances, name=None):
    """Colour and opacity of rays, and the weights of their samples.

    Args:
      rgba_values: A tensor of shape `[A1, ..., An, N, 4]`: at the N samples of each ray, a colour
        (3) and a non-negative density (1).
      distances: A tensor of shape `[A1, ..., An, N]`: the finite, non-negative distance from each
        sample to the next.
      name: A name for this op (default "ray_radiance").

    Returns:
      A tensor of shape `[A1, ..., An, 3]`: the colour of each ray, a tensor of shape
      `[A1, ..., An, 1]`: its opacity, and a tensor of shape `[A1, ..., An, N]`: the weight of each
      sample.
    """
    with tf.name_scope(name or "ray_radiance"):
        rgba_values, distances = shape.check_inputs(rgba_values=(rgba_values, ("N", 4)), distances=(distances, "N"))
        rgb, density = rgba_values[..., :3], rgba_values[..., 3]
        opacity, weights = _quadrature.opacity_and_weights(density * distances)
        return tf.reduce_sum(weights[..., None] * rgb, axis=-2), opacity, weights


__all__ = ["compute_radiance"]

"""Opacity of rays through a density field (TensorFlow Graphics' `rendering.volumetric.ray_density`).

NeRF's quadrature (Mildenhall et al. 2020): the N samples along a ray carry densities sigma_i and
the distances delta_i to the next sample; sample i stops a fraction alpha_i = 1 - exp(-sigma_i delta_i)
of the light that reaches it, the transmittance exp(-sum_{j < i} sigma_j delta_j). Its weight is
their product, and the ray's opacity is 1 - exp(-sum_i sigma_i delta_i), the sum of the weights.

Difference from TensorFlow Graphics: it multiplies the transmittance up as
`tf.math.cumprod(1 - alpha + 1e-10, exclusive=True)`, which adds 1e-10 to every factor and whose
gradient divides by those factors. Here the transmittance is the exponential of a cumulative sum:
exact, and its gradients are finite for any finite non-negative densities and distances (zero
density, zero distance, opaque samples), and `expm1` keeps small opacities accurate.
"""

import tensorflow as tf

from graphics_ops.rendering.volumetric import _quadrature
from graphics_ops.util import shape, trace_hook


@trace_hook.op
def compute_density(density_values, distances, name=None):
    """Opacity of rays and the weights of their samples.

    Args:
      density_values: A tensor of shape `[A1, ..., An, N, 1]`: non-negative densities at the N
        samples of each ray.
      distances: A tensor of shape `[A1, ..., An, N]`: the finite, non-negative distance from each
        sample to the next (NeRF gives the last one a large value, such as 1e10).
      name: A name for this op (default "ray_density").

    Returns:
      A tensor of shape `[A1, ..., An, 1]`: the opacity of each ray, and a tensor of shape
      `[A1, ..., An, N]`: the weight of each sample.
    """
    with tf.name_scope(name or "ray_density"):
        density_values, distances = shape.check_inputs(
            density_values=(density_values, ("N", 1)), distances=(distances, "N")
        )
        return _quadrature.opacity_and_weights(density_values[..., 0] * distances)


__all__ = ["compute_density"]

"""NeRF's quadrature along rays, shared by `ray_density` and `ray_radiance`."""

import tensorflow as tf


def opacity_and_weights(optical_depth):
    """Ray opacities `[A1, ..., An, 1]` and sample weights `[A1, ..., An, N]` from the optical
    depths sigma_i delta_i `[A1, ..., An, N]` of the samples."""
    transmittance = tf.exp(-tf.math.cumsum(optical_depth, axis=-1, exclusive=True))
    weights = transmittance * -tf.math.expm1(-optical_depth)
    opacity = -tf.math.expm1(-tf.reduce_sum(optical_depth, axis=-1, keepdims=True))
    return opacity, weights

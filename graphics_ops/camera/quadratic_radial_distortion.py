"""Quadratic radial lens distortion, with TensorFlow Graphics' API.

A point with projective coordinates (x/z, y/z), at squared radius r² = (x/z)² + (y/z)², is distorted
to f(r²) (x/z, y/z) with the factor f(r²) = 1 + k r², k being the distortion coefficient. The
distorted radius r (1 + k r²) increases with r only while 1 + 3 k r² > 0; beyond that (possible for
k < 0) the distortion folds the image over itself, and both functions report overflow there.

Shapes follow TensorFlow Graphics: squared radii are `[A1, ..., An, H, W]` (one per pixel) and
coefficients are scalars or `[A1, ..., An]` (one per image); the batch dimensions broadcast.

Unlike TensorFlow Graphics, `undistortion_factor` starts Newton's method from a guess that makes it
converge monotonically for any k r'² > -4/27 (so 5 iterations reach float64 rounding except within
about 1% of the limit), takes its gradient from the implicit function theorem rather than through
the iterations, and returns 1 (not garbage) where it reports overflow, so values and gradients stay
finite.
"""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook

_FOLD = 4.0 / 27.0  # k r'² = -4/27 is the distorted radius where r (1 + k r²) stops increasing.


@trace_hook.op
def distortion_factor(squared_radius, distortion_coefficient, name="quadratic_radial_distortion_distortion_factor"):
    """Distortion factors 1 + k r², which multiply projective coordinates to distort them.

    Args:
      squared_radius: A tensor of shape `[A1, ..., An, H, W]`: squared radii r² of undistorted
        projective coordinates, non-negative.
      distortion_coefficient: A tensor of shape `[A1, ..., An]` or a scalar: coefficients k.
      name: A name for this op.

    Returns:
      A tuple of a tensor of shape `[A1, ..., An, H, W]`, the factors, and a bool tensor of the same
      shape, True where 1 + 3 k r² < 0: beyond the radius where the distortion stops being monotonic,
      where the factor no longer describes an invertible distortion.
    """
    with tf.name_scope(name):
        squared_radius, distortion_coefficient = shape.check_inputs(
            squared_radius=(squared_radius, (None, None)), distortion_coefficient=(distortion_coefficient, ())
        )
        coefficient_times_squared_radius = distortion_coefficient[..., None, None] * squared_radius
        factor = 1.0 + coefficient_times_squared_radius
        overflow = 1.0 + 3.0 * coefficient_times_squared_radius < 0.0
        return factor, overflow


@trace_hook.op
def undistortion_factor(
    distorted_squared_radius,
    distortion_coefficient,
    num_iterations=5,
    name="quadratic_radial_distortion_undistortion_factor",
):
    """Undistortion factors, which multiply distorted projective coordinates to undistort them.

    With a = k r'², the factor u solves u (1 + a u²) = 1 (then r = u r' is the undistorted radius).
    It is found by Newton's method, and differentiated as the exact solution.

    Args:
      distorted_squared_radius: A tensor of shape `[A1, ..., An, H, W]`: squared radii r'² of
        distorted projective coordinates, non-negative.
      distortion_coefficient: A tensor of shape `[A1, ..., An]` or a scalar: coefficients k.
      num_iterations: The number of Newton iterations, an int.
      name: A name for this op.

    Returns:
      A tuple of a tensor of shape `[A1, ..., An, H, W]`, the factors, and a bool tensor of the same
      shape, True where k r'² < -4/27: no undistorted radius distorts to r' before the distortion
      stops being monotonic. There, the factor is 1 and its gradient zero.
    """
    with tf.name_scope(name):
        distorted_squared_radius, distortion_coefficient = shape.check_inputs(
            distorted_squared_radius=(distorted_squared_radius, (None, None)),
            distortion_coefficient=(distortion_coefficient, ()),
        )
        product = distortion_coefficient[..., None, None] * distorted_squared_radius
        overflow = product < -_FOLD
        product = tf.where(overflow, tf.zeros_like(product), product)

        if num_iterations == 0:
            return _initial_guess(product), overflow
        stopped = tf.stop_gradient(product)
        factor = _initial_guess(stopped)
        for _ in range(num_iterations - 1):
            factor = _newton_step(factor, stopped)
        # The last step, from the stopped iterate, has the derivative of the exact root: -g_a / g_u.
        return _newton_step(tf.stop_gradient(factor), product), overflow


def _initial_guess(product):
    """A starting point from which Newton's method converges monotonically to the root.

    Above the root for a >= 0, where u + a u³ is convex: with s = (1 + a)^(-1/3),
    s + a s³ - 1 = s - s³ >= 0. Below it for a < 0, where it is concave: 1 - a.
    """
    positive = tf.pow(1.0 + tf.maximum(product, 0.0), -1.0 / 3.0)
    return tf.where(product >= 0.0, positive, 1.0 - product)


def _newton_step(factor, product):
    """One Newton step for g(u) = u + a u³ - 1 = 0, with a lower bound on g'(u) = 1 + 3 a u²."""
    slope = tf.maximum(1.0 + 3.0 * product * tf.square(factor), safe_ops.eps(factor.dtype))
    return factor - (factor + product * factor**3 - 1.0) / slope


__all__ = ["distortion_factor", "undistortion_factor"]

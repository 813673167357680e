"""What the voxel renderers share: their argument checks, and front-to-back transmission."""

import tensorflow as tf

from graphics_ops.util import shape


def check(voxels, axis, **scalars):
    """Checks `[A1, ..., An, Vx, Vy, Vz, Vd]` voxels and the projection axis.

    Args:
      voxels: The voxel grid.
      axis: 0, 1 or 2: the grid axis the rays run along.
      **scalars: Scalar arguments (such as `absorption_factor`), converted to the voxels' dtype.

    Returns:
      The voxels, the axis of the voxel tensor to reduce (negative), and the scalars.
    """
    if axis not in (0, 1, 2):
        raise ValueError(f"axis must be 0, 1 or 2, got {axis!r}")
    voxels, *scalars = shape.check_inputs(
        voxels=(voxels, (None, None, None, None)),
        **{name: (value, ()) for name, value in scalars.items()},
        broadcast=False,
        unbatched=tuple(scalars),
    )
    return voxels, axis - 4, scalars


@tf.custom_gradient
def _exclusive_cumprod_last(x):
    """Products of the values before each position along the last axis, with exact gradients at zeros.

    `tf.math.cumprod`'s gradient divides by the values, and is wrong where one is 0 (an opaque
    voxel): TensorFlow 2.21 gives 0 for d/dx1 of 1 + x0 + x0 x1 at x1 = 0, not x0. The derivative
    with respect to x_k is the sum over later positions i of g_i * prod_{j < i, j != k} x_j: before
    the first zero it is that sum of g_i T_i divided by x_k (nonzero); at the first zero it is the
    same sum with that zero left out of the products; after it, 0.
    """
    products = tf.math.cumprod(x, axis=-1, exclusive=True)

    def gradient(upstream):
        zero = tf.equal(x, 0)
        zeros_so_far = tf.math.cumsum(tf.cast(zero, tf.int32), axis=-1)
        before_first_zero = tf.equal(zeros_so_far, 0)
        first_zero = zero & tf.equal(zeros_so_far, 1)
        later = tf.math.cumsum(upstream * products, axis=-1, exclusive=True, reverse=True)
        before = later / tf.where(before_first_zero, x, tf.ones_like(x))
        without_first_zero = tf.math.cumprod(tf.where(first_zero, tf.ones_like(x), x), axis=-1, exclusive=True)
        at = tf.math.cumsum(upstream * without_first_zero, axis=-1, exclusive=True, reverse=True)
        return tf.where(before_first_zero, before, tf.where(first_zero, at, tf.zeros_like(x)))

    return products, gradient


def exclusive_cumprod(x, axis):
    """`tf.math.cumprod(x, axis, exclusive=True)` whose gradient is finite and exact where x is 0."""
    if axis == -1:
        return _exclusive_cumprod_last(x)
    moveaxis = tf.experimental.numpy.moveaxis
    return moveaxis(_exclusive_cumprod_last(moveaxis(x, axis, -1)), -1, axis)

"""Trilinear interpolation on regular 3D grids (TensorFlow Graphics' `math.interpolation.trilinear`)."""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook


@trace_hook.op
def interpolate(grid_3d, sampling_points, name="trilinear_interpolate"):
    """Samples a voxel grid trilinearly.

    Point `[x, y, z]` indexes `grid_3d[..., x, y, z, :]` (voxel centres at integer coordinates).
    Points outside the grid take the value of the nearest border point, so their gradient with
    respect to the point is zero, as in TensorFlow Graphics.

    Args:
      grid_3d: A tensor of shape `[A1, ..., An, H, W, D, C]`.
      sampling_points: A tensor of shape `[A1, ..., An, M, 3]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, M, C]`.
    """
    with tf.name_scope(name):
        grid_3d, sampling_points = shape.check_inputs(
            grid_3d=(grid_3d, (None, None, None, None)), sampling_points=(sampling_points, (None, 3))
        )
        grid_3d, sampling_points = shape.broadcast((grid_3d, 4), (sampling_points, 2))
        grid_shape = tf.shape(grid_3d)
        sizes = grid_shape[-4:-1]
        batch = grid_shape[:-4]
        flat_grid = tf.reshape(grid_3d, tf.concat([[-1, tf.reduce_prod(sizes)], grid_shape[-1:]], 0))
        flat_points = tf.reshape(sampling_points, tf.stack([tf.shape(flat_grid)[0], -1, 3]))

        largest = tf.cast(sizes - 1, flat_points.dtype)
        points = tf.clip_by_value(flat_points, tf.zeros_like(largest), largest)
        lower = tf.minimum(tf.floor(points), tf.maximum(largest - 1.0, 0.0))
        fraction = points - lower
        lower = tf.cast(lower, tf.int32)
        upper = tf.minimum(lower + 1, sizes - 1)
        strides = tf.stack([sizes[1] * sizes[2], sizes[2], 1])

        result = 0.0
        for corner in range(8):
            pick = [(corner >> axis) & 1 for axis in range(3)]
            index = tf.stack([upper[..., a] if pick[a] else lower[..., a] for a in range(3)], axis=-1)
            weight = tf.reduce_prod(
                tf.stack([fraction[..., a] if pick[a] else 1.0 - fraction[..., a] for a in range(3)], -1), -1
            )
            values = tf.gather(flat_grid, tf.reduce_sum(index * strides, axis=-1), batch_dims=1)
            result += weight[..., None] * values
        out_shape = tf.concat([batch, tf.shape(sampling_points)[-2:-1], grid_shape[-1:]], 0)
        return tf.reshape(result, out_shape)

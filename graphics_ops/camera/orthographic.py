"""Orthographic cameras, with TensorFlow Graphics' `rendering.camera.orthographic` API.

Parallel projection along the camera's z axis: (x, y, z) maps to (x, y), whatever its depth, so
every point has an image (there is nothing behind an orthographic camera). Shapes are
`[A1, ..., An, k]`, where the batch dimensions A1, ..., An broadcast between arguments.
"""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook


@trace_hook.op
def project(point_3d, name="orthographic_project"):
    """Projects 3d points in camera coordinates onto the image plane: (x, y, z) to (x, y).

    Args:
      point_3d: A tensor of shape `[A1, ..., An, 3]`: points in camera coordinates.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 2]`.
    """
    with tf.name_scope(name):
        (point_3d,) = shape.check_inputs(point_3d=(point_3d, 3))
        return point_3d[..., :2]


@trace_hook.op
def ray(point_2d, name="orthographic_ray"):
    """Directions of the rays through image points: (0, 0, 1) everywhere.

    Args:
      point_2d: A tensor of shape `[A1, ..., An, 2]`: image points.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`, whose gradient with respect to `point_2d` is zero.
    """
    with tf.name_scope(name):
        (point_2d,) = shape.check_inputs(point_2d=(point_2d, 2))
        # Built from point_2d (times zero) so that the gradient is a zero tensor rather than None.
        zeros = 0.0 * point_2d
        return tf.concat([zeros, zeros[..., :1] + 1.0], axis=-1)


@trace_hook.op
def unproject(point_2d, depth, name="orthographic_unproject"):
    """The 3d points, in camera coordinates, over image points at given depths: (x, y, z).

    Args:
      point_2d: A tensor of shape `[A1, ..., An, 2]`: image points.
      depth: A tensor of shape `[A1, ..., An, 1]`: depths z.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]` (the batch dimensions broadcast, which TensorFlow
      Graphics does not allow here).
    """
    with tf.name_scope(name):
        point_2d, depth = shape.check_inputs(point_2d=(point_2d, 2), depth=(depth, 1))
        point_2d, depth = shape.broadcast((point_2d, 1), (depth, 1))
        return tf.concat([point_2d, depth], axis=-1)


__all__ = ["project", "ray", "unproject"]

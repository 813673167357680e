"""The Hausdorff distance between point sets (TensorFlow Graphics' `nn.loss.hausdorff_distance`)."""

import tensorflow as tf

from graphics_ops.mesh import distances
from graphics_ops.util import trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate(point_set_a, point_set_b, name="hausdorff_distance_evaluate"):
    """Directed Hausdorff distance: the largest distance from a point of a to its nearest point of b.

    `graphics_ops.mesh.distances.hausdorff_distance` (which also has the symmetric distance). Its
    gradient is finite where the distance is zero (TensorFlow Graphics' square root of the squared
    distance has an infinite one there, 0 * inf = nan in the backward pass).

    Args:
      point_set_a: A tensor of shape `[A1, ..., An, N, D]`, N > 0.
      point_set_b: A tensor of shape `[A1, ..., An, M, D]`, M > 0.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`.
    """
    return distances.hausdorff_distance(point_set_a, point_set_b, name=name)

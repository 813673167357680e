"""The Chamfer distance between point sets (TensorFlow Graphics' `nn.loss.chamfer_distance`)."""

import tensorflow as tf

from graphics_ops.mesh import distances
from graphics_ops.util import trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate(point_set_a, point_set_b, name="chamfer_distance_evaluate"):
    """Mean squared distance from each point of a to its nearest point of b, plus the same from b to a.

    `graphics_ops.mesh.distances.chamfer_distance` with its default tile size: point sets
    `point_set_a` `[A1, ..., An, N, D]` and `point_set_b` `[A1, ..., An, M, D]` (N, M > 0) give a tensor of
    shape `[A1, ..., An]`.
    """
    return distances.chamfer_distance(point_set_a, point_set_b, name=name)

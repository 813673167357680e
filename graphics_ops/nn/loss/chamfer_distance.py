"""The Chamfer distance between point sets (TensorFlow Graphics' `nn.loss.chamfer_distance`)."""

import tensorflow as tf

from graphics_ops.mesh import distances


@tf.autograph.experimental.do_not_convert
def evaluate(point_set_a, point_set_b, name="chamfer_distance_evaluate"):
    """Mean squared distance from each point of a to its nearest point of b, plus the same from b to a.

    `graphics_ops.mesh.distances.chamfer_distance` with its default tile size.

    Args:
      point_set_a: A tensor of shape `[A1, ..., An, N, D]`, N > 0.
      point_set_b: A tensor of shape `[A1, ..., An, M, D]`, M > 0.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`.
    """
    return distances.chamfer_distance(point_set_a, point_set_b, name=name)

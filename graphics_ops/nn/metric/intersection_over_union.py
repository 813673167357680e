"""Intersection over union of binary grids (TensorFlow Graphics' `nn.metric.intersection_over_union`)."""

import tensorflow as tf

from graphics_ops.util import arguments, shape, trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate(ground_truth_labels, predicted_labels, grid_size=1, name="intersection_over_union_evaluate"):
    """|a ∩ b| / |a ∪ b| of two binary grids; 1 when both are empty (they agree).

    Args:
      ground_truth_labels: A tensor of shape `[A1, ..., An, G1, ..., Gm]` of 0s and 1s.
      predicted_labels: A tensor of shape `[A1, ..., An, G1, ..., Gm]` of 0s and 1s.
      grid_size: m, the number of grid dimensions (a Python int).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`: float32, or the dtype of the labels if they are float64.

    Raises:
      ValueError: For a bad `grid_size` or shapes whose grids differ.
      tf.errors.InvalidArgumentError: When run (not under XLA), for labels other than 0 and 1.
    """
    grid_size = arguments.check_positive_int(grid_size, "grid_size")
    with tf.name_scope(name):
        grid = tuple(f"G{axis}" for axis in range(grid_size))
        dtype = tf.float64 if tf.float64 in (_dtype(ground_truth_labels), _dtype(predicted_labels)) else tf.float32
        truth, predicted = shape.check_inputs(
            ground_truth_labels=(tf.cast(ground_truth_labels, dtype), grid),
            predicted_labels=(tf.cast(predicted_labels, dtype), grid),
        )
        truth = _assert_binary(truth, "ground_truth_labels")
        predicted = _assert_binary(predicted, "predicted_labels")
        axes = list(range(-grid_size, 0))
        intersection = tf.reduce_sum(truth * predicted, axis=axes)
        union = tf.reduce_sum(truth, axis=axes) + tf.reduce_sum(predicted, axis=axes) - intersection
        return tf.where(union > 0, tf.math.divide_no_nan(intersection, union), tf.ones_like(union))


def _dtype(value):
    return tf.convert_to_tensor(value).dtype


def _assert_binary(labels, name):
    binary = tf.reduce_all((labels == 0.0) | (labels == 1.0))
    check = tf.debugging.Assert(binary, [f"{name} must hold only 0 and 1"])
    with tf.control_dependencies([check]):
        return tf.identity(labels)

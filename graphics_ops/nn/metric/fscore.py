"""The F-score of a classification (TensorFlow Graphics' `nn.metric.fscore`)."""

import tensorflow as tf

from graphics_ops.nn.metric import _counting
from graphics_ops.nn.metric import precision as precision_module
from graphics_ops.nn.metric import recall as recall_module
from graphics_ops.util import trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate(
    ground_truth,
    prediction,
    precision_function=precision_module.evaluate,
    recall_function=recall_module.evaluate,
    name="fscore_evaluate",
):
    """2 p r / (p + r) of the precision p and recall r that the given functions compute; 0 where p + r = 0.

    Args:
      ground_truth: A tensor of shape `[A1, ..., An, N]`.
      prediction: A tensor of shape `[A1, ..., An, N]`.
      precision_function: A function `(ground_truth, prediction) -> [A1, ..., An]`; by default
        `precision.evaluate` (the mean over the classes of integer labels).
      recall_function: The same for the recall; by default `recall.evaluate`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`.
    """
    with tf.name_scope(name):
        _counting.check_labels(ground_truth, prediction)
        precision = precision_function(ground_truth, prediction)
        recall = recall_function(ground_truth, prediction)
        return tf.math.divide_no_nan(2.0 * precision * recall, precision + recall)

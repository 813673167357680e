"""Precision of a classification (TensorFlow Graphics' `nn.metric.precision`)."""

import tensorflow as tf

from graphics_ops.nn.metric import _counting
from graphics_ops.util import trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate(
    ground_truth,
    prediction,
    classes=None,
    reduce_average=True,
    prediction_to_category_function=_counting.cast_to_int,
    name="precision_evaluate",
):
    """Precision per class: of the predictions of a class, the fraction that are right.

    A class never predicted has precision 0. With `classes=None` the classes are 0 to the largest
    label in either tensor (over the whole batch), so a class in neither counts as 0 in the mean,
    as in TensorFlow Graphics; pass `classes` to choose them (and to compile with XLA).

    Args:
      ground_truth: A tensor of shape `[A1, ..., An, N]` of integer labels.
      prediction: A tensor of shape `[A1, ..., An, N]`: predictions, mapped to labels by
        `prediction_to_category_function`.
      classes: None, an int or a list of ints: the classes to evaluate.
      reduce_average: Whether to return the mean over the classes.
      prediction_to_category_function: A function from `prediction` to integer labels; by
        default a cast to int32 (which rounds towards zero).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, C]` (C classes), or `[A1, ..., An]` when `reduce_average`:
      of the dtype of `prediction` if it is float32 or float64, else float32.
    """
    with tf.name_scope(name):
        return _counting.class_ratio(
            ground_truth, prediction, classes, reduce_average, prediction_to_category_function, relative_to="prediction"
        )

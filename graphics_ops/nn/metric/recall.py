"""Recall of a classification (TensorFlow Graphics' `nn.metric.recall`)."""

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
    name="recall_evaluate",
):
    """Recall per class: of the points of a class, the fraction predicted as it.

    A class absent from `ground_truth` has recall 0. Arguments, classes and the result are as in
    `precision.evaluate`.
    """
    with tf.name_scope(name):
        return _counting.class_ratio(
            ground_truth,
            prediction,
            classes,
            reduce_average,
            prediction_to_category_function,
            relative_to="ground_truth",
        )

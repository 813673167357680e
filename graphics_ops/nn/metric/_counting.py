"""Per-class counts shared by `precision` and `recall`. Private."""

import tensorflow as tf

from graphics_ops.util import shape


def cast_to_int(prediction):
    """The default `prediction_to_category_function`: rounds towards zero, to int32."""
    return tf.cast(prediction, tf.int32)


def check_labels(ground_truth, prediction):
    """`ground_truth` as int32 and `prediction`, both `[A1, ..., An, N]` with broadcasting batch dimensions."""
    ground_truth = tf.cast(tf.convert_to_tensor(ground_truth, name="ground_truth"), tf.int32)
    prediction = tf.convert_to_tensor(prediction, name="prediction")
    if prediction.dtype == tf.bool:
        prediction = tf.cast(prediction, tf.int32)
    integer = ("ground_truth", "prediction") if prediction.dtype.is_integer else ("ground_truth",)
    return shape.check_inputs(integer=integer, ground_truth=(ground_truth, "N"), prediction=(prediction, "N"))


def class_ratio(ground_truth, prediction, classes, reduce_average, prediction_to_category_function, relative_to):
    """True positives over the predicted (`relative_to="prediction"`) or true positives of each class.

    Returns `[A1, ..., An, C]`, or its mean over the classes `[A1, ..., An]` when `reduce_average`;
    0 for a class with no positives to divide by.
    """
    ground_truth, prediction = check_labels(ground_truth, prediction)
    dtype = prediction.dtype if prediction.dtype in (tf.float32, tf.float64) else tf.float32
    prediction = tf.cast(prediction_to_category_function(prediction), tf.int32)
    if classes is None:
        count = tf.maximum(tf.reduce_max(ground_truth), tf.reduce_max(prediction)) + 1
        classes = tf.range(count)
    else:
        classes = tf.reshape(tf.cast(tf.convert_to_tensor(classes), tf.int32), [-1])
    in_truth = tf.equal(ground_truth[..., None, :], classes[:, None])  # [A1, ..., An, C, N]
    in_prediction = tf.equal(prediction[..., None, :], classes[:, None])
    true_positives = tf.reduce_sum(tf.cast(in_truth & in_prediction, dtype), axis=-1)
    positives = tf.reduce_sum(tf.cast(in_prediction if relative_to == "prediction" else in_truth, dtype), axis=-1)
    ratio = tf.math.divide_no_nan(true_positives, positives)
    return tf.reduce_mean(ratio, axis=-1) if reduce_average else ratio

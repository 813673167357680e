"""graphics_ops.nn.metric: precision, recall, fscore, intersection_over_union with TensorFlow Graphics' API."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.nn.metric import fscore, intersection_over_union, precision, recall
from tests.graphics_ops.testing import assert_all_finite

TFG_API = {
    precision.evaluate: ["ground_truth", "prediction", "classes", "reduce_average", "prediction_to_category_function"],
    recall.evaluate: ["ground_truth", "prediction", "classes", "reduce_average", "prediction_to_category_function"],
    fscore.evaluate: ["ground_truth", "prediction", "precision_function", "recall_function"],
    intersection_over_union.evaluate: ["ground_truth_labels", "predicted_labels", "grid_size"],
}


def reference_ratios(truth, predicted, classes):
    """Per-class precision and recall by counting, 0 where nothing is counted."""
    precisions, recalls = [], []
    for label in classes:
        hits = np.sum((truth == label) & (predicted == label))
        predicted_count, true_count = np.sum(predicted == label), np.sum(truth == label)
        precisions.append(hits / predicted_count if predicted_count else 0.0)
        recalls.append(hits / true_count if true_count else 0.0)
    return np.array(precisions), np.array(recalls)


def labels(seed=0, shape=(3, 20), classes=4):
    rng = np.random.default_rng(seed)
    return rng.integers(0, classes, size=shape), rng.integers(0, classes, size=shape)


@pytest.mark.parametrize("function, arguments", TFG_API.items())
def test_signatures_are_tensorflow_graphics(function, arguments):
    assert list(inspect.signature(function).parameters)[: len(arguments)] == arguments


def test_precision_and_recall_match_counting_per_class():
    truth, predicted = labels()
    classes = range(4)
    got_precision = precision.evaluate(truth, predicted, reduce_average=False)
    got_recall = recall.evaluate(truth, predicted, reduce_average=False)
    for row in range(3):
        expected_precision, expected_recall = reference_ratios(truth[row], predicted[row], classes)
        np.testing.assert_allclose(got_precision[row], expected_precision, rtol=1e-6)
        np.testing.assert_allclose(got_recall[row], expected_recall, rtol=1e-6)
    np.testing.assert_allclose(precision.evaluate(truth, predicted), np.mean(got_precision, axis=-1), rtol=1e-6)


def test_chosen_classes_and_continuous_predictions():
    truth = np.array([0, 1, 1, 2])
    predicted = np.array([0.2, 1.9, 2.5, 2.1])  # cast to int: 0, 1, 2, 2
    np.testing.assert_allclose(precision.evaluate(truth, predicted, classes=[1, 2], reduce_average=False), [1.0, 0.5])
    np.testing.assert_allclose(recall.evaluate(truth, predicted, classes=2, reduce_average=False), [1.0])
    rounded = recall.evaluate(truth, predicted, prediction_to_category_function=lambda p: tf.round(p))
    np.testing.assert_allclose(rounded, np.mean([1.0, 0.0, 1.0]), rtol=1e-6)  # rounded: 0, 2, 2, 2


def test_fscore_is_harmonic_mean_of_precision_and_recall():
    truth, predicted = labels(seed=1)
    p = precision.evaluate(truth, predicted).numpy()
    r = recall.evaluate(truth, predicted).numpy()
    np.testing.assert_allclose(fscore.evaluate(truth, predicted), 2 * p * r / (p + r), rtol=1e-6)


def test_degenerate_inputs_give_defined_values_not_nan():
    never = np.zeros(5, np.int32)
    everything = np.ones(5, np.int32)
    # Class 1 is never predicted (precision 0) and always true (recall 0 for predicting 0s).
    np.testing.assert_allclose(precision.evaluate(everything, never, classes=[1], reduce_average=False), [0.0])
    np.testing.assert_allclose(recall.evaluate(never, everything, classes=[1], reduce_average=False), [0.0])
    class_one = fscore.evaluate(
        everything,
        never,
        lambda *labels: precision.evaluate(*labels, classes=1),
        lambda *labels: recall.evaluate(*labels, classes=1),
    )
    np.testing.assert_allclose(class_one, 0.0)
    empty = np.zeros((2, 4, 4))
    np.testing.assert_allclose(intersection_over_union.evaluate(empty, empty, grid_size=2), [1.0, 1.0])
    full = np.ones((4, 4))
    np.testing.assert_allclose(intersection_over_union.evaluate(empty[0], full, grid_size=2), 0.0)
    assert_all_finite(precision.evaluate(np.zeros((0,), np.int32), np.zeros((0,), np.int32), classes=[0, 1]))


def test_intersection_over_union_matches_counting():
    rng = np.random.default_rng(2)
    truth, predicted = rng.integers(0, 2, (3, 5, 6)), rng.integers(0, 2, (3, 5, 6))
    for grid_size in (1, 2):
        axes = tuple(range(-grid_size, 0))
        expected = np.sum(truth & predicted, axis=axes) / np.sum(truth | predicted, axis=axes)
        np.testing.assert_allclose(intersection_over_union.evaluate(truth, predicted, grid_size), expected, rtol=1e-6)
    assert intersection_over_union.evaluate(truth.astype(np.float64), predicted).dtype == tf.float64


def test_batch_dimensions_broadcast():
    truth, predicted = labels(shape=(3, 10))
    np.testing.assert_allclose(
        precision.evaluate(truth[:1], predicted, classes=range(4)),
        [precision.evaluate(truth[0], predicted[i], classes=range(4)) for i in range(3)],
    )
    np.testing.assert_allclose(
        intersection_over_union.evaluate(np.ones((1, 3)), np.eye(3)), np.full(3, 1 / 3), rtol=1e-6
    )


def test_tf_function_and_jit_compile_match_eager():
    truth, predicted = labels()
    spec = tf.TensorSpec([None, None], tf.int64)
    for module in (precision, recall):
        eager = module.evaluate(truth, predicted)
        traced = tf.function(module.evaluate, input_signature=[spec, spec])(truth, predicted)
        compiled = tf.function(lambda t, p, m=module: m.evaluate(t, p, classes=[0, 1, 2, 3]), jit_compile=True)(
            truth, predicted
        )
        np.testing.assert_allclose(traced, eager)
        np.testing.assert_allclose(compiled, eager)
    binary_truth, binary_predicted = truth % 2, predicted % 2
    eager = intersection_over_union.evaluate(binary_truth, binary_predicted)
    compiled = tf.function(intersection_over_union.evaluate, jit_compile=True)(binary_truth, binary_predicted)
    np.testing.assert_allclose(compiled, eager)


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="prediction"):
        precision.evaluate(np.zeros((2, 5), np.int32), np.zeros((3, 5), np.int32))
    with pytest.raises(ValueError, match="predicted_labels"):
        intersection_over_union.evaluate(np.zeros((2, 5)), np.zeros((2, 4)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="ground_truth_labels must hold only 0 and 1"):
        intersection_over_union.evaluate(np.full((2, 5), 2.0), np.zeros((2, 5)))
    with pytest.raises(ValueError, match="grid_size"):
        intersection_over_union.evaluate(np.zeros((2, 5)), np.zeros((2, 5)), grid_size=0)

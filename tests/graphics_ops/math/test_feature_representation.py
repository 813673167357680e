"""graphics_ops.math.feature_representation.positional_encoding."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.math import feature_representation
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.testing import all_dtypes, assert_jacobians_match_finite_differences


def reference(features, num_frequencies):
    """TensorFlow Graphics' layout in float64: x, then sin and cos of 2^i x for each i."""
    blocks = [features]
    for octave in range(num_frequencies):
        blocks += [np.sin(2.0**octave * features), np.cos(2.0**octave * features)]
    return np.concatenate(blocks, axis=-1)


def test_tensorflow_graphics_signature():
    parameters = list(inspect.signature(feature_representation.positional_encoding).parameters)
    assert parameters == ["features", "num_frequencies", "name"]


@all_dtypes
@pytest.mark.parametrize("num_frequencies", [0, 1, 4])
def test_values_and_layout(dtype, num_frequencies):
    features = np.random.default_rng(0).uniform(-2, 2, size=(2, 5, 3))
    encoded = feature_representation.positional_encoding(tf.constant(features, dtype), num_frequencies)
    assert encoded.dtype == dtype and encoded.shape == (2, 5, 3 + 6 * num_frequencies)
    atol = 1e-5 if dtype == tf.float32 else 1e-13
    np.testing.assert_allclose(encoded, reference(features, num_frequencies), atol=atol)


def test_jacobian_matches_finite_differences():
    features = np.random.default_rng(1).uniform(-1, 1, size=(3, 2))
    assert_jacobians_match_finite_differences(lambda x: feature_representation.positional_encoding(x, 3), features)


@all_dtypes
def test_graph_and_xla_match_eager(dtype):
    features = tf.constant(np.random.default_rng(2).uniform(-1, 1, size=(4, 3, 2)), dtype)
    assert_modes_match_eager(lambda x: feature_representation.positional_encoding(x, 5), [features], [1])
    # The feature size may be unknown too (not under XLA).
    graph = tf.function(
        lambda x: feature_representation.positional_encoding(x, 2), input_signature=[tf.TensorSpec(None, dtype)]
    )
    with pytest.raises(ValueError, match="features"):
        graph(features)  # an unknown rank is rejected, naming the argument
    unknown_size = tf.function(
        lambda x: feature_representation.positional_encoding(x, 2),
        input_signature=[tf.TensorSpec([None, None], dtype)],
    )
    np.testing.assert_allclose(unknown_size(features[0]), reference(features[0].numpy(), 2), atol=1e-5)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="num_frequencies"):
        feature_representation.positional_encoding(np.zeros((2, 3)), -1)
    with pytest.raises(ValueError, match="features"):
        feature_representation.positional_encoding(np.float32(1.0), 2)

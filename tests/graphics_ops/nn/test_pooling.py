"""graphics_ops.nn.pooling: pool, unpool and upsample_transposed_convolution against NumPy loops."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.nn import pooling
from tests.graphics_ops.mesh_testing import ATOL, all_dtypes
from tests.graphics_ops.nn.nn_testing import per_copy, to_sparse
from tests.graphics_ops.testing import assert_jacobians_match_finite_differences

# 7 fine vertices in 4 windows: an overlap (vertex 2 in windows 0 and 1), an empty window (3),
# and a fine vertex (6) in none.
POOL_MAP = np.zeros((4, 7))
POOL_MAP[0, [0, 1, 2]] = [0.5, 0.3, 0.2]
POOL_MAP[1, [2, 3, 4]] = [0.1, -0.6, 0.3]
POOL_MAP[2, [5]] = [1.0]


def reference_pool(data, pool_map, algorithm):
    pooled = np.zeros((pool_map.shape[0], data.shape[-1]))
    for window in range(pool_map.shape[0]):
        members = np.nonzero(pool_map[window])[0]
        if len(members):
            pooled[window] = data[members].max(0) if algorithm == "max" else pool_map[window, members] @ data[members]
    return pooled


def reference_unpool(data, pool_map):
    unpooled = np.zeros((pool_map.shape[1], data.shape[-1]))
    for vertex in range(pool_map.shape[1]):
        weights = np.abs(pool_map[:, vertex])
        if weights.sum():
            unpooled[vertex] = weights @ data / weights.sum()
    return unpooled


def reference_upsample(outputs, pool_map, kernel_size):
    """The mean of the `[V2, K, D]` outputs sent to each fine vertex, slot by slot."""
    sent = [[] for _ in range(pool_map.shape[1])]
    for window in range(pool_map.shape[0]):
        members = list(np.nonzero(pool_map[window])[0])
        if not members:
            continue
        for slot in range(kernel_size):
            sent[members[min(slot, len(members) - 1)]].append(outputs[window, slot])
    return np.array([np.mean(values, 0) if values else np.zeros(outputs.shape[-1]) for values in sent])


def _spread(kernel_size):
    """A transposed-convolution stand-in: input row i to rows k i + s, scaled by s + 1."""

    def spread(x):
        scales = tf.tile(tf.range(1, kernel_size + 1, dtype=x.dtype), tf.shape(x)[2:3])
        return tf.repeat(x, kernel_size, axis=2) * scales[None, None, :, None]

    return spread


@all_dtypes
@pytest.mark.parametrize("algorithm", ["max", "weighted"])
def test_pool_matches_the_formula(dtype, algorithm):
    data = np.random.default_rng(0).normal(size=(7, 3))
    result = pooling.pool(tf.constant(data, dtype), to_sparse(POOL_MAP, dtype), None, algorithm)
    assert result.dtype == dtype and result.shape == (4, 3)
    np.testing.assert_allclose(result, reference_pool(data, POOL_MAP, algorithm), atol=ATOL[dtype])


@all_dtypes
def test_unpool_averages_the_windows_containing_each_vertex(dtype):
    data = np.random.default_rng(1).normal(size=(4, 2))
    result = pooling.unpool(tf.constant(data, dtype), to_sparse(POOL_MAP, dtype), None)
    np.testing.assert_allclose(result, reference_unpool(data, POOL_MAP), atol=ATOL[dtype])
    np.testing.assert_array_equal(result[6], [0, 0])


def test_unpool_after_pool_on_a_partition_copies_each_windows_features():
    partition = np.zeros((3, 6))
    partition[[0, 0, 1, 1, 1, 2], range(6)] = 1
    data = np.random.default_rng(2).normal(size=(6, 4))
    pooled = pooling.pool(data, to_sparse(partition), None)
    np.testing.assert_allclose(pooling.unpool(pooled, to_sparse(partition), None), pooled.numpy()[[0, 0, 1, 1, 1, 2]])


@pytest.mark.parametrize("kernel_size", [1, 2, 4])
def test_upsample_transposed_convolution_sends_each_slot_to_its_window_vertex(kernel_size):
    data = np.random.default_rng(3).normal(size=(4, 2))
    result = pooling.upsample_transposed_convolution(data, to_sparse(POOL_MAP), None, kernel_size, _spread(kernel_size))
    outputs = data[:, None, :] * np.arange(1, kernel_size + 1)[None, :, None]
    np.testing.assert_allclose(result, reference_upsample(outputs, POOL_MAP, kernel_size), atol=1e-12)


def test_upsample_with_a_keras_transposed_convolution():
    data = tf.constant(np.random.default_rng(4).normal(size=(4, 2)), tf.float32)
    convolution = keras.layers.Conv2DTranspose(5, (1, 3), strides=(1, 3))
    result = pooling.upsample_transposed_convolution(data, to_sparse(POOL_MAP, tf.float32), None, 3, convolution)
    outputs = convolution(data[None, None]).numpy().reshape(4, 3, 5)
    np.testing.assert_allclose(result, reference_upsample(outputs, POOL_MAP, 3), atol=1e-6)


def test_batches_with_sizes_zero_the_padded_outputs():
    rng = np.random.default_rng(5)
    maps = np.stack([POOL_MAP, np.roll(POOL_MAP, 1, axis=1)])
    maps[1, :, 6] = 0  # the second graph has 6 fine and 3 coarse vertices
    maps[1, 3] = 0
    sizes = np.array([[4, 7], [3, 6]])
    fine, coarse = rng.normal(size=(2, 7, 3)), rng.normal(size=(2, 4, 3))
    pooled = pooling.pool(fine, to_sparse(maps), sizes, "weighted").numpy()
    unpooled = pooling.unpool(coarse, to_sparse(maps), sizes).numpy()
    upsampled = pooling.upsample_transposed_convolution(coarse, to_sparse(maps), sizes, 2, _spread(2)).numpy()
    for index in range(2):
        expected = reference_pool(fine[index], maps[index], "weighted")
        expected[sizes[index, 0] :] = 0
        np.testing.assert_allclose(pooled[index], expected, atol=1e-12)
        expected = reference_unpool(coarse[index], maps[index])
        expected[sizes[index, 1] :] = 0
        np.testing.assert_allclose(unpooled[index], expected, atol=1e-12)
        outputs = coarse[index][:, None, :] * np.array([1.0, 2.0])[None, :, None]
        np.testing.assert_allclose(upsampled[index], reference_upsample(outputs, maps[index], 2), atol=1e-12)


def test_jacobians_match_finite_differences():
    rng = np.random.default_rng(6)
    indices = np.argwhere(POOL_MAP != 0)

    def pooled(data, values):
        pool_map = tf.sparse.SparseTensor(indices, values, POOL_MAP.shape)
        return (
            pooling.pool(data, pool_map, None, "weighted"),
            pooling.pool(data, pool_map, None, "max"),
            pooling.unpool(data[:4], pool_map, None),
            pooling.upsample_transposed_convolution(data[:4], pool_map, None, 2, _spread(2)),
        )

    assert_jacobians_match_finite_differences(
        per_copy(lambda d, v: tf.concat([tf.reshape(p, [-1]) for p in pooled(d, v)], 0)),
        rng.normal(size=(7, 2)),
        POOL_MAP[POOL_MAP != 0] + 0.05,
    )


def test_tf_function_and_jit_compile_match_eager():
    data = tf.constant(np.random.default_rng(7).normal(size=(2, 7, 3)), tf.float32)
    maps = to_sparse(np.stack([POOL_MAP, POOL_MAP[::-1]]), tf.float32)

    def all_three(data, pool_map):
        return (
            pooling.pool(data, pool_map, [[4, 7], [4, 6]]),
            pooling.unpool(data[:, :4], pool_map, None),
            pooling.upsample_transposed_convolution(data[:, :4], pool_map, None, 3, _spread(3)),
        )

    expected = all_three(data, maps)
    graph = tf.function(
        all_three, input_signature=[tf.TensorSpec([None, None, 3]), tf.SparseTensorSpec([None, None, None], tf.float32)]
    )
    for name, function in (("graph", graph), ("xla", tf.function(all_three, jit_compile=True))):
        for got, want in zip(function(data, maps), expected):
            np.testing.assert_allclose(got, want, atol=1e-5, err_msg=name)


def test_bad_arguments_name_the_argument():
    data, pool_map = np.zeros((7, 2)), to_sparse(POOL_MAP)
    with pytest.raises(ValueError, match=r"^algorithm must be one of \('max', 'weighted'\), got 'mean'$"):
        pooling.pool(data, pool_map, None, "mean")
    with pytest.raises(TypeError, match=r"^pool_map must be a tf.sparse.SparseTensor, got ndarray$"):
        pooling.pool(data, POOL_MAP, None)
    with pytest.raises(TypeError, match=r"^pool_map must be a tf.sparse.SparseTensor, got tuple$"):
        pooling.unpool(data[:4], (np.zeros((2, 2), np.int32), np.zeros(2)), None)
    with pytest.raises(ValueError, match=r"^pool_map must have dense shape \[4, 6\] .*, got \[4, 7\]$"):
        pooling.pool(data[:6], pool_map, None)
    with pytest.raises(ValueError, match=r"^pool_map must have dense shape \[3, 7\] \(.* then V, R\), got \[4, 7\]$"):
        pooling.unpool(data[:3], pool_map, None)
    with pytest.raises(ValueError, match=r"^kernel_size must be a positive int, got 0$"):
        pooling.upsample_transposed_convolution(data[:4], pool_map, None, 0, _spread(1))
    with pytest.raises(TypeError, match=r"^transposed_convolution_op must be callable, got int$"):
        pooling.upsample_transposed_convolution(data[:4], pool_map, None, 2, 2)
    with pytest.raises(ValueError, match=r"^sizes must have shape \[A1, \.\.\., An, \?\], got \[\]$"):
        pooling.pool(data, pool_map, 3)


def test_out_of_range_entries_raise_invalid_argument_errors():
    wrong = tf.sparse.SparseTensor([[0, 0], [1, 9]], tf.ones(2, tf.float64), [4, 7])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"pool_map must have indices in range"):
        pooling.pool(np.zeros((7, 2)), wrong, None)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"sizes must lie in \[0, V\]"):
        pooling.unpool(np.zeros((4, 2)), to_sparse(POOL_MAP), [4, 8])

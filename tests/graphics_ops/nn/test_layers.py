"""graphics_ops.nn.layers: Keras 3 graph convolution and PointNet layers.

Checks the layers against the ops and NumPy, their configs, `.keras` save and load round trips with
identical outputs, training under `model.fit`, `tf.function` and `jit_compile`, and input errors.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.nn import graph_convolution, layers, neighbourhood
from tests.graphics_ops.nn.nn_testing import random_adjacency, reference_edge_convolution, to_edges, to_sparse

# Keras' own saving code converts variables with np.array(x, copy=False), which NumPy 2 warns about.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")

V, C = 9, 3


def _graph_batch(rng, batch=2):
    """Features `[B, V, C]` and padded `(edges, weights)` of B random graphs, as float32 / int32."""
    adjacency = np.stack([random_adjacency(rng, V, density=0.35, isolated=[4]) for _ in range(batch)])
    edges, weights = to_edges(adjacency, padding=2)
    return (
        rng.normal(size=(batch, V, C)).astype(np.float32),
        edges,
        weights.astype(np.float32),
        adjacency,
    )


def _graph_model(seed=0):
    """Features, edges, weights -> FeaStNet, DGCNN edge convolution, EdgeConv on k-NN, logits of 3 classes."""
    keras.utils.set_random_seed(seed)
    data = keras.Input((None, C))
    edges = keras.Input((None, 2), dtype="int32")
    weights = keras.Input((None,))
    hidden = layers.FeatureSteeredConvolutionKerasLayer(num_weight_matrices=4, num_output_channels=8)(
        [data, edges, weights]
    )
    hidden = layers.DynamicGraphConvolutionKerasLayer(8, "weighted", activation="relu")([hidden, edges, weights])
    hidden = layers.EdgeConvKerasLayer(8, k=3, activation="relu")(hidden)
    logits = keras.layers.Dense(3)(hidden)
    return keras.Model([data, edges, weights], logits)


def _pointnet_model(seed=0):
    keras.utils.set_random_seed(seed)
    points = keras.Input((32, 3))
    return keras.Model(points, layers.PointNetVanillaClassifier(num_classes=4, momentum=0.9)(points))


def test_feature_steered_layer_computes_the_op_with_its_variables():
    data, edges, weights, _ = _graph_batch(np.random.default_rng(0))
    for invariant in (True, False):
        layer = layers.FeatureSteeredConvolutionKerasLayer(translation_invariant=invariant, num_output_channels=5)
        result = layer([data, edges, weights])
        assert result.shape == (2, V, 5)
        names = sorted(variable.name for variable in layer.trainable_weights)
        assert names == sorted(["var_v", "var_c", "var_w", "var_b"] + ([] if invariant else ["var_u"]))
        var_u = -layer.var_v if invariant else layer.var_u
        expected = graph_convolution.feature_steered_convolution(
            data, (edges, weights), None, var_u, layer.var_v, layer.var_c, layer.var_w, layer.var_b
        )
        np.testing.assert_allclose(result, expected, atol=1e-6)
    assert layers.FeatureSteeredConvolutionKerasLayer()([data, edges, weights]).shape == (2, V, C)


@pytest.mark.parametrize("reduction", ["weighted", "max"])
def test_dynamic_graph_layer_reduces_dense_messages_of_receiver_and_difference(reduction):
    data, edges, weights, adjacency = _graph_batch(np.random.default_rng(1))
    layer = layers.DynamicGraphConvolutionKerasLayer(4, reduction, activation="tanh", bias_initializer="ones")
    result = layer([data, edges, weights]).numpy()
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()

    def message(x_i, x_j):
        return np.tanh(np.concatenate([x_i, x_j - x_i]) @ kernel + bias)

    for index in range(2):
        expected = reference_edge_convolution(data[index], adjacency[index], message, reduction, 4)
        np.testing.assert_allclose(result[index], expected, atol=1e-5)


def test_edge_conv_layer_convolves_over_the_k_nearest_neighbours_of_its_input():
    points = np.random.default_rng(2).normal(size=(2, 20, C)).astype(np.float32)
    layer = layers.EdgeConvKerasLayer(6, k=4, include_self=False)
    result = layer(points)
    edges, weights = neighbourhood.knn_graph(points, 4, include_self=False)
    plain = layers.DynamicGraphConvolutionKerasLayer(6, "max")
    plain.build([points.shape, edges.shape, weights.shape])
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(result, plain([points, edges, weights]), atol=1e-6)


def test_sparse_adjacency_inputs_and_sizes():
    data, edges, weights, adjacency = _graph_batch(np.random.default_rng(3))
    layer = layers.FeatureSteeredConvolutionKerasLayer(num_output_channels=4)
    sparse = to_sparse(adjacency, tf.float32)
    np.testing.assert_allclose(layer([data, sparse]), layer([data, edges, weights]), atol=1e-6)
    in_graph = tf.function(lambda d, s: layer([d, s]))
    np.testing.assert_allclose(in_graph(data, sparse), layer([data, edges, weights]), atol=1e-6)
    sizes = np.array([V, 5], np.int32)
    padded = layer([data, edges, weights, sizes]).numpy()
    assert np.all(padded[1, 5:] == 0) and np.any(padded[1, :5] != 0)
    np.testing.assert_allclose(layer([data, sparse, sizes]), padded, atol=1e-6)


def test_layers_run_in_float64():
    data, edges, weights, _ = _graph_batch(np.random.default_rng(4))
    for layer in (
        layers.FeatureSteeredConvolutionKerasLayer(dtype="float64"),
        layers.DynamicGraphConvolutionKerasLayer(2, "max", dtype="float64"),
    ):
        assert layer([data.astype(np.float64), edges, weights.astype(np.float64)]).dtype == tf.float64
    assert layers.VanillaEncoder(dtype="float64")(np.zeros((1, 5, 3))).dtype == tf.float64


ALL_LAYERS = [
    layers.FeatureSteeredConvolutionKerasLayer(
        translation_invariant=False, num_weight_matrices=3, num_output_channels=7, initializer="he_normal"
    ),
    layers.DynamicGraphConvolutionKerasLayer(
        5, "max", activation="relu", use_bias=False, kernel_regularizer="l2", bias_constraint="non_neg"
    ),
    layers.EdgeConvKerasLayer(4, k=7, include_self=False, chunk_size=64, activation="elu"),
    layers.PointNetConv2Layer(16, 0.7),
    layers.PointNetDenseLayer(8, 0.6),
    layers.VanillaEncoder(momentum=0.8),
    layers.ClassificationHead(num_classes=5, momentum=0.4, dropout_rate=0.1),
    layers.PointNetVanillaClassifier(num_classes=3, momentum=0.3, dropout_rate=0.2),
]


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=lambda layer: type(layer).__name__)
def test_configs_round_trip_through_keras_serialization(layer):
    config = keras.saving.serialize_keras_object(layer)
    assert config["registered_name"] == f"graphics_ops>{type(layer).__name__}"
    rebuilt = keras.saving.deserialize_keras_object(config)
    assert type(rebuilt) is type(layer)
    assert rebuilt.get_config() == layer.get_config()


@pytest.mark.parametrize("make_model", [_graph_model, _pointnet_model], ids=["graph", "pointnet"])
def test_saving_and_loading_a_keras_file_gives_identical_outputs(make_model, tmp_path):
    rng = np.random.default_rng(5)
    model = make_model()
    if make_model is _graph_model:
        inputs = list(_graph_batch(rng)[:3])
    else:
        inputs = rng.normal(size=(3, 32, 3)).astype(np.float32)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]


def _fit(model, inputs, labels, jit_compile, steps=15):
    """The training loss of the first and the last of `steps` full-batch steps of `model.fit`."""
    model.compile(
        keras.optimizers.Adam(1e-2),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )
    losses = model.fit(inputs, labels, epochs=steps, batch_size=len(labels), verbose=0).history["loss"]
    return losses[0], losses[-1]


def test_graph_layers_train_under_model_fit_with_jit_compile():
    rng = np.random.default_rng(6)
    data, edges, weights, _ = _graph_batch(rng, batch=4)
    labels = (data[..., 0] > 0).astype(np.int32) + (data[..., 1] > 0)
    before, after = _fit(_graph_model(), [data, edges, weights], labels, jit_compile=True)
    assert after < 0.8 * before


def test_pointnet_trains_under_model_fit():
    rng = np.random.default_rng(7)
    points = rng.normal(size=(8, 32, 3)).astype(np.float32) * np.arange(1, 9)[:, None, None]
    labels = np.arange(8) % 4
    before, after = _fit(_pointnet_model(), points, labels, jit_compile=False)
    assert after < 0.8 * before


def test_compiled_models_match_eager():
    data, edges, weights, _ = _graph_batch(np.random.default_rng(8))
    model = _graph_model()
    expected = model([data, edges, weights])
    graph = tf.function(
        lambda *x: model(list(x)),
        input_signature=[
            tf.TensorSpec([None, None, C]),
            tf.TensorSpec([None, None, 2], tf.int32),
            tf.TensorSpec([None, None]),
        ],
    )
    np.testing.assert_allclose(graph(data, edges, weights), expected, atol=1e-5)
    np.testing.assert_allclose(tf.function(model, jit_compile=True)([data, edges, weights]), expected, atol=1e-5)
    points = np.random.default_rng(9).normal(size=(2, 32, 3)).astype(np.float32)
    pointnet = _pointnet_model()
    np.testing.assert_allclose(tf.function(pointnet, jit_compile=True)(points), pointnet(points), atol=1e-4)


def test_pointnet_shapes_and_loss():
    points = np.random.default_rng(10).normal(size=(2, 16, 3)).astype(np.float32)
    assert layers.VanillaEncoder()(points).shape == (2, 1024)
    assert layers.PointNetConv2Layer(8, 0.5)(points[:, :, None]).shape == (2, 16, 1, 8)
    assert layers.PointNetDenseLayer(8, 0.5)(points[:, 0]).shape == (2, 8)
    assert layers.ClassificationHead(num_classes=6)(np.zeros((2, 1024), np.float32)).shape == (2, 6)
    logits = layers.PointNetVanillaClassifier(num_classes=4)(points)
    assert logits.shape == (2, 4)
    labels = np.array([1, 3])
    expected = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    np.testing.assert_allclose(layers.PointNetVanillaClassifier.loss(labels, logits), expected, rtol=1e-6)


def test_bad_inputs_raise_value_errors():
    data, edges, weights, _ = _graph_batch(np.random.default_rng(11))
    layer = layers.FeatureSteeredConvolutionKerasLayer()
    # Keras adds the layer's name and arguments to errors raised in `call`.
    with pytest.raises(ValueError, match=r"inputs must be \[data, edges, weights\], .* got 2 inputs"):
        layer([data, edges])
    with pytest.raises(ValueError, match=r"^reduction must be one of \('weighted', 'max'\), got 'sum'$"):
        layers.DynamicGraphConvolutionKerasLayer(4, "sum")
    with pytest.raises(ValueError, match=r"^data must have a known number of channels C"):
        layer.build([(2, V, None), (2, 10, 2), (2, 10)])
    with pytest.raises(ValueError, match=r"edges must have shape \[A1, \.\.\., An, E, 2\]"):
        layer([data, edges[..., :1], weights])

"""tb_mesh_plugin.keras_callback: predictions, losses and gradients logged during model.fit, read back."""

import keras
import numpy as np
import pytest
import tensorflow as tf
import trimesh

from graphics_ops.nn import layers, neighbourhood
from tb_mesh_plugin import keras_callback
from tests.tb_mesh_plugin.logdir_reading import read_logdir

SPHERE = trimesh.creation.icosphere(subdivisions=1)
VERTICES = np.asarray(SPHERE.vertices)
FACES = np.asarray(SPHERE.faces, np.int32)
LABELS = (VERTICES[:, 2] > 0).astype(np.int32) + (VERTICES[:, 0] > 0.5)
EDGES, WEIGHTS = (t.numpy() for t in neighbourhood.sparse_to_edges(neighbourhood.adjacency_from_faces(FACES, 42)))
INPUTS = [VERTICES[None], EDGES[None], WEIGHTS[None].astype(np.float64)]

# Keras' own saving of weights (in the TensorBoard callback) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")


def _model():
    """A float64 FeaStNet layer and a dense layer to logits of 3 classes (float64 for finite differences)."""
    keras.utils.set_random_seed(0)
    data, weights = keras.Input((None, 3), dtype="float64"), keras.Input((None,), dtype="float64")
    edges = keras.Input((None, 2), dtype="int32")
    hidden = layers.FeatureSteeredConvolutionKerasLayer(num_output_channels=8, dtype="float64")([data, edges, weights])
    logits = keras.layers.Dense(3, dtype="float64")(keras.layers.Activation("tanh", dtype="float64")(hidden))
    model = keras.Model([data, edges, weights], logits)
    model.compile(keras.optimizers.Adam(1e-2), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _fit(model, logdir, epochs, **options):
    logger = keras_callback.MeshPredictionLogger(
        str(logdir), {"sphere": keras_callback.LoggedMesh(INPUTS, VERTICES, FACES, LABELS)}, **options
    )
    model.fit(
        INPUTS, LABELS[None], epochs=epochs, verbose=0, callbacks=[logger, keras.callbacks.TensorBoard(str(logdir))]
    )
    return logger


def _array(sample, name):
    stored = sample.arrays[name]
    return np.frombuffer(stored.data, stored.dtype).reshape(stored.shape)


def _summed_loss(model, features):
    logits = model([features[None], *INPUTS[1:]]).numpy()[0]
    logits -= logits.max(-1, keepdims=True)
    return -np.sum(logits[np.arange(42), LABELS] - np.log(np.exp(logits).sum(-1)))


def test_logs_predictions_losses_and_gradients_every_epoch(logdir):
    model = _model()
    _fit(model, logdir, epochs=2, class_names=["south", "north", "east"])
    data = read_logdir(logdir)
    assert set(data) == {("meshes", "sphere/prediction"), ("meshes", "sphere/labels")}, "only the meshes run has meshes"
    assert (logdir / "train").is_dir(), "beside the TensorBoard callback's runs"
    series, steps = data[("meshes", "sphere/prediction")]
    assert [step for step, _ in steps] == [0, 1, 2], "before training, then after each epoch"
    assert series.description == "Colours: south = blue, north = orange, east = green."
    assert not np.array_equal(_array(steps[0][1][0], "attribute/loss"), _array(steps[-1][1][0], "attribute/loss"))

    [sample] = steps[-1][1]
    np.testing.assert_array_equal(_array(sample, "faces"), FACES)
    logits = model(INPUTS).numpy()[0]
    np.testing.assert_array_equal(_array(sample, "colors"), keras_callback.PALETTE[logits.argmax(-1)])
    probabilities = np.exp(logits - logits.max(-1, keepdims=True))
    probabilities /= probabilities.sum(-1, keepdims=True)
    losses = -np.log(probabilities[np.arange(42), LABELS])
    np.testing.assert_allclose(_array(sample, "attribute/loss")[:, 0], losses, rtol=1e-5)
    np.testing.assert_allclose(_summed_loss(model, VERTICES), losses.sum(), rtol=1e-9)

    gradients = _array(sample, "attribute/loss_grad")
    assert gradients.shape == (42, 3)
    for vertex, channel in [(0, 0), (7, 2), (30, 1)]:
        step = np.zeros_like(VERTICES)
        step[vertex, channel] = 1e-6
        numerical = (_summed_loss(model, VERTICES + step) - _summed_loss(model, VERTICES - step)) / 2e-6
        np.testing.assert_allclose(gradients[vertex, channel], numerical, rtol=1e-4, atol=1e-7)

    [(label_step, [target])] = data[("meshes", "sphere/labels")][1]
    assert label_step == 0
    np.testing.assert_array_equal(_array(target, "colors"), keras_callback.PALETTE[LABELS])


def test_every_n_epochs_and_chosen_gradient_channels(logdir):
    _fit(_model(), logdir, epochs=3, every_n_epochs=2, run="shapes", gradient_channels=[2])
    data = read_logdir(logdir)
    _, steps = data[("shapes", "sphere/prediction")]
    assert [step for step, _ in steps] == [0, 2]
    assert _array(steps[0][1][0], "attribute/loss_grad").shape == (42, 1)
    assert data[("shapes", "sphere/prediction")][0].description == ""


@pytest.mark.parametrize(
    "options,pattern",
    [
        ({"every_n_epochs": 0}, r"^every_n_epochs must be a positive int, got 0$"),
        ({"meshes": {}}, r"^meshes must be a non-empty dict of name -> LoggedMesh$"),
        ({"meshes": {"a": (INPUTS, VERTICES)}}, r"^meshes\['a'\] must be a LoggedMesh, got tuple$"),
        (
            {"meshes": {"a": keras_callback.LoggedMesh(INPUTS, VERTICES, FACES, LABELS[:5])}},
            r"^meshes\['a'\]\.labels must have shape \[V\] with V = 42 vertices, got \[5\]$",
        ),
        ({"gradient_channels": range(5)}, r"^gradient_channels must name 1 to 4 channels, got \[0, 1, 2, 3, 4\]$"),
    ],
)
def test_bad_arguments_raise_value_errors(options, pattern, logdir):
    arguments = {"meshes": {"sphere": keras_callback.LoggedMesh(INPUTS, VERTICES, FACES, LABELS)}, **options}
    with pytest.raises(ValueError, match=pattern):
        keras_callback.MeshPredictionLogger(str(logdir), **arguments)


def test_single_array_inputs_and_probabilities(logdir):
    """A model of features alone (here a per-point classifier with softmax outputs)."""
    keras.utils.set_random_seed(1)
    points = keras.Input((None, 3))
    model = keras.Model(points, keras.layers.Dense(3, activation="softmax")(points))
    mesh = keras_callback.LoggedMesh(VERTICES[None].astype(np.float32), VERTICES, None, LABELS)
    logger = keras_callback.MeshPredictionLogger(str(logdir), {"points": mesh}, from_logits=False)
    logger.set_model(model)
    predicted, losses, gradients = logger.predict(mesh)
    probabilities = model(VERTICES[None].astype(np.float32)).numpy()[0]
    np.testing.assert_array_equal(predicted, probabilities.argmax(-1))
    np.testing.assert_allclose(losses, -np.log(probabilities[np.arange(42), LABELS]), rtol=1e-5)
    assert gradients.shape == (42, 3) and np.all(np.isfinite(gradients))
    assert tf.is_tensor(gradients)

"""A Keras callback that logs a per-vertex classifier's predictions on chosen meshes to the 3D tab.

When training begins and then every `every_n_epochs` epochs, for each chosen mesh,
`MeshPredictionLogger` runs the model (`training=False`) and writes `<name>/prediction`: the mesh
coloured by the predicted class (a fixed categorical palette, `PALETTE`), with per-vertex attributes

- `loss`: the cross-entropy of the vertex's true label, `[V]`;
- `loss_grad`: the gradient of the mesh's summed loss with respect to the model's input features,
  at the channels `gradient_channels` (by default the first three, which hold vertex positions in
  `demo.mesh_segmentation`), `[V, K]`: which way moving a vertex (or changing its features) would
  raise the loss. With K = 3 the viewer draws it as arrows.

The first time, it also writes `<name>/labels`, the mesh coloured by the true labels, to compare
with (for example as the prediction's ghost). Colour by `loss` to see where the network is wrong.

Summaries go to their own file writer in `<log_dir>/<run>` (`run="meshes"` by default): give it
the `log_dir` of `keras.callbacks.TensorBoard`, whose `train` and `validation` runs sit beside it.
(Writing into one of those directories would put two event files into one run, which TensorBoard's
loader reads one after the other, losing steps.) Steps count the epochs trained: step 0 is the
untrained model, step n follows epoch n. (The TensorBoard callback logs epoch n's `epoch_*`
scalars at step n - 1.)
"""

import dataclasses
import os
import typing

import keras
import numpy as np
import tensorflow as tf

from graphics_ops.util import arguments
from tb_mesh_plugin import summary

# A categorical palette (uint8 RGB): class k is drawn in PALETTE[k % len(PALETTE)].
PALETTE = np.array(
    [
        [31, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [214, 39, 40],
        [148, 103, 189],
        [140, 86, 75],
        [227, 119, 194],
        [127, 127, 127],
        [188, 189, 34],
        [23, 190, 207],
    ],
    np.uint8,
)
_COLOUR_NAMES = ("blue", "orange", "green", "red", "purple", "brown", "pink", "grey", "olive", "cyan")


@dataclasses.dataclass(frozen=True)
class LoggedMesh:
    """A mesh to log, with what the model needs to predict its per-vertex classes.

    Attributes:
      inputs: The model's inputs for this one mesh, with a batch dimension of 1 (e.g.
        `[features [1, V, C], edges [1, E, 2], weights [1, E]]`), as a list, a dict, or one array.
      vertices: `[V, 3]` positions to draw.
      faces: `[F, 3]` vertex indices, or None to draw points.
      labels: `[V]` integer true classes.
    """

    inputs: typing.Any
    vertices: typing.Any
    faces: typing.Any
    labels: typing.Any


class MeshPredictionLogger(keras.callbacks.Callback):
    """Logs predictions, per-vertex losses and their gradients on chosen meshes (see the module)."""

    def __init__(
        self,
        log_dir,
        meshes,
        every_n_epochs=1,
        run="meshes",
        features_input=0,
        gradient_channels=(0, 1, 2),
        from_logits=True,
        class_names=None,
    ):
        """Initializes the callback.

        Args:
          log_dir: The log directory (that of `keras.callbacks.TensorBoard`, if used).
          meshes: A dict of tag prefix -> `LoggedMesh`.
          every_n_epochs: A positive int: log when training begins (step 0) and after epochs
            `every_n_epochs`, `2 every_n_epochs`, ... (counted from 1).
          run: The subdirectory of `log_dir` to write to.
          features_input: Where the per-vertex features `[1, V, C]` are in `LoggedMesh.inputs`: an
            index of the list, or a key of the dict (ignored for a single array).
          gradient_channels: 1 to 4 channels of the features whose gradients are logged.
          from_logits: Whether the model outputs logits (else probabilities), `[1, V, classes]`.
          class_names: Optional names of the classes, listed with their colours in the tags' descriptions.
        """
        super().__init__()
        arguments.check_positive_int(every_n_epochs, "every_n_epochs")
        if not isinstance(meshes, dict) or not meshes:
            raise ValueError("meshes must be a non-empty dict of name -> LoggedMesh")
        for name, mesh in meshes.items():
            if not isinstance(mesh, LoggedMesh):
                raise ValueError(f"meshes[{name!r}] must be a LoggedMesh, got {type(mesh).__name__}")
            if np.shape(mesh.labels) != np.shape(mesh.vertices)[:1]:
                raise ValueError(
                    f"meshes[{name!r}].labels must have shape [V] with V = {np.shape(mesh.vertices)[0]} vertices, "
                    f"got {list(np.shape(mesh.labels))}"
                )
        self.gradient_channels = [int(channel) for channel in gradient_channels]
        if not 1 <= len(self.gradient_channels) <= 4:
            raise ValueError(f"gradient_channels must name 1 to 4 channels, got {list(gradient_channels)}")
        self.log_dir, self.meshes, self.every_n_epochs, self.run = log_dir, meshes, every_n_epochs, run
        self.features_input, self.from_logits = features_input, bool(from_logits)
        self.description = _legend(class_names)
        self._writer, self._labels_logged = None, set()

    def on_train_begin(self, logs=None):
        self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, self.run))
        self._log_all(step=0)

    def on_train_end(self, logs=None):
        self._writer.close()

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0:
            self._log_all(step=epoch + 1)

    def _log_all(self, step):
        with self._writer.as_default(step=step):
            for name, mesh in self.meshes.items():
                self._log(name, mesh)
        self._writer.flush()

    def predict(self, mesh):
        """The model's view of one mesh: predicted classes `[V]`, losses `[V]` and gradients `[V, K]`."""
        inputs = tf.nest.map_structure(tf.convert_to_tensor, mesh.inputs)
        features = inputs if tf.is_tensor(inputs) else inputs[self.features_input]
        with tf.GradientTape() as tape:
            tape.watch(features)
            outputs = self.model(inputs, training=False)
            losses = keras.losses.sparse_categorical_crossentropy(
                tf.constant(mesh.labels)[None], outputs, from_logits=self.from_logits
            )
            total = tf.reduce_sum(losses)
        gradients = tape.gradient(total, features)
        predicted = tf.argmax(outputs[0], axis=-1, output_type=tf.int32)
        return predicted, losses[0], tf.gather(gradients[0], self.gradient_channels, axis=-1)

    def _log(self, name, mesh):
        predicted, losses, gradients = self.predict(mesh)
        summary.mesh(
            f"{name}/prediction",
            mesh.vertices,
            mesh.faces,
            tf.gather(PALETTE, predicted % len(PALETTE)),
            attributes={"loss": losses, "loss_grad": gradients},
            description=self.description,
        )
        if name not in self._labels_logged:
            labels = np.asarray(mesh.labels) % len(PALETTE)
            summary.mesh(f"{name}/labels", mesh.vertices, mesh.faces, PALETTE[labels], description=self.description)
            self._labels_logged.add(name)


def _legend(class_names):
    if not class_names:
        return None
    pairs = [f"{name} = {_COLOUR_NAMES[index % len(PALETTE)]}" for index, name in enumerate(class_names)]
    return "Colours: " + ", ".join(pairs) + "."

"""Part segmentation of procedurally generated creatures with a FeaStNet network, logged to the 3D tab.

Each creature is a deformed ellipsoidal body with two to four attached parts (a head, arms, legs:
spheres and capsules of random size, placement and angle), turned about the vertical by a random
angle, tilted by up to 20° and scaled;
every vertex is labelled with its part. Nothing is downloaded. A small network of
`FeatureSteeredConvolutionKerasLayer`s learns the labels from vertex positions and normals, and a
`tb_mesh_plugin.keras_callback.MeshPredictionLogger` logs its predictions on held-out creatures
every epoch: predicted parts as colours, per-vertex loss and its gradient as attributes.

    python -m demo.mesh_segmentation --logdir runs/segmentation --epochs 15 --json segmentation.json
    tensorboard --logdir runs/segmentation --samples_per_plugin=mesh3d=0
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import trimesh  # noqa: E402

from graphics_ops.nn import layers, neighbourhood  # noqa: E402
from tb_mesh_plugin import keras_callback  # noqa: E402

PARTS = ("body", "head", "arm", "leg")
SLOTS = ("head", "left arm", "right arm", "left leg", "right leg")
FEATURES = 6  # position (centred, unit RMS radius), then the vertex normal


def creature(rng):
    """One random labelled creature.

    Returns:
      vertices `[V, 3]` float32, faces `[F, 3]` int32 and labels `[V]` int32 (indices into PARTS).
    """
    radii = rng.uniform([0.7, 0.5, 0.8], [1.1, 0.8, 1.2])
    body = trimesh.creation.icosphere(subdivisions=3)
    direction = rng.normal(size=3)
    bumps = 1 + 0.08 * np.sin(body.vertices @ (3 * direction) + rng.uniform(0, 2 * np.pi))
    pieces = [(body.vertices * bumps[:, None] * radii, body.faces, "body")]
    for slot in rng.choice(SLOTS, size=rng.integers(2, 5), replace=False):
        pieces.append(_part(rng, slot, radii))
    vertices, faces, labels, offset = [], [], [], 0
    for piece_vertices, piece_faces, part in pieces:
        vertices.append(piece_vertices)
        faces.append(piece_faces + offset)
        labels.append(np.full(len(piece_vertices), PARTS.index(part)))
        offset += len(piece_vertices)
    tilt_axis = [*rng.normal(size=2), 0.0]
    turn = trimesh.transformations.rotation_matrix(rng.uniform(0, 2 * np.pi), [0, 0, 1])[:3, :3]
    turn = turn @ trimesh.transformations.rotation_matrix(rng.uniform(0, np.radians(20)), tilt_axis)[:3, :3]
    vertices = np.concatenate(vertices) @ turn.T * rng.uniform(0.8, 1.25) + rng.normal(scale=0.5, size=3)
    return vertices.astype(np.float32), np.concatenate(faces).astype(np.int32), np.concatenate(labels).astype(np.int32)


def _part(rng, slot, radii):
    """The vertices, faces and part name of one attached part of a body with these radii."""
    if slot == "head":
        radius = rng.uniform(0.28, 0.42)
        sphere = trimesh.creation.icosphere(subdivisions=2, radius=radius)
        centre = [rng.normal(scale=0.05), rng.normal(scale=0.05), radii[2] + 0.8 * radius]
        return sphere.vertices + centre, sphere.faces, "head"
    side = 1.0 if slot.startswith("left") else -1.0
    length = rng.uniform(0.5, 0.9)
    if slot.endswith("arm"):
        radius, droop = rng.uniform(0.08, 0.14), rng.uniform(0, np.radians(60))
        axis = np.array([0.0, side * np.cos(droop), -np.sin(droop)])
        attach = np.array([0.0, side * 0.85 * radii[1], rng.uniform(0.0, 0.4) * radii[2]])
    else:
        radius, splay, sweep = rng.uniform(0.1, 0.18), rng.uniform(0, np.radians(25)), rng.uniform(-1, 1)
        axis = np.array([np.sin(splay) * sweep, side * np.sin(splay), -np.cos(splay)])
        attach = np.array([rng.uniform(-0.2, 0.2) * radii[0], side * 0.45 * radii[1], -0.75 * radii[2]])
    capsule = trimesh.creation.capsule(height=length, radius=radius, count=[12, 8])
    rotation = trimesh.geometry.align_vectors([0.0, 0.0, 1.0], axis / np.linalg.norm(axis))[:3, :3]
    centre = attach + axis / np.linalg.norm(axis) * 0.9 * (0.5 * length + radius)
    return capsule.vertices @ rotation.T + centre, capsule.faces, slot.split()[1]


def features(vertices, faces):
    """Network input `[V, 6]`: positions centred on their mean with unit RMS radius, and normals."""
    centred = vertices - vertices.mean(axis=0)
    centred /= np.sqrt(np.mean(np.sum(centred**2, axis=1)))
    normals = trimesh.Trimesh(vertices, faces, process=False).vertex_normals
    return np.concatenate([centred, normals], axis=1).astype(np.float32)


def dataset(count, seed):
    """`count` creatures as padded arrays and the unpadded meshes.

    Returns:
      `inputs`, the list `[features [N, V, 6], edges [N, E, 2], weights [N, E]]` of the model's
      inputs (edges padded with -1, weights with 0); `labels [N, V]`; `mask [N, V]`, 1 at real
      vertices; and the meshes, a list of (vertices, faces, labels, features, edges, weights).
    """
    rng = np.random.default_rng(seed)
    meshes = []
    for _ in range(count):
        vertices, faces, labels = creature(rng)
        adjacency = neighbourhood.adjacency_from_faces(faces, len(vertices))
        edges, weights = neighbourhood.sparse_to_edges(adjacency)
        meshes.append((vertices, faces, labels, features(vertices, faces), edges.numpy(), weights.numpy()))
    most_vertices = max(len(mesh[0]) for mesh in meshes)
    most_edges = max(len(mesh[4]) for mesh in meshes)
    inputs = [
        np.zeros((count, most_vertices, FEATURES), np.float32),
        np.full((count, most_edges, 2), -1, np.int32),
        np.zeros((count, most_edges), np.float32),
    ]
    labels, mask = np.zeros((count, most_vertices), np.int32), np.zeros((count, most_vertices), np.float32)
    for index, (vertices, _, vertex_labels, vertex_features, edges, weights) in enumerate(meshes):
        inputs[0][index, : len(vertices)] = vertex_features
        inputs[1][index, : len(edges)] = edges
        inputs[2][index, : len(weights)] = weights
        labels[index, : len(vertices)] = vertex_labels
        mask[index, : len(vertices)] = 1
    return inputs, labels, mask, meshes


def network(width=32, seed=0):
    """A FeaStNet-style segmentation network: a per-vertex layer, three feature-steered convolutions
    (8 weight matrices each, each followed by layer normalisation and ReLU), and two per-vertex
    layers to the logits of the parts.

    The normalisation matters: with TensorFlow Graphics' initializer (a truncated normal of 0.1)
    each convolution starts out shrinking its input about fivefold, and without it the stack sat
    at "everything is body" for the first epochs. (Layer rather than batch normalisation: it is
    per vertex, so the padding of a batch does not enter it.)"""
    keras.utils.set_random_seed(seed)
    data = keras.Input((None, FEATURES), name="features")
    edges = keras.Input((None, 2), dtype="int32", name="edges")
    weights = keras.Input((None,), name="weights")
    hidden = keras.layers.Dense(width, activation="relu")(data)
    for channels in (width, 2 * width, 2 * width):
        convolution = layers.FeatureSteeredConvolutionKerasLayer(num_output_channels=channels)
        hidden = keras.layers.LayerNormalization()(convolution([hidden, edges, weights]))
        hidden = keras.layers.ReLU()(hidden)
    hidden = keras.layers.Dense(2 * width, activation="relu")(hidden)
    logits = keras.layers.Dense(len(PARTS))(hidden)
    return keras.Model([data, edges, weights], logits, name="feastnet_segmentation")


class _Curve(keras.callbacks.Callback):
    """Records, per epoch, the training loss, the held-out accuracy and the seconds since training began."""

    def __init__(self):
        super().__init__()
        self.rows = []

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        row = {
            "epoch": epoch + 1,
            "train_loss": float(logs["loss"]),
            "held_out_accuracy": float(logs["val_accuracy"]),
            "seconds": time.perf_counter() - self.start,
        }
        self.rows.append(row)
        print(
            f"epoch {row['epoch']:3d}  train loss {row['train_loss']:.4f}  "
            f"held-out accuracy {row['held_out_accuracy']:.4f}  {row['seconds']:6.1f} s",
            flush=True,
        )


def run(logdir, epochs, train=96, test=24, batch_size=4, logged=3, learning_rate=3e-3, seed=0):
    """Generates the creatures, trains the network, logs to `logdir`; returns the report (a dict)."""
    train_inputs, train_labels, train_mask, _ = dataset(train, seed)
    test_inputs, test_labels, test_mask, test_meshes = dataset(test, seed + 1)
    model = network(seed=seed)
    model.compile(
        keras.optimizers.Adam(learning_rate),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        weighted_metrics=["accuracy"],
        jit_compile=True,  # Keras' "auto" leaves XLA off on CPUs; it makes each step about 2.5 times faster here.
    )
    shown = {
        f"creature_{index}": keras_callback.LoggedMesh(
            inputs=[features[None], edges[None], weights[None]], vertices=vertices, faces=faces, labels=labels
        )
        for index, (vertices, faces, labels, features, edges, weights) in enumerate(test_meshes[:logged])
    }
    curve = _Curve()
    model.fit(
        train_inputs, train_labels, sample_weight=train_mask, batch_size=batch_size, epochs=epochs, shuffle=True,
        validation_data=(test_inputs, test_labels, test_mask), verbose=0,
        callbacks=[
            curve,
            keras.callbacks.TensorBoard(logdir),
            keras_callback.MeshPredictionLogger(logdir, shown, class_names=PARTS),
        ],
    )
    return {
        "task": "per-vertex part segmentation of procedural creatures (" + ", ".join(PARTS) + ")",
        "train_shapes": train,
        "held_out_shapes": test,
        "held_out_vertices": int(test_mask.sum()),
        "parameters": model.count_params(),
        "epochs": curve.rows,
    }


def curve_table(report):
    lines = ["| epoch | train loss | held-out accuracy | elapsed (s) |", "|---:|---:|---:|---:|"]
    for row in report["epochs"]:
        lines.append(
            f"| {row['epoch']} | {row['train_loss']:.3f} | {100 * row['held_out_accuracy']:.1f}% | {row['seconds']:.0f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logdir", default="runs/segmentation", help="TensorBoard log directory")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--json", help="where to write the accuracy curve as JSON")
    parser.add_argument("--train", type=int, default=96, help="training creatures")
    parser.add_argument("--test", type=int, default=24, help="held-out creatures")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    report = run(args.logdir, args.epochs, train=args.train, test=args.test, seed=args.seed)
    print()
    print(curve_table(report))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)
            file.write("\n")


if __name__ == "__main__":
    main()

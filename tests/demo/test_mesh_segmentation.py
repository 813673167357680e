"""demo.mesh_segmentation: labelled procedural creatures, and a short training run that logs to the 3D tab."""

import json
import sys

import numpy as np
import pytest
import trimesh
from scipy.sparse import csgraph, csr_matrix

from demo import mesh_segmentation
from graphics_ops.nn import neighbourhood
from tb_mesh_plugin import keras_callback
from tests.tb_mesh_plugin.logdir_reading import read_logdir

# Keras' own saving of weights (in the TensorBoard callback) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")


def _components(faces, count):
    """The number of connected components of the mesh graph, from graphics_ops.nn's adjacency."""
    adjacency = neighbourhood.adjacency_from_faces(faces, count)
    rows, cols = adjacency.indices.numpy().T
    return csgraph.connected_components(csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(count, count)))[0]


def test_creatures_are_one_closed_connected_surface_with_at_least_three_parts():
    rng = np.random.default_rng(0)
    sphere = trimesh.creation.icosphere(subdivisions=mesh_segmentation.SUBDIVISIONS)
    seen = set()
    for _ in range(12):
        vertices, faces, labels = mesh_segmentation.creature(rng)
        assert vertices.dtype == np.float32 and faces.dtype == np.int32 and labels.dtype == np.int32
        assert vertices.shape == sphere.vertices.shape and labels.shape == (len(vertices),)
        np.testing.assert_array_equal(faces, sphere.faces)  # the icosphere's connectivity, every time
        assert _components(faces, len(vertices)) == 1
        mesh = trimesh.Trimesh(vertices, faces, process=False)
        assert len(mesh.split(only_watertight=False)) == 1
        assert mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0
        present = set(np.unique(labels))
        assert present <= set(range(len(mesh_segmentation.PARTS))) and 0 in present and len(present) >= 3
        seen |= present
    assert seen == set(range(len(mesh_segmentation.PARTS)))


def test_parts_are_joined_to_the_body_and_stick_out_of_it():
    rng = np.random.default_rng(1)
    for _ in range(8):
        vertices, faces, labels = mesh_segmentation.creature(rng)
        edges = trimesh.Trimesh(vertices, faces, process=False).edges_unique
        distance = np.linalg.norm(vertices - vertices.mean(axis=0), axis=1)
        for part in set(np.unique(labels)) - {0}:
            # Connectivity does not separate a part from the body: some edges join them ...
            assert np.any(
                (labels[edges[:, 0]] == part) & (labels[edges[:, 1]] == 0)
                | (labels[edges[:, 0]] == 0) & (labels[edges[:, 1]] == part)
            )
            # ... and it has a share of the vertices: at least 20.
            assert np.sum(labels == part) >= 20
        # Parts reach further from the centre than the body does.
        assert distance[labels > 0].max() > distance[labels == 0].max()
        assert np.median(distance[labels > 0]) > np.median(distance[labels == 0])


def test_creatures_are_deterministic_for_a_seed():
    first = mesh_segmentation.creature(np.random.default_rng(3))
    again = mesh_segmentation.creature(np.random.default_rng(3))
    other = mesh_segmentation.creature(np.random.default_rng(4))
    for array, same in zip(first, again):
        np.testing.assert_array_equal(array, same)
    assert not np.allclose(first[0], other[0])
    inputs, labels, _, _ = mesh_segmentation.dataset(2, seed=5)
    inputs_again, labels_again, _, _ = mesh_segmentation.dataset(2, seed=5)
    np.testing.assert_array_equal(inputs[0], inputs_again[0])
    np.testing.assert_array_equal(labels, labels_again)


def test_dataset_pads_meshes_into_model_inputs():
    inputs, labels, mask, meshes = mesh_segmentation.dataset(3, seed=1)
    features, edges, weights = inputs
    assert features.shape[:2] == labels.shape == mask.shape and features.shape[2] == mesh_segmentation.FEATURES
    for index, (vertices, _, vertex_labels, vertex_features, mesh_edges, _) in enumerate(meshes):
        count = len(vertices)
        np.testing.assert_array_equal(mask[index], np.arange(mask.shape[1]) < count)
        np.testing.assert_array_equal(labels[index, :count], vertex_labels)
        positions, normals = features[index, :count, :3], features[index, :count, 3:6]
        np.testing.assert_allclose(np.sqrt(np.mean(np.sum(positions**2, -1))), 1, rtol=1e-5)
        np.testing.assert_allclose(positions.mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(normals, axis=-1), 1, rtol=1e-5)
        np.testing.assert_allclose(features[index, :count, 6], np.linalg.norm(positions, axis=-1), rtol=1e-5)
        facing = np.sum(positions * normals, -1) / np.linalg.norm(positions, axis=-1)
        np.testing.assert_allclose(features[index, :count, 7], facing, atol=1e-5)
        assert np.all(edges[index, len(mesh_edges) :] == -1) and np.all(weights[index, len(mesh_edges) :] == 0)
        row_sums = np.bincount(edges[index, : len(mesh_edges), 0], weights[index, : len(mesh_edges)], minlength=count)
        np.testing.assert_allclose(row_sums, 1, rtol=1e-5)


def test_features_do_not_change_when_a_creature_is_rotated():
    vertices, faces, _ = mesh_segmentation.creature(np.random.default_rng(6))
    rotation = trimesh.transformations.rotation_matrix(1.0, [1.0, 2.0, 3.0])[:3, :3]
    features = mesh_segmentation.features(vertices, faces)
    turned = mesh_segmentation.features((vertices @ rotation.T).astype(np.float32), faces)
    np.testing.assert_allclose(turned[:, 6:], features[:, 6:], atol=1e-4)
    np.testing.assert_allclose(turned[:, :3], features[:, :3] @ rotation.T, atol=1e-4)


def test_a_short_run_trains_and_logs_predictions_per_epoch(tmp_path, monkeypatch):
    report_path = tmp_path / "curve.json"
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "mesh_segmentation",
            "--logdir",
            str(tmp_path / "logs"),
            "--epochs",
            "2",
            "--json",
            str(report_path),
            "--train",
            "4",
            "--test",
            "2",
        ],
    )
    mesh_segmentation.main()
    report = json.loads(report_path.read_text())
    assert [row["epoch"] for row in report["epochs"]] == [1, 2]
    for row in report["epochs"]:
        assert np.isfinite(row["train_loss"]) and 0 <= row["held_out_accuracy"] <= 1 and row["seconds"] > 0
    assert report["held_out_shapes"] == 2 and report["parameters"] > 0 and report["data_seconds"] > 0
    assert report["held_out_vertices"] == 2 * 642
    assert sum(report["held_out_part_fractions"].values()) == pytest.approx(1)
    for part, accuracy in report["held_out_accuracy_by_part"].items():
        assert (accuracy is None) == (report["held_out_part_fractions"][part] == 0)
        assert accuracy is None or 0 <= accuracy <= 1

    data = read_logdir(tmp_path / "logs")
    tags = {tag for run, tag in data if run == "meshes"}
    assert tags == {"creature_0/prediction", "creature_0/labels", "creature_1/prediction", "creature_1/labels"}
    series, steps = data[("meshes", "creature_0/prediction")]
    assert [step for step, _ in steps] == [0, 1, 2]
    assert "body = blue" in series.description and "tail = red" in series.description
    [sample] = steps[-1][1]
    assert {"attribute/loss", "attribute/loss_grad"} <= set(sample.arrays)
    colors = np.frombuffer(sample.arrays["colors"].data, np.uint8).reshape(-1, 3)
    palette = {tuple(color) for color in keras_callback.PALETTE[: len(mesh_segmentation.PARTS)]}
    assert {tuple(color) for color in colors} <= palette

"""demo.mesh_segmentation: labelled procedural creatures, and a short training run that logs to the 3D tab."""

import json
import sys

import numpy as np
import pytest
import trimesh
from logdir_reading import read_logdir

from demo import mesh_segmentation
from tb_mesh_plugin import keras_callback

# Keras' own saving of weights (in the TensorBoard callback) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")


def test_creatures_are_labelled_meshes_with_a_body_and_two_to_four_parts():
    rng = np.random.default_rng(0)
    part_counts = set()
    for _ in range(12):
        vertices, faces, labels = mesh_segmentation.creature(rng)
        assert vertices.dtype == np.float32 and faces.dtype == np.int32 and labels.shape == (len(vertices),)
        assert faces.min() == 0 and faces.max() == len(vertices) - 1
        assert np.all(labels[:642] == 0), "the body comes first"
        components = trimesh.Trimesh(vertices, faces, process=False).split(only_watertight=False)
        part_counts.add(len(components) - 1)  # each part is a closed surface of its own
        assert set(np.unique(labels)) <= set(range(len(mesh_segmentation.PARTS)))
        assert len(np.unique(labels)) >= 2
    assert part_counts == {2, 3, 4}
    again, _, _ = mesh_segmentation.creature(np.random.default_rng(0))
    np.testing.assert_array_equal(again, mesh_segmentation.creature(np.random.default_rng(0))[0])


def test_dataset_pads_meshes_into_model_inputs():
    inputs, labels, mask, meshes = mesh_segmentation.dataset(3, seed=1)
    features, edges, weights = inputs
    assert features.shape[:2] == labels.shape == mask.shape and features.shape[2] == mesh_segmentation.FEATURES
    for index, (vertices, _, vertex_labels, vertex_features, mesh_edges, _) in enumerate(meshes):
        count = len(vertices)
        np.testing.assert_array_equal(mask[index], np.arange(mask.shape[1]) < count)
        np.testing.assert_array_equal(labels[index, :count], vertex_labels)
        np.testing.assert_allclose(np.sqrt(np.mean(np.sum(features[index, :count, :3] ** 2, -1))), 1, rtol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(features[index, :count, 3:], axis=-1), 1, rtol=1e-5)
        assert np.all(edges[index, len(mesh_edges) :] == -1) and np.all(weights[index, len(mesh_edges) :] == 0)
        row_sums = np.bincount(edges[index, : len(mesh_edges), 0], weights[index, : len(mesh_edges)], minlength=count)
        np.testing.assert_allclose(row_sums, 1, rtol=1e-5)


def test_a_short_run_trains_and_logs_predictions_per_epoch(tmp_path, monkeypatch):
    report_path = tmp_path / "curve.json"
    monkeypatch.setattr(
        sys, "argv",
        ["mesh_segmentation", "--logdir", str(tmp_path / "logs"), "--epochs", "2", "--json", str(report_path),
         "--train", "4", "--test", "2"],
    )
    mesh_segmentation.main()
    report = json.loads(report_path.read_text())
    assert [row["epoch"] for row in report["epochs"]] == [1, 2]
    for row in report["epochs"]:
        assert np.isfinite(row["train_loss"]) and 0 <= row["held_out_accuracy"] <= 1 and row["seconds"] > 0
    assert report["held_out_shapes"] == 2 and report["parameters"] > 0

    data = read_logdir(tmp_path / "logs")
    tags = {tag for run, tag in data if run == "meshes"}
    assert tags == {"creature_0/prediction", "creature_0/labels", "creature_1/prediction", "creature_1/labels"}
    series, steps = data[("meshes", "creature_0/prediction")]
    assert [step for step, _ in steps] == [0, 1, 2]
    assert "body = blue" in series.description
    [sample] = steps[-1][1]
    assert {"attribute/loss", "attribute/loss_grad"} <= set(sample.arrays)
    colors = np.frombuffer(sample.arrays["colors"].data, np.uint8).reshape(-1, 3)
    palette = {tuple(color) for color in keras_callback.PALETTE[: len(mesh_segmentation.PARTS)]}
    assert {tuple(color) for color in colors} <= palette

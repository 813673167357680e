"""The pose-fitting demo: a short fit lowers the loss and logs every step; the CLI; Ctrl-C."""

import json
import sys

import numpy as np
import pytest

from demo import pose_fit, toy_fish
from tests.demo.demo_testing import interrupt_once_logged, scalars, tags_by_step
from tests.tb_mesh_plugin.logdir_reading import read_logdir

STEPS = 6


@pytest.fixture(scope="module")
def short_fit(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("pose_fit")
    result = pose_fit.run(str(logdir / "fit"), seed=3, start_error=20.0, steps=STEPS, size=48, progress=False)
    return logdir, result


def test_the_fish_has_no_symmetry_and_closed_coloured_parts():
    vertices, faces, colors = toy_fish.build()
    assert colors.shape == vertices.shape and colors.min() >= 0 and colors.max() <= 1
    centred = vertices - vertices.mean(axis=0)
    # Mirroring any axis moves the shape: the nearest-point distance of the mirror is not ~0.
    for axis in range(3):
        mirrored = centred * np.where(np.arange(3) == axis, -1.0, 1.0)
        nearest = np.sqrt(((mirrored[:, None] - centred[None]) ** 2).sum(-1)).min(axis=1)
        assert nearest.mean() > 0.02, f"symmetric under mirroring axis {axis}"
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    assert np.all(counts == 2), "every part is a closed surface"


def test_a_short_fit_lowers_the_loss_and_the_error(short_fit):
    logdir, result = short_fit
    assert result["steps"] == STEPS and not result["interrupted"]
    # In the fine stage (after the best coarse hypothesis is chosen), loss and error fall.
    fine = round(pose_fit.COARSE_FRACTION * STEPS)
    assert result["losses"][-1] < result["losses"][fine], result["losses"]
    errors = scalars(logdir, "fit/rotation_error_degrees")
    assert len(errors) == STEPS and errors[-1] < errors[fine], errors
    assert result["rotation_error_degrees"] == pytest.approx(errors[-1], abs=1.0)


def test_every_step_is_logged_with_vertex_gradients(short_fit):
    logdir, _ = short_fit
    tags = tags_by_step(logdir)
    every_step = list(range(STEPS))
    for tag in (
        "pose/estimate",
        "pose/render",
        "pose/difference",
        "fit/loss",
        "fit/rotation_error_degrees",
        "fit/translation_error_fraction",
    ):
        assert tags.get(tag) == every_step, tag
    for tag in ("pose/target", "pose/camera", "pose/target_image"):
        assert tags.get(tag) == [0], tag

    data = read_logdir(logdir)
    _, steps = data[("fit", "pose/estimate")]
    assert [step for step, _ in steps] == every_step
    vertex_count = len(toy_fish.build()[0])
    for _, [sample] in steps:
        grad = np.frombuffer(sample.arrays["attribute/grad"].data, "<f4").reshape(vertex_count, 3)
        norm = np.frombuffer(sample.arrays["attribute/grad_norm"].data, "<f4")
        assert np.all(np.isfinite(grad)) and np.abs(grad).max() > 0
        np.testing.assert_allclose(norm, np.linalg.norm(grad, axis=-1), rtol=1e-5, atol=1e-12)


def test_the_renderer_is_traced_every_tenth_step_with_its_gradients(short_fit):
    logdir, _ = short_fit
    tags = tags_by_step(logdir)
    assert pose_fit.TRACE_EVERY > 1 and STEPS <= pose_fit.TRACE_EVERY  # only step 0 is traced
    for tag in (
        "trace/render/vertices",
        "trace/render/camera",
        "trace/render/rasterize/triangle_id",
        "trace/render/rasterize/depth",
        "trace/render",
        "trace/render/grad",
        "trace/render/nonfinite",
    ):
        assert tags.get(tag) == [0], tag
    _, [(step, samples)] = read_logdir(logdir)[("fit", "trace/render/vertices")]
    assert step == 0 and len(samples) == pose_fit.HYPOTHESES
    for sample in samples:
        grad = np.frombuffer(sample.arrays["attribute/grad"].data, "<f4")
        assert np.all(np.isfinite(grad)) and np.abs(grad).max() > 0


def test_the_command_line_writes_the_json_summary(tmp_path):
    path = tmp_path / "fit.json"
    pose_fit.main(["--logdir", str(tmp_path / "run"), "--steps", "2", "--size", "32", "--json", str(path)])
    result = json.loads(path.read_text())
    assert set(result) == {
        "seed",
        "start_rotation_error_degrees",
        "rotation_error_degrees",
        "translation_error_fraction",
        "steps",
        "seconds",
        "interrupted",
    }
    assert result["steps"] == 2 and result["start_rotation_error_degrees"] == 45.0
    with pytest.raises(SystemExit):
        pose_fit.main(["--start-error", "200"])


def test_ctrl_c_stops_the_fit_and_leaves_a_readable_logdir(tmp_path):
    logdir, path = tmp_path / "run", tmp_path / "fit.json"
    command = [sys.executable, "-m", "demo.pose_fit", "--logdir", str(logdir), "--size", "32", "--json", str(path)]
    output = interrupt_once_logged(command, logdir, "pose/estimate")
    assert "(interrupted)" in output
    result = json.loads(path.read_text())
    assert result["interrupted"] and 2 <= result["steps"] < 300
    steps = tags_by_step(logdir)["pose/estimate"]
    # Every step fitted was logged (and perhaps the one Ctrl-C interrupted).
    assert steps == list(range(len(steps))) and len(steps) - result["steps"] in (0, 1)

"""The volumetric demo: a short fit lowers the loss, logs voxels and held-out renders; the CLI; Ctrl-C."""

import json
import sys

import numpy as np
import pytest
import tensorflow as tf

from demo import volumetric
from tests.demo.demo_testing import interrupt_once_logged, scalars, tags_by_step
from tests.tb_mesh_plugin.logdir_reading import read_logdir

STEPS, LOG_EVERY = 30, 10
SMALL = {"size": 24, "grid_size": 16, "samples": 24, "rays_per_step": 512}


@pytest.fixture(scope="module")
def short_fit(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("volumetric")
    result = volumetric.run(str(logdir / "fit"), seed=1, steps=STEPS, log_every=LOG_EVERY, progress=False, **SMALL)
    return logdir, result


def test_the_volume_renders_the_views_the_rasterizer_renders():
    """With the grid set to an opaque ball, the volume render of a view matches the ball's silhouette."""
    fit = volumetric.VoxelFit(0, **SMALL)
    size = SMALL["grid_size"]
    centres = (np.stack(np.meshgrid(*[np.linspace(-1, 1, size)] * 3, indexing="ij"), -1)) * volumetric.BOUND
    inside = np.linalg.norm(centres, axis=-1) < 0.8
    grid = np.zeros((size,) * 3 + (4,), np.float32)
    grid[..., 3] = np.where(inside, 8.0, -30.0)  # softplus: about 8 per unit length inside, 0 outside
    origins, directions = fit.held_out_rays
    colors = fit.render_rays(tf.constant(grid), origins, directions).numpy().reshape(4, 24, 24, 3)
    # Rays that miss the ball stay white; rays through its centre see the grey (sigmoid(0)) colour.
    centre = colors[:, 12, 12]
    np.testing.assert_allclose(centre, 0.5, atol=0.02)
    np.testing.assert_allclose(colors[:, 0, 0], 1.0, atol=1e-3)


def test_a_short_fit_lowers_the_loss_and_raises_the_held_out_psnr(short_fit):
    logdir, result = short_fit
    assert result["steps"] == STEPS and not result["interrupted"]
    losses = result["losses"]
    assert np.mean(losses[-5:]) < np.mean(losses[:5]), losses
    psnrs = dict(zip(tags_by_step(logdir)["fit/held_out_psnr"], scalars(logdir, "fit/held_out_psnr")))
    assert sorted(psnrs) == [0, 10, 20, STEPS - 1]
    assert psnrs[STEPS - 1] > psnrs[0] and result["held_out_psnr_db"] == pytest.approx(psnrs[STEPS - 1])


def test_voxels_and_renders_are_logged_every_n_steps(short_fit):
    logdir, _ = short_fit
    tags = tags_by_step(logdir)
    logged = [0, 10, 20, STEPS - 1]
    for tag in ("volume/voxels", "views/held_out_render", "fit/loss", "fit/held_out_psnr", "fit/voxels_shown"):
        assert tags.get(tag) == logged, tag
    for tag in ("volume/fish", "views/training", "views/held_out_target"):
        assert tags.get(tag) == [0], tag
    data = read_logdir(logdir)
    _, steps = data[("fit", "volume/voxels")]
    assert [step for step, _ in steps] == logged
    for _, [sample] in steps:
        density = np.frombuffer(sample.arrays["attribute/density"].data, "<f4")
        assert len(density) > 0 and np.all(np.isfinite(density)) and np.all(density > 0)
        colors = np.frombuffer(sample.arrays["colors"].data, np.uint8)
        assert len(colors) in (3 * len(density), 4 * len(density))


def test_the_command_line_writes_the_json_summary(tmp_path):
    path = tmp_path / "fit.json"
    arguments = ["--logdir", str(tmp_path / "run"), "--steps", "2", "--size", "16", "--grid", "8"]
    volumetric.main(arguments + ["--samples", "8", "--rays", "64", "--json", str(path)])
    result = json.loads(path.read_text())
    assert set(result) == {"seed", "steps", "seconds", "interrupted", "held_out_psnr_db"}
    assert result["steps"] == 2 and np.isfinite(result["held_out_psnr_db"])
    with pytest.raises(SystemExit):
        volumetric.main(["--steps", "0"])


def test_ctrl_c_stops_the_fit_and_leaves_a_readable_logdir(tmp_path):
    logdir, path = tmp_path / "run", tmp_path / "fit.json"
    command = [sys.executable, "-m", "demo.volumetric", "--logdir", str(logdir), "--size", "16", "--grid", "8"]
    command += ["--samples", "8", "--rays", "64", "--log-every", "1", "--json", str(path)]
    output = interrupt_once_logged(command, logdir, "volume/voxels")
    assert "(interrupted)" in output
    result = json.loads(path.read_text())
    assert result["interrupted"] and 2 <= result["steps"] < 1000
    steps = tags_by_step(logdir)["volume/voxels"]
    # Every step fitted was logged, but perhaps the last, if Ctrl-C came while it was being logged.
    assert steps == list(range(len(steps))) and result["steps"] - len(steps) in (0, 1)
    assert any(tag == "volume/voxels" for _, tag in read_logdir(logdir))

"""The self-supervised pose encoder: labels out of reach, a short run, resume, summaries, bad input."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from demo.self_supervised import (
    cli,
    cluster,
    cluster_probe,
    data,
    objectives,
    refinement,
    run,
    self_training,
    training,
)
from demo.self_supervised.evaluation import rotation_errors
from demo.self_supervised.model import PoseEncoder
from tests.tb_mesh_plugin.logdir_reading import read_logdir

TINY = {
    "size": 32,
    "batch": 8,
    "hypotheses": 2,
    "train_images": 32,
    "held_out_images": 8,
    "refine_steps": 5,
    "progress": False,
}
# The command line of a one-step run on a tiny data set.
ONE_STEP_ARGUMENTS = "--steps 1 --size 32 --train-images 8 --held-out-images 4 --batch 8 --refine-steps 2".split()
STEPS = 20


def _tags_by_step(logdir):
    """{tag: sorted steps} of every summary in the event files under `logdir`."""
    tags = {}
    for path in pathlib.Path(logdir).rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    return {tag: sorted(steps) for tag, steps in tags.items()}


def _environment():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("self_supervised") / "run"
    result = run.train(str(logdir), steps=STEPS, log_every=10, learning_rate=3e-3, self_training_steps=0, **TINY)
    return logdir, result


class _Unreadable:
    """A descriptor that fails the test if the attribute is read."""

    def __get__(self, instance, owner):
        raise AssertionError("the training labels were read")


class _LabelsOutOfReach:
    """`data.Poses` whose training labels cannot be read; the held-out ones (for evaluation) can."""

    train_rotations = _Unreadable()
    train_translations = _Unreadable()

    def __init__(self, poses):
        self.held_out_rotations = poses.held_out_rotations
        self.held_out_translations = poses.held_out_translations


def test_the_self_supervised_path_never_reads_the_training_labels(tmp_path, monkeypatch):
    made = data.make
    seen = []

    def guarded_make(*args, **kwargs):
        images, poses = made(*args, **kwargs)
        return images, _LabelsOutOfReach(poses)

    original_batches = training.distributed_batches

    def recording_batches(strategy, arrays, *args, **kwargs):
        seen.append(arrays)
        return original_batches(strategy, arrays, *args, **kwargs)

    monkeypatch.setattr(data, "make", guarded_make)
    monkeypatch.setattr(training, "distributed_batches", recording_batches)
    result = run.train(str(tmp_path / "self"), steps=2, log_every=1, self_training_steps=1, **TINY)
    assert result["steps"] == 2
    # The rendering phase's input is the images alone: one uint8 array of image shape. Self-training's
    # is images and their refined poses, made while the labels were out of reach.
    rendering, self_training = seen
    assert len(rendering) == 1 and rendering[0].dtype == np.uint8 and rendering[0].shape[1:] == (32, 32, 3)
    assert len(self_training) == 3 and self_training[0].dtype == np.uint8
    assert objectives.SelfSupervised.needs_labels is False and objectives.PseudoLabelled.needs_labels is False
    # The guard is effective: the supervised baseline, which needs the labels, trips it.
    with pytest.raises(AssertionError, match="labels were read"):
        run.train(str(tmp_path / "supervised"), steps=2, supervised=True, **TINY)


def test_a_short_run_lowers_the_loss_and_writes_every_summary(short_run):
    logdir, result = short_run
    assert result["steps"] == STEPS and not result["interrupted"] and result["chief"]
    assert result["last_loss"] < result["first_loss"], result
    tags = _tags_by_step(logdir)
    logged = [0, 10, STEPS - 1]
    for tag in (
        "train/loss",
        "train/rendering_loss",
        "train/selection_loss",
        "train/images_per_second",
        "held_out/median_rotation_error_degrees",
        "held_out/mean_rotation_error_degrees",
        "held_out/share_under_5_degrees",
        "held_out/share_under_15_degrees",
        "held_out/share_under_30_degrees",
        "held_out/translation_error",
        "pose/input_render_difference",
        "trace/render/vertices",
        "trace/render/rasterize/triangle_id",
        "pose/predicted",
        "pose/true",
    ):
        assert tags.get(tag) == logged, tag
    meshes = read_logdir(logdir.parent)
    _, steps = meshes[("run", "pose/predicted")]
    vertex_count = len(data.load_shape("fish").vertices)
    for _, samples in steps:
        assert len(samples) == 4
        for sample in samples:
            grad = np.frombuffer(sample.arrays["attribute/grad"].data, "<f4").reshape(vertex_count, 3)
            assert np.all(np.isfinite(grad)) and np.abs(grad).max() > 0
    assert len(meshes[("run", "pose/true")][1]) == len(logged)
    refined = result["refined"]
    assert refined.keys() == {key for key in result if key.startswith(("median_", "mean_", "share_", "translation_"))}
    for name in refined:
        assert tags.get(f"held_out_refined/{name}") == [STEPS - 1], name


def test_resume_continues_from_the_checkpoint_step(short_run):
    logdir, _ = short_run
    result = run.train(
        str(logdir), steps=STEPS + 5, log_every=10, resume=True, learning_rate=3e-3, self_training_steps=0, **TINY
    )
    assert result["first_step"] == STEPS and result["steps"] == STEPS + 5
    assert _tags_by_step(logdir)["train/loss"] == [0, 10, STEPS - 1, STEPS, STEPS + 4]
    checkpoint = tf.train.latest_checkpoint(str(logdir / "checkpoints"))
    assert checkpoint.endswith(f"-{STEPS + 5}")


def test_self_training_rounds_train_on_the_refined_poses_with_the_lowest_residuals(tmp_path):
    logdir = tmp_path / "run"
    result = run.train(str(logdir), steps=12, log_every=4, self_training_steps=6, pseudo_labels=(16, 12), **TINY)
    assert result["self_training_steps"] == 6 and result["pseudo_labels"] == [16, 12]
    tags = _tags_by_step(logdir)
    assert tags["train/rendering_loss"] == [0, 4] and tags["train/pseudo_label_loss"] == [8, 11]
    # Round 1 starts at step 6, round 2 at step 9.
    assert tags["self_training/kept_residual_max"] == [6, 9] and tags["self_training/kept_images"] == [6, 9]
    # The checkpoint holds the pseudo-labels: the first round's kept half has its lowest residuals, and
    # the second round adds its images with residuals up to the largest of that half.
    labels = self_training.PseudoLabels((16, 12))
    tf.train.Checkpoint(pseudo_labels=labels.variables()).restore(
        tf.train.latest_checkpoint(str(logdir / "checkpoints"))
    ).expect_partial()
    residuals = labels.residuals.numpy()
    assert int(labels.rounds_labelled.numpy()) == 2 and np.all(residuals > 0)
    first_round = labels.kept(1)
    assert len(first_round) == 8 and residuals[first_round].max() <= np.delete(residuals[:16], first_round).min()
    both = labels.kept(2)
    second = both[both >= 16]
    assert np.array_equal(both[both < 16], first_round)
    assert np.array_equal(second, 16 + np.nonzero(residuals[16:] <= labels.threshold())[0])
    rotations = labels.rotations.numpy()
    np.testing.assert_allclose(
        rotations @ np.swapaxes(rotations, 1, 2), np.broadcast_to(np.eye(3), (28, 3, 3)), atol=1e-4
    )


def test_pseudo_label_counts_are_scaled_to_the_training_images():
    assert run._self_training_rounds(10, 6, (1024, 2048), 30) == ([10, 13], (10, 20))
    assert run._self_training_rounds(10, 0, (1024, 2048), 30) == ([], ())
    assert run._self_training_rounds(10, 1, (8, 8), 30) == ([10], (8,))  # a round per step at most


def test_the_pseudo_labelled_objective_trains_the_nearest_hypothesis_and_selects_it():
    model = PoseEncoder(3, 90.0)
    images = tf.random.uniform([2, 32, 32, 3], seed=1)
    rotations, translations, _ = model(images)
    losses, parts = objectives.PseudoLabelled()(model, images, rotations[:, 1], translations[:, 1])
    np.testing.assert_allclose(parts["pseudo_label"].numpy(), 0.0, atol=2e-3)
    np.testing.assert_allclose(losses.numpy(), objectives.SELECTION_WEIGHT * parts["selection"].numpy(), atol=2e-3)


def test_resume_without_a_checkpoint_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no checkpoint"):
        run.train(str(tmp_path / "empty"), steps=2, resume=True, **TINY)


def test_geodesic_angles_match_float64_references_with_finite_gradients():
    rng = np.random.default_rng(0)
    true = data.random_rotations(rng, 16, 180.0)
    predicted = data.random_rotations(rng, 16, 180.0)
    predicted[0], predicted[1] = true[0], true[1] @ np.diag([-1.0, -1.0, 1.0])  # 0° and 180°
    expected = np.radians(rotation_errors(predicted, true))
    predicted_tensor = tf.constant(predicted, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(predicted_tensor)
        angles = objectives.geodesic_angles(predicted_tensor, tf.constant(true, tf.float32))
    np.testing.assert_allclose(angles.numpy(), expected, atol=2e-3)
    assert np.all(np.isfinite(tape.gradient(angles, predicted_tensor).numpy()))


def test_the_winner_only_objective_has_the_loss_and_gradients_of_the_min_over_hypotheses():
    shape = data.load_shape("fish")
    objective = objectives.SelfSupervised(shape, 32)
    model = PoseEncoder(3, 90.0)
    images, _ = data.make(shape, 2, 4, 4, 90.0, 32)
    batch = data.as_float(images.train)
    with tf.GradientTape(persistent=True) as tape:
        losses, parts = objective(model, batch)
        rotations, translations, _ = model(batch)
        reference = tf.reduce_min(objective.hypothesis_losses(batch, rotations, translations), axis=-1)
        rendering, reference_sum = tf.reduce_sum(parts["rendering"]), tf.reduce_sum(reference)
    np.testing.assert_allclose(parts["rendering"].numpy(), reference.numpy(), rtol=1e-5)
    variables = model.rotation_head.trainable_variables + model.translation_head.trainable_variables
    for winner_only, differentiable_min in zip(
        tape.gradient(rendering, variables), tape.gradient(reference_sum, variables)
    ):
        scale = np.abs(differentiable_min.numpy()).max()
        assert scale > 0
        np.testing.assert_allclose(winner_only.numpy(), differentiable_min.numpy(), atol=1e-4 * scale)


def test_refinement_brings_turned_poses_back_without_labels():
    shape = data.load_shape("fish")
    renderer = objectives.SelfSupervised(shape, 32)
    images, poses = data.make(shape, 4, 4, 16, 90.0, 32)
    turn = data.random_rotations(np.random.default_rng(5), 16, 20.0)
    start = (turn @ poses.held_out_rotations).astype(np.float32)
    before = rotation_errors(start, poses.held_out_rotations)
    refine = tf.function(lambda *args: refinement.refine(renderer, *args, 40))
    rotations, translations = refine(data.as_float(images.held_out), start, poses.held_out_translations + 0.05)
    after = rotation_errors(rotations.numpy(), poses.held_out_rotations)
    assert np.median(after) < 0.5 * np.median(before)
    assert np.all(np.isfinite(translations.numpy()))


def test_random_rotations_stay_within_the_angle():
    rotations = data.random_rotations(np.random.default_rng(1), 500, 30.0)
    angles = rotation_errors(rotations, np.tile(np.eye(3), (500, 1, 1)))
    assert angles.max() <= 30.0 + 1e-6 and angles.max() > 25.0


def test_a_loopback_tf_config_names_every_worker():
    config = json.loads(cluster.loopback_tf_config(3, 1, 5000))
    assert config == {
        "cluster": {"worker": ["127.0.0.1:5000", "127.0.0.1:5001", "127.0.0.1:5002"]},
        "task": {"type": "worker", "index": 1},
    }
    with pytest.raises(ValueError, match="worker_index"):
        cluster.loopback_tf_config(2, 2, 5000)
    with pytest.raises(ValueError, match="TF_CONFIG"):
        cluster.parse_tf_config('{"cluster": {}}')


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--object", "teapot"], "object must be one of"),
        (["--max-angle", "0"], "--max-angle must be in (0, 180]"),
        (["--max-angle", "181"], "--max-angle must be in (0, 180]"),
        (["--self-training-steps", "1"], "--self-training-steps must be in [0, --steps)"),
        (["--pseudo-labels", "8", "1"], "--pseudo-labels must each be >= 2"),
        (["--batch", "7", "--cpu-devices", "2"], "not divisible by the 2 replicas"),
        (["--workers", "2", "--worker-index", "2"], "--worker-index must be in [0, 2)"),
    ],
)
def test_bad_arguments_are_named(tmp_path, capsys, arguments, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            [
                "--logdir",
                str(tmp_path / "run"),
                *ONE_STEP_ARGUMENTS,
                *arguments,
            ]
        )
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_peer_fails_with_a_clear_error_instead_of_hanging(tmp_path):
    own, missing = cluster_probe.free_ports(2)
    config = {
        "cluster": {"worker": [f"127.0.0.1:{own}", f"127.0.0.1:{missing}"]},
        "task": {"type": "worker", "index": 0},
    }
    command = [
        sys.executable,
        "-m",
        "demo.self_supervised",
        "--logdir",
        str(tmp_path / "run"),
        *ONE_STEP_ARGUMENTS,
        "--connect-timeout",
        "3",
        "--no-progress",
    ]
    begin = time.monotonic()
    process = subprocess.run(
        command, env=dict(_environment(), TF_CONFIG=json.dumps(config)), capture_output=True, text=True, timeout=120
    )
    assert process.returncode == -signal.SIGKILL, process.stderr[-2000:]
    assert f"127.0.0.1:{missing}" in process.stderr and "did not answer within 3 s" in process.stderr
    assert time.monotonic() - begin < 120
    assert not list((tmp_path / "run").rglob("events.out.tfevents.*"))


def test_two_logical_devices_give_the_gradients_of_one_and_summaries_once_per_step(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "tests.demo.self_supervised_replicas", str(tmp_path)],
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads(process.stdout.strip().splitlines()[-1])
    assert report["devices"] == 2 and report["replicas"] == 2
    assert report["two_device_loss"] == pytest.approx(report["one_device_loss"], rel=1e-5)
    assert report["largest_gradient_difference"] <= 1e-3 * report["gradient_scale"], report
    tags = _tags_by_step(tmp_path / "summaries")
    assert tags["replicated/mesh"] == [0, 1, 2] and tags["replicated/replica"] == [0, 1, 2], tags


def test_two_workers_on_loopback_train_and_only_the_chief_writes(tmp_path):
    ports = cluster_probe.free_ports(2)
    arguments = [
        "--steps",
        "5",
        "--batch",
        "8",
        "--size",
        "32",
        "--train-images",
        "32",
        "--held-out-images",
        "4",
        "--hypotheses",
        "2",
        "--log-every",
        "2",
        "--refine-steps",
        "2",
        "--no-progress",
    ]
    processes = []
    for index in range(2):
        config = {
            "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
            "task": {"type": "worker", "index": index},
        }
        command = [
            sys.executable,
            "-m",
            "demo.self_supervised",
            "--logdir",
            str(tmp_path / "cluster"),
            *arguments,
            "--json",
            str(tmp_path / f"worker_{index}.json"),
        ]
        # Each worker's output goes to a file: a worker blocked on a full pipe would stall the other's collectives.
        with open(tmp_path / f"worker_{index}.log", "w") as log:
            processes.append(
                subprocess.Popen(
                    command, env=dict(_environment(), TF_CONFIG=json.dumps(config)), stdout=log, stderr=log
                )
            )
    try:
        for process in processes:
            process.wait(timeout=600)
    finally:
        for process in processes:
            process.kill()
    for index, process in enumerate(processes):
        assert process.returncode == 0, (tmp_path / f"worker_{index}.log").read_text()[-3000:]
    assert json.loads((tmp_path / "worker_0.json").read_text())["steps"] == 5
    assert not (tmp_path / "worker_1.json").exists()  # only the chief reports
    [events] = list((tmp_path / "cluster").rglob("events.out.tfevents.*"))
    assert events.parent == tmp_path / "cluster"
    assert tf.train.latest_checkpoint(str(tmp_path / "cluster" / "checkpoints")).endswith("-5")
    assert _tags_by_step(tmp_path / "cluster")["train/loss"] == [0, 2, 4]


def test_ctrl_c_saves_a_checkpoint_and_leaves_a_readable_logdir(tmp_path):
    logdir, path = tmp_path / "run", tmp_path / "result.json"
    command = [
        sys.executable,
        "-m",
        "demo.self_supervised",
        "--logdir",
        str(logdir),
        "--steps",
        "1000",
        "--size",
        "32",
        "--batch",
        "8",
        "--hypotheses",
        "2",
        "--train-images",
        "16",
        "--held-out-images",
        "4",
        "--log-every",
        "1",
        "--no-progress",
        "--json",
        str(path),
    ]
    process = subprocess.Popen(
        command, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        deadline = time.monotonic() + 300
        while len(_tags_by_step(logdir).get("train/loss", [])) < 2:  # flushed every 2 s
            assert process.poll() is None, "training ended before it was interrupted"
            assert time.monotonic() < deadline, "no steps were logged"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0 and "(interrupted)" in output
    result = json.loads(path.read_text())
    assert result["interrupted"] and 2 <= result["steps"] < 1000
    assert tf.train.latest_checkpoint(str(logdir / "checkpoints")).endswith(f"-{result['steps']}")
    assert _tags_by_step(logdir)["held_out/median_rotation_error_degrees"][-1] == result["steps"] - 1

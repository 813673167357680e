"""The self-supervised pose encoder: accuracy, training throughput, and the distributed set-ups.

Run with `python -m bench.self_supervised [--steps N] [--train-images N] [--skip-accuracy] [--ablation]`.

1. Accuracy: `python -m demo.self_supervised` self-supervised and `--supervised` at `--max-angle`
   90 and 180, each in its own process, `--steps` steps (default: the demo's default budget);
   with `--ablation` also the self-supervised run at 90 with one hypothesis, with the plain
   (single-scale) image loss, without self-training (every step on the rendering loss), and with
   one self-training round instead of two.
   Held-out median and mean rotation error, share under 5 and 15 degrees, translation error
   (fraction of the camera distance), seconds; the same after the demo's render-and-compare
   refinement.
2. Refinement's reach: held-out images, refinement started at their true pose turned by 15 to 90
   degrees about random axes; the median error and share under 5 degrees afterwards.
3. Throughput: training images per second at global batch 8, 32 and 64 (self-supervised, 4
   hypotheses, 64x64), with the share of a step spent rendering (the renderer alone on the same
   batch: the K forward renders that pick the winner and the winner's forward + backward); the
   renderer's forward + backward per image for 32 images; and batch 32 on 1 and 2 logical CPU
   devices. Each set-up runs in its own process (logical devices are fixed when TensorFlow starts).
4. Two workers on loopback (MultiWorkerMirroredStrategy) against one process on the same global
   batch: the first step's loss.

Prints markdown tables and writes bench/results/self_supervised.json.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from bench.measure import machine
from demo.self_supervised import defaults

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "self_supervised.json"
BATCHES = (8, 32, 64)
REPEATS = 5


def _environment():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), TF_CPP_MIN_LOG_LEVEL="3")


def train(directory, name, arguments, environment=None):
    """Runs the demo with `arguments` into `directory/name`; returns its JSON result."""
    result_path = pathlib.Path(directory) / f"{name}.json"
    command = [sys.executable, "-m", "demo.self_supervised", "--logdir", str(pathlib.Path(directory) / name)]
    command += [*arguments, "--json", str(result_path), "--no-progress"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment or _environment())
    return json.loads(result_path.read_text())


def accuracy(directory, steps, train_images, ablation):
    runs = []
    for max_angle in (90, 180):
        for mode in ("self-supervised", "supervised"):
            runs.append((mode, max_angle, ["--supervised"] if mode == "supervised" else []))
    if ablation:
        runs.append(("self-supervised, K=1", 90, ["--hypotheses", "1"]))
        runs.append(("self-supervised, plain loss", 90, ["--loss", "plain"]))
        runs.append(("self-supervised, no self-training", 90, ["--self-training-steps", "0"]))
        runs.append(("self-supervised, one self-training round", 90, ["--pseudo-labels", "2048"]))
    rows = []
    for label, max_angle, extra in runs:
        arguments = ["--steps", str(steps), "--max-angle", str(max_angle), "--train-images", str(train_images), *extra]
        result = train(directory, f"{label}_{max_angle}".replace(" ", "").replace(",", "_"), arguments)
        rows.append({"run": label, **result})
        print(f"  {label} at {max_angle}°: median {result['median_rotation_error_degrees']:.1f}°", file=sys.stderr)
    return rows


def throughput_in_process(cpu_devices, batches):
    """Measures training and rendering times in this process (run by `throughput`)."""
    from demo.self_supervised import cluster

    cluster.split_cpu(cpu_devices)
    import tensorflow as tf

    from demo.self_supervised import data, objectives, training
    from demo.self_supervised import model as model_module

    shape = data.load_shape("fish")
    images, _ = data.make(shape, 0, max(batches), 4, 90.0, 64)
    strategy = cluster.strategy(cpu_devices)
    renderer = objectives.SelfSupervised(shape, 64)
    rows = []
    for batch in batches:
        with strategy.scope():
            model = model_module.PoseEncoder(4, 90.0)
            model(tf.zeros([1, 64, 64, 3]))
            optimizer = tf.keras.optimizers.Adam(1e-4)
            optimizer.build(model.trainable_variables)
        trainer = training.Trainer(strategy, model, renderer, optimizer, batch, lambda x: (data.as_float(x),))
        iterator = iter(training.distributed_batches(strategy, (images.train[:batch],), batch, seed=0))
        step_seconds = _median(lambda: trainer.step(iterator))
        batch_images = data.as_float(images.train[:batch])
        rotations, translations, _ = model(batch_images)

        @tf.function
        def render_as_the_step_does(images, rotations, translations):
            losses = renderer.hypothesis_losses(images, rotations, translations)
            best = tf.argmin(losses, axis=-1, output_type=tf.int32)
            winner = [tf.gather(values, best, batch_dims=1) for values in (rotations, translations)]
            with tf.GradientTape() as tape:
                tape.watch(winner)
                loss = tf.reduce_sum(renderer.pose_losses(images, *winner))
            return tape.gradient(loss, winner)

        render_seconds = (
            _median(lambda: render_as_the_step_does(batch_images, rotations, translations))
            if cpu_devices == 1
            else None
        )
        rows.append(
            {
                "batch": batch,
                "cpu_devices": cpu_devices,
                "step_seconds": step_seconds,
                "images_per_second": batch / step_seconds,
                "renderer_share": None if render_seconds is None else render_seconds / step_seconds,
            }
        )
    return rows


def _median(function):
    function()
    times = []
    for _ in range(REPEATS):
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def throughput(cpu_devices, batches):
    command = [sys.executable, "-m", "bench.self_supervised", "--throughput-worker", str(cpu_devices)]
    command += ["--batches", *map(str, batches)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=_environment()).stdout
    return json.loads(output.strip().splitlines()[-1])


def renderer_amortisation():
    """Forward + backward of the renderer alone, batch 32 at 64x64, ms per image (one hypothesis)."""
    import tensorflow as tf

    from demo.self_supervised import data, objectives

    shape = data.load_shape("fish")
    renderer = objectives.SelfSupervised(shape, 64)
    images, poses = data.make(shape, 1, 32, 4, 90.0, 64)
    posed = data.pose_vertices(renderer.vertices, poses.train_rotations, poses.train_translations + 0.01)
    target = data.as_float(images.train)

    @tf.function
    def render_and_back(posed):
        with tf.GradientTape() as tape:
            tape.watch(posed)
            loss = tf.reduce_sum(objectives.image_distance(renderer.render(posed), target, "plain"))
        return tape.gradient(loss, posed)

    return 1000 * _median(lambda: render_and_back(posed)) / 32


def refinement_reach(offsets=(15, 30, 45, 60, 90), count=128):
    """Refinement from held-out true poses turned by each of `offsets` degrees about random axes."""
    import numpy as np
    import tensorflow as tf

    from demo.self_supervised import data, evaluation, objectives, refinement
    from graphics_ops.transformation import rotation_matrix_3d

    shape = data.load_shape("fish")
    renderer = objectives.SelfSupervised(shape, 64)
    images, poses = data.make(shape, 3, 4, count, 90.0, 64)
    rng = np.random.default_rng(3)
    refine = tf.function(lambda *args: refinement.refine(renderer, *args, refinement.STEPS))
    rows = []
    for offset in offsets:
        axes = rng.normal(size=(count, 3))
        axes /= np.linalg.norm(axes, axis=1, keepdims=True)
        turns = rotation_matrix_3d.from_axis_angle(axes, np.full((count, 1), np.radians(offset))).numpy()
        start = (turns @ poses.held_out_rotations).astype(np.float32)
        rotations, _ = refine(data.as_float(images.held_out), start, poses.held_out_translations)
        errors = evaluation.rotation_errors(rotations.numpy(), poses.held_out_rotations)
        rows.append(
            {
                "offset_degrees": offset,
                "median_degrees": float(np.median(errors)),
                "share_under_5": float(np.mean(errors < 5)),
            }
        )
    return rows


def workers_against_one_process(directory):
    """First-step loss of 2 loopback workers and of one process on the same global batch of 8."""
    from demo.self_supervised import cluster_probe

    arguments = ["--steps", "1", "--batch", "8", "--train-images", "64", "--held-out-images", "8", "--size", "32"]
    single = train(directory, "single", arguments)
    ports = cluster_probe.free_ports(2)
    processes = []
    for index in range(2):
        config = json.dumps(
            {"cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]}, "task": {"type": "worker", "index": index}}
        )
        command = [sys.executable, "-m", "demo.self_supervised", "--logdir", str(pathlib.Path(directory) / "cluster")]
        command += [*arguments, "--json", str(pathlib.Path(directory) / f"worker_{index}.json"), "--no-progress"]
        processes.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, env=dict(_environment(), TF_CONFIG=config))
        )
    for process in processes:
        if process.wait(timeout=600):
            raise RuntimeError(f"a worker exited with status {process.returncode}")
    chief = json.loads((pathlib.Path(directory) / "worker_0.json").read_text())
    return {
        "one_process_first_loss": single["first_loss"],
        "two_workers_first_loss": chief["first_loss"],
        "relative_difference": abs(chief["first_loss"] - single["first_loss"]) / abs(single["first_loss"]),
    }


def _format(value, digits=1, percent=False):
    if value is None:
        return "–"
    return f"{100 * value:.{digits}f}%" if percent else f"{value:.{digits}f}"


def _errors(result):
    return (
        f"{result['median_rotation_error_degrees']:.1f}° | {result['mean_rotation_error_degrees']:.1f}° | "
        f"{_format(result['share_under_5_degrees'], 0, True)} | {_format(result['share_under_15_degrees'], 0, True)} | "
        f"{_format(result['translation_error'], 1, True)} | "
    )


def print_tables(report):
    if report.get("accuracy"):
        print(
            "| run | max angle | median rotation error | mean | < 5° | < 15° | translation error | "
            "refined: median | mean | < 5° | < 15° | translation error | steps | seconds |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for row in report["accuracy"]:
            print(f"| {row['run']} | {row['max_angle_degrees']:g}° | " + _errors(row) + _errors(row["refined"]), end="")
            print(f"{row['steps']} | {row['seconds']:.0f} |")
        print()
    if report.get("refinement_reach"):
        print("| refinement started this far from the true pose | median error after | < 5° after |")
        print("|---|---|---|")
        for row in report["refinement_reach"]:
            share = _format(row["share_under_5"], 0, True)
            print(f"| {row['offset_degrees']}° | {row['median_degrees']:.1f}° | {share} |")
        print()
    print("| global batch | logical CPU devices | images/s | share of the step in the renderer |")
    print("|---|---|---|---|")
    for row in report["throughput"]:
        print(
            f"| {row['batch']} | {row['cpu_devices']} | {row['images_per_second']:.1f} | "
            f"{_format(row['renderer_share'], 0, True)} |"
        )
    print()
    print(f"Renderer forward + backward, 32 images at 64x64: {report['renderer_ms_per_image']:.2f} ms per image")
    cluster = report["two_workers"]
    print(
        f"First-step loss: one process {cluster['one_process_first_loss']:.8f}, two workers "
        f"{cluster['two_workers_first_loss']:.8f} (relative difference {cluster['relative_difference']:.1e})"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--steps", type=int, default=defaults.STEPS, help="training steps of each accuracy run (the demo's)"
    )
    parser.add_argument("--train-images", type=int, default=4096, help="of each accuracy run (default 4096)")
    parser.add_argument("--skip-accuracy", action="store_true", help="only throughput and the cluster check")
    parser.add_argument("--ablation", action="store_true", help="also K=1 and the plain loss at 90°")
    parser.add_argument("--throughput-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batches", type=int, nargs="+", default=list(BATCHES), help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.throughput_worker:
        print(json.dumps(throughput_in_process(arguments.throughput_worker, arguments.batches)))
        return
    report = {"machine": machine(), "load_average": os.getloadavg(), "steps": arguments.steps}
    with tempfile.TemporaryDirectory() as directory:
        report["throughput"] = throughput(1, BATCHES) + throughput(2, [32])
        report["renderer_ms_per_image"] = renderer_amortisation()
        report["two_workers"] = workers_against_one_process(directory)
        report["refinement_reach"] = refinement_reach()
        if not arguments.skip_accuracy:
            report["accuracy"] = accuracy(directory, arguments.steps, arguments.train_images, arguments.ablation)
    report["load_average_after"] = os.getloadavg()
    print_tables(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

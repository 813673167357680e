"""`python -m demo.self_supervised`: train the pose encoder, self-supervised or (--supervised) on labels.

    python -m demo.self_supervised --logdir runs/self_supervised --json result.json
    python -m demo.self_supervised --logdir runs/supervised --supervised
    python -m demo.self_supervised --logdir runs/mirrored --cpu-devices 2
    python -m demo.self_supervised --logdir runs/cluster --workers 2 --worker-index 0   # and 1, elsewhere

With TF_CONFIG set (or --workers), the process joins that cluster as one worker of a
MultiWorkerMirroredStrategy; only the chief (worker 0) writes summaries and checkpoints. Every
--log-every steps the chief evaluates the held-out images and logs them for TensorBoard's 3D, image
and scalar tabs. Ctrl-C stops training, saves a checkpoint and leaves a valid logdir; --resume
continues from the latest checkpoint.
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from demo.self_supervised import cluster, defaults  # noqa: E402


def parser():
    result = argparse.ArgumentParser(
        prog="python -m demo.self_supervised", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = result.add_argument
    add("--logdir", default="runs/self_supervised", help="summaries and checkpoints (default: %(default)s)")
    add("--steps", type=int, default=defaults.STEPS, help="training steps in all (default: %(default)s)")
    add("--seed", type=int, default=0, help="data and initialisation (default: %(default)s)")
    add(
        "--max-angle",
        type=float,
        default=90.0,
        help="rotations within this many degrees of the canonical view; 180 is all of SO(3) (default: %(default)s)",
    )
    add("--supervised", action="store_true", help="the baseline: train on the pose labels instead")
    add("--object", default="fish", help="the object to learn (default: %(default)s)")
    add("--batch", type=int, default=defaults.BATCH, help="global batch (default: %(default)s)")
    add(
        "--learning-rate",
        type=float,
        default=defaults.LEARNING_RATE,
        help="Adam's, cosine-decayed (default: %(default)s)",
    )
    add(
        "--hypotheses",
        type=int,
        default=defaults.HYPOTHESES,
        help="pose hypotheses per image, K (default: %(default)s)",
    )
    add("--loss", choices=("pyramid", "plain"), default=defaults.LOSS, help="image distance (default: %(default)s)")
    add("--size", type=int, default=defaults.SIZE, help="image width and height (default: %(default)s)")
    add("--train-images", type=int, default=defaults.TRAIN_IMAGES, help="(default: %(default)s)")
    add("--held-out-images", type=int, default=defaults.HELD_OUT_IMAGES, help="(default: %(default)s)")
    add(
        "--log-every",
        type=int,
        default=defaults.LOG_EVERY,
        help="evaluate and log every N steps (default: %(default)s)",
    )
    add("--checkpoint-every", type=int, default=defaults.CHECKPOINT_EVERY, help="(default: %(default)s)")
    add("--resume", action="store_true", help="continue from the latest checkpoint under --logdir")
    add("--cpu-devices", type=int, default=1, help="split the CPU into N logical devices (MirroredStrategy)")
    add("--workers", type=int, help="build TF_CONFIG for a loopback cluster of this many workers")
    add("--worker-index", type=int, default=0, help="this process' index in that cluster (default: 0)")
    add("--base-port", type=int, default=23456, help="the loopback cluster's first port (default: %(default)s)")
    add(
        "--connect-timeout",
        type=float,
        default=defaults.CONNECT_TIMEOUT,
        help="seconds to wait for the other workers (default: %(default)s)",
    )
    add(
        "--refine-steps",
        type=int,
        default=defaults.REFINE_STEPS,
        help="render-and-compare refinement steps for the final held-out result; 0: none (default: %(default)s)",
    )
    add(
        "--self-training-steps",
        type=int,
        help="self-supervised: the last N steps train on refined poses, in equal rounds (default: 60%% of --steps)",
    )
    add(
        "--pseudo-labels",
        type=int,
        nargs="+",
        default=list(defaults.PSEUDO_LABELS),
        metavar="N",
        help="training images each self-training round refines, fresh ones each round (scaled down if they add up "
        "to more than --train-images); the first round keeps its best half, later rounds every image as close to "
        "its render (default: %(default)s)",
    )
    add("--json", help="write the held-out result here")
    add("--no-progress", action="store_true", help="no progress bar")
    return result


def check(arguments, parse):
    problems = []
    if arguments.steps < 1:
        problems.append("--steps must be >= 1")
    if not 0 < arguments.max_angle <= 180:
        problems.append(f"--max-angle must be in (0, 180], got {arguments.max_angle}")
    if arguments.batch < 1 or arguments.hypotheses < 1 or arguments.cpu_devices < 1:
        problems.append("--batch, --hypotheses and --cpu-devices must be >= 1")
    if arguments.size < 16 or arguments.size % 8:
        problems.append(f"--size must be a multiple of 8 and >= 16, got {arguments.size}")
    if arguments.train_images < arguments.batch or arguments.held_out_images < 4:
        problems.append("--train-images must be >= --batch and --held-out-images >= 4")
    if arguments.refine_steps < 0:
        problems.append("--refine-steps must be >= 0")
    if arguments.self_training_steps is not None and not 0 <= arguments.self_training_steps < arguments.steps:
        problems.append(f"--self-training-steps must be in [0, --steps), got {arguments.self_training_steps}")
    if min(arguments.pseudo_labels) < 2:
        problems.append(f"--pseudo-labels must each be >= 2, got {arguments.pseudo_labels}")
    if arguments.log_every < 1 or arguments.checkpoint_every < 1:
        problems.append("--log-every and --checkpoint-every must be >= 1")
    if arguments.batch % arguments.cpu_devices:
        problems.append(f"--batch {arguments.batch} is not divisible by the {arguments.cpu_devices} replicas")
    if arguments.workers is not None and arguments.workers < 1:
        problems.append("--workers must be >= 1")
    if problems:
        parse.error("; ".join(problems))


def main(argv=None):
    parse = parser()
    arguments = parse.parse_args(argv)
    check(arguments, parse)
    if arguments.workers is not None:
        try:
            os.environ["TF_CONFIG"] = cluster.loopback_tf_config(
                arguments.workers, arguments.worker_index, arguments.base_port
            )
        except ValueError as error:
            parse.error(str(error).replace("worker_index", "--worker-index"))
    cluster.split_cpu(arguments.cpu_devices)  # before anything initialises TensorFlow's devices
    from demo.self_supervised import run  # noqa: PLC0415 (imports that may touch TensorFlow's devices)

    try:
        result = run.train(**run.options(arguments))
    except ValueError as error:
        parse.error(str(error))
    print(run.summary_line(result))
    if arguments.json and result["chief"]:
        with open(arguments.json, "w") as file:
            json.dump(result, file, indent=2)
            file.write("\n")

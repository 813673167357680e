"""One training run: data, strategy, model, the loop with its logs and checkpoints, the result.

The self-supervised path hands the trainer `Images.train` only; `Poses` reach the supervised
baseline's trainer and the held-out evaluation, nothing else.
"""

import os
import shutil
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

from demo import pose_fit
from demo.self_supervised import cluster, data, defaults, evaluation, objectives, refinement, self_training, training
from demo.self_supervised.model import PoseEncoder


def options(arguments):
    """The keyword arguments of `train` from parsed command-line arguments."""
    names = (
        "logdir",
        "steps",
        "seed",
        "max_angle",
        "supervised",
        "object",
        "batch",
        "learning_rate",
        "hypotheses",
        "loss",
        "size",
        "train_images",
        "held_out_images",
        "log_every",
        "checkpoint_every",
        "resume",
        "cpu_devices",
        "connect_timeout",
        "refine_steps",
        "self_training_steps",
        "pseudo_labels",
    )
    result = {name: getattr(arguments, name) for name in names}
    result["progress"] = not arguments.no_progress
    return result


def _checkpoint_directory(logdir, chief):
    """The chief's checkpoints live under the logdir; other workers write theirs to a temporary
    directory (deleted at the end), as TensorFlow's multi-worker guide does."""
    if chief:
        return os.path.join(logdir, "checkpoints")
    return tempfile.mkdtemp(prefix="self_supervised_worker_")


def train(
    logdir,
    steps=defaults.STEPS,
    seed=0,
    max_angle=90.0,
    supervised=False,
    object="fish",
    batch=defaults.BATCH,
    learning_rate=defaults.LEARNING_RATE,
    hypotheses=defaults.HYPOTHESES,
    loss=defaults.LOSS,
    size=defaults.SIZE,
    train_images=defaults.TRAIN_IMAGES,
    held_out_images=defaults.HELD_OUT_IMAGES,
    log_every=defaults.LOG_EVERY,
    checkpoint_every=defaults.CHECKPOINT_EVERY,
    resume=False,
    cpu_devices=1,
    connect_timeout=defaults.CONNECT_TIMEOUT,
    refine_steps=defaults.REFINE_STEPS,
    self_training_steps=None,
    pseudo_labels=defaults.PSEUDO_LABELS,
    progress=True,
):
    """Trains the encoder, logging under `logdir`; returns the held-out result as a dict (and under
    "refined", the result after `refine_steps` of render-and-compare refinement, if more than 0).

    Self-supervised, the last `self_training_steps` of the `steps` (by default
    `defaults.SELF_TRAINING_SHARE` of them) train on refined poses, in one round of equal length per
    count in `pseudo_labels`: round r refines `pseudo_labels[r]` fresh training images
    (`self_training.PseudoLabels`; counts scaled down to fit `train_images`). The steps before them
    train on the rendering loss.

    Raises:
      ValueError: for bad arguments (unknown object, angle out of range, batch not divisible by the
        replicas, --resume without a checkpoint).
    """
    begin = time.perf_counter()
    shape = data.load_shape(object)
    if not 0 < max_angle <= 180:
        raise ValueError(f"max_angle must be in (0, 180] degrees, got {max_angle}")
    strategy = cluster.strategy(cpu_devices, connect_timeout)
    replicas = strategy.num_replicas_in_sync
    if batch % replicas:
        raise ValueError(f"batch {batch} is not divisible by the {replicas} replicas")
    if supervised:
        self_training_steps = 0
    elif self_training_steps is None:
        self_training_steps = int(defaults.SELF_TRAINING_SHARE * steps)
    if not 0 <= self_training_steps < steps:
        raise ValueError(f"self_training_steps must be in [0, steps), got {self_training_steps} of {steps} steps")
    rounds, pseudo_labels = _self_training_rounds(
        steps - self_training_steps, self_training_steps, pseudo_labels, train_images
    )
    chief = cluster.is_chief(strategy)
    images, poses = data.make(shape, seed, train_images, held_out_images, max_angle, size)
    renderer = objectives.SelfSupervised(shape, size, loss)
    if supervised:
        objective, arrays = objectives.Supervised(), (images.train, poses.train_rotations, poses.train_translations)
        prepare = _prepare_labelled
    else:
        objective, arrays, prepare = renderer, (images.train,), lambda images_: (data.as_float(images_),)  # noqa: E731
    labels = self_training.PseudoLabels(pseudo_labels)

    keras.utils.set_random_seed(seed)
    with strategy.scope():
        model = PoseEncoder(1 if supervised else hypotheses, max_angle)
        model(tf.zeros([1, size, size, 3]))
        optimizer = _optimizer(model, learning_rate, rounds[0] if rounds else steps)
        # A fresh Adam for each self-training round, cosine-decayed over the round.
        round_optimizers = [
            _optimizer(model, learning_rate, end - start) for start, end in zip(rounds, rounds[1:] + [steps])
        ]
    step_counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
    checkpoint = tf.train.Checkpoint(
        model=model,
        optimizer=optimizer,
        self_training_optimizers=round_optimizers,
        pseudo_labels=labels.variables(),
        step=step_counter,
    )
    checkpoint_directory = _checkpoint_directory(logdir, chief)
    manager = tf.train.CheckpointManager(checkpoint, checkpoint_directory, max_to_keep=2)
    if resume:
        if manager.latest_checkpoint is None:
            raise ValueError(f"--resume: no checkpoint under {checkpoint_directory}")
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
    first_step = int(step_counter.numpy())

    def stage(step):
        """The trainer and input of the phase that holds `step`, starting at `step`."""
        started = [start for start in rounds if start <= step]
        if not started:
            trainer = training.Trainer(strategy, model, objective, optimizer, batch, prepare)
            return trainer, iter(training.distributed_batches(strategy, arrays, batch, seed, skip=step))
        round_index = len(started) - 1
        if int(labels.rounds_labelled.numpy()) <= round_index:
            labels.label(round_index, model, renderer, images.train, refine_steps or defaults.REFINE_STEPS)
        training_set = labels.arrays(images.train, round_index + 1)
        if chief:
            with writer.as_default():
                tf.summary.scalar("self_training/kept_residual_max", labels.threshold(), step=step)
                tf.summary.scalar("self_training/kept_images", len(training_set[0]), step=step)
        trainer = training.Trainer(
            strategy, model, objectives.PseudoLabelled(), round_optimizers[round_index], batch, _prepare_labelled
        )
        skip = step - started[-1]
        return trainer, iter(training.distributed_batches(strategy, training_set, batch, seed, skip=skip))

    writer = tf.summary.create_file_writer(logdir, flush_millis=2000) if chief else tf.summary.create_noop_writer()
    trainer, iterator = stage(first_step)
    watch = evaluation.Watch(model, renderer, images.held_out, poses.held_out_rotations, poses.held_out_translations)
    predictor = evaluation.pose_predictor(model)
    bar = pose_fit.Progress(steps, progress and chief)
    held_out, refined, losses, interrupted, completed, last_logged = None, None, [], False, False, None
    interval_begin, interval_steps = time.perf_counter(), 0

    def log(step):
        nonlocal held_out, last_logged
        last_logged = step
        held_out = evaluation.evaluate(
            predictor, images.held_out, poses.held_out_rotations, poses.held_out_translations
        )
        for name, value in held_out.items():
            tf.summary.scalar(f"held_out/{name}", value, step=step)
        watch.write(step)

    try:
        with writer.as_default():
            for step in range(first_step, steps):
                if step in rounds and step > first_step:
                    trainer, iterator = stage(step)
                step_loss, parts = trainer.step(iterator)
                losses.append(float(step_loss))
                interval_steps += 1
                step_counter.assign(step + 1)
                if chief and (step % log_every == 0 or step == steps - 1):
                    seconds = time.perf_counter() - interval_begin
                    tf.summary.scalar("train/loss", step_loss, step=step)
                    for name, value in parts.items():
                        tf.summary.scalar(f"train/{name}_loss", value, step=step)
                    tf.summary.scalar("train/images_per_second", interval_steps * batch / seconds, step=step)
                    log(step)
                    interval_begin, interval_steps = time.perf_counter(), 0
                if (step + 1) % checkpoint_every == 0:
                    manager.save(checkpoint_number=step + 1)
                if held_out is not None:
                    bar.update(
                        step, losses[-1], held_out["median_rotation_error_degrees"], held_out["translation_error"]
                    )
        completed = True
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        done = int(step_counter.numpy())
        if done > first_step and done % checkpoint_every:
            manager.save(checkpoint_number=done)
        if chief:
            with writer.as_default():
                if losses and last_logged != done - 1:
                    log(done - 1)
                if completed and refine_steps > 0:
                    refined = refine_held_out(model, renderer, images, poses, refine_steps, done - 1)
            writer.close()
        else:
            shutil.rmtree(checkpoint_directory, ignore_errors=True)
    if held_out is None:
        held_out = evaluation.evaluate(
            predictor, images.held_out, poses.held_out_rotations, poses.held_out_translations
        )
    return {
        **held_out,
        "refined": refined,
        "refine_steps": refine_steps,
        "mode": "supervised" if supervised else "self-supervised",
        "max_angle_degrees": max_angle,
        "hypotheses": 1 if supervised else hypotheses,
        "loss": "geodesic+l2" if supervised else loss,
        "self_training_steps": self_training_steps,
        "pseudo_labels": list(labels.counts),
        "seed": seed,
        "batch": batch,
        "replicas": replicas,
        "first_step": first_step,
        "steps": done,
        "seconds": time.perf_counter() - begin,
        "interrupted": interrupted,
        "chief": chief,
        "first_loss": losses[0] if losses else None,
        "last_loss": float(np.mean(losses[-10:])) if losses else None,
    }


def _self_training_rounds(rendering_steps, self_training_steps, pseudo_labels, train_images):
    """The first step and the image count of each self-training round: one per count in
    `pseudo_labels`, or per self-training step if they are fewer, and none without self-training. The
    counts are scaled down in proportion if they add up to more than `train_images`."""
    pseudo_labels = tuple(pseudo_labels)[:self_training_steps]
    if not pseudo_labels:
        return [], ()
    scale = min(1.0, train_images / sum(pseudo_labels))
    counts = tuple(max(1, int(scale * images)) for images in pseudo_labels)
    rounds = len(counts)
    return [rendering_steps + index * self_training_steps // rounds for index in range(rounds)], counts


def _optimizer(model, learning_rate, steps):
    """Adam with a learning rate cosine-decayed over `steps`, built for `model`'s variables."""
    optimizer = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.05))
    optimizer.build(model.trainable_variables)
    return optimizer


def _prepare_labelled(images, rotations, translations):
    return data.as_float(images), rotations, translations


def refine_held_out(model, renderer, images, poses, steps, step):
    """The held-out result after `steps` of render-and-compare refinement, also logged as scalars."""
    refined = evaluation.evaluate(
        refinement.refined_predictor(model, renderer, steps),
        images.held_out,
        poses.held_out_rotations,
        poses.held_out_translations,
    )
    for name, value in refined.items():
        tf.summary.scalar(f"held_out_refined/{name}", value, step=step)
    return refined


def summary_line(result):
    line = (
        f"{result['mode']}, max angle {result['max_angle_degrees']:g}°: held-out median rotation error "
        f"{result['median_rotation_error_degrees']:.2f}° (mean {result['mean_rotation_error_degrees']:.2f}°, "
        f"{100 * result['share_under_15_degrees']:.0f}% under 15°), translation error "
        f"{100 * result['translation_error']:.2f}% of the camera distance; steps {result['first_step']}->"
        f"{result['steps']} in {result['seconds']:.0f} s" + (" (interrupted)" if result["interrupted"] else "")
    )
    refined = result["refined"]
    if refined:
        line += (
            f"; refined ({result['refine_steps']} steps): median {refined['median_rotation_error_degrees']:.2f}°, "
            f"{100 * refined['share_under_5_degrees']:.0f}% under 5°"
        )
    return line

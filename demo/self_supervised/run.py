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
from demo.self_supervised import cluster, data, evaluation, objectives, refinement, self_training, training
from demo.self_supervised.model import PoseEncoder

SELF_TRAINING_SHARE = 0.6


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
    steps=2500,
    seed=0,
    max_angle=90.0,
    supervised=False,
    object="fish",
    batch=32,
    learning_rate=1e-3,
    hypotheses=4,
    loss="pyramid",
    size=64,
    train_images=4096,
    held_out_images=256,
    log_every=50,
    checkpoint_every=500,
    resume=False,
    cpu_devices=1,
    connect_timeout=60.0,
    refine_steps=refinement.STEPS,
    self_training_steps=None,
    pseudo_labels=2048,
    progress=True,
):
    """Trains the encoder, logging under `logdir`; returns the held-out result as a dict (and under
    "refined", the result after `refine_steps` of render-and-compare refinement, if more than 0).

    Self-supervised, the last `self_training_steps` of the `steps` (by default `SELF_TRAINING_SHARE`
    of them) train on the refined poses of up to `pseudo_labels` training images
    (`self_training.PseudoLabels`); the steps before them train on the rendering loss.

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
        self_training_steps = int(SELF_TRAINING_SHARE * steps)
    if not 0 <= self_training_steps < steps:
        raise ValueError(f"self_training_steps must be in [0, steps), got {self_training_steps} of {steps} steps")
    rendering_steps = steps - self_training_steps
    chief = cluster.is_chief(strategy)
    images, poses = data.make(shape, seed, train_images, held_out_images, max_angle, size)
    renderer = objectives.SelfSupervised(shape, size, loss)
    if supervised:
        objective, arrays = objectives.Supervised(), (images.train, poses.train_rotations, poses.train_translations)
        prepare = _prepare_labelled
    else:
        objective, arrays, prepare = renderer, (images.train,), lambda images_: (data.as_float(images_),)  # noqa: E731
    labels = self_training.PseudoLabels(min(pseudo_labels, train_images))

    keras.utils.set_random_seed(seed)
    with strategy.scope():
        model = PoseEncoder(1 if supervised else hypotheses, max_angle)
        model(tf.zeros([1, size, size, 3]))
        optimizer = _optimizer(model, learning_rate, rendering_steps)
        self_training_optimizer = _optimizer(model, learning_rate, max(self_training_steps, 1))
    step_counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
    checkpoint = tf.train.Checkpoint(
        model=model,
        optimizer=optimizer,
        self_training_optimizer=self_training_optimizer,
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
        if step < rendering_steps:
            trainer = training.Trainer(strategy, model, objective, optimizer, batch, prepare)
            return trainer, iter(training.distributed_batches(strategy, arrays, batch, seed, skip=step))
        if not bool(labels.labelled.numpy()):
            labels.label(model, renderer, images.train, refine_steps or refinement.STEPS)
            if chief:
                with writer.as_default():
                    tf.summary.scalar("self_training/kept_residual_max", labels.residual_threshold(), step=step)
        trainer = training.Trainer(
            strategy, model, objectives.PseudoLabelled(), self_training_optimizer, batch, _prepare_labelled
        )
        skip = step - rendering_steps
        return trainer, iter(
            training.distributed_batches(strategy, labels.arrays(images.train), batch, seed, skip=skip)
        )

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
                if step == rendering_steps and step > first_step:
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
        "pseudo_labels": 0 if supervised else labels.count,
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

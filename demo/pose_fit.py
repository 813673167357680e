"""Live pose fitting by analysis by synthesis: recover a fish's pose from one image, step by step.

A target image is rendered with graphics_ops from a coloured, asymmetric toy fish at a random pose.
From a start `--start-error` degrees away (and 2.5% of the camera distance off), the rotation (a
rotation vector applied to the start) and the translation are fitted by Adam through the
differentiable renderer, coarse to fine: first, at half resolution and for four pose hypotheses
around the start at once, SoftRas silhouettes and the shaded image compared with the target
through Gaussian blurs that shrink (wide basins of convergence); then, from the best hypothesis,
the antialiased shaded image at full resolution. Every step is logged for the 3D tab (the posed
mesh with its per-vertex gradient, the target pose, the camera) and for TensorBoard's image and
scalar tabs (the render beside the target, their difference, the loss and the errors).

    python -m demo.pose_fit --logdir runs/pose_fit --seed 0 --start-error 45 --steps 300 --json fit.json

Ctrl-C stops the fit and leaves a valid logdir.
"""

import argparse
import contextlib
import json
import math
import os
import sys
import time

from demo import xla_cache

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if __name__ == "__main__":
    xla_cache.enable()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from demo import toy_fish  # noqa: E402
from graphics_ops import rendering  # noqa: E402
from graphics_ops.camera import Camera  # noqa: E402
from graphics_ops.transformation import rotation_matrix_3d, so3  # noqa: E402
from tb_mesh_plugin import summary, trace  # noqa: E402

DISTANCE = 4.0  # from the camera to the origin
NEAR, FAR = 1.0, 10.0
# The coarse stage runs at half the resolution: SoftRas silhouettes of this sigma (pixels²) and the
# shaded image, both compared with the target through Gaussian blurs of these widths (pixels) in
# turn, widest first. Blurring both sides alike keeps the minimum at the target pose while the
# gradients reach as far as the blur does.
SOFT_SIGMA = 0.3
# Adam's learning rates, decayed along a cosine: radians for the rotation, world units for the
# translation.
ROTATION_RATE = 0.04
TRANSLATION_RATE = 0.01
# Poses refined at once in the coarse stage, and how far (degrees) the others start from the start.
HYPOTHESES = 4
HYPOTHESIS_SPREAD = 40.0
BLUR_WIDTHS = (6.0, 4.0, 2.5, 1.5, 0.8)
COARSE_FRACTION = 0.4  # of the steps
TRACE_EVERY = 10  # steps between traces of the renderer's intermediates (trace.record)


def look_at_camera(size):
    """The fixed camera: at (0, 0, DISTANCE) looking at the origin, `size` x `size` pixels."""
    focal = 0.6 * size * 1.6
    return Camera.from_look_at(
        [0.0, 0.0, DISTANCE], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [focal, focal], [(size - 1) / 2] * 2, size, size
    )


def random_rotation(rng):
    """A uniformly random rotation matrix `[3, 3]` (float64): a normalized Gaussian quaternion."""
    quaternion = rng.normal(size=4)
    return rotation_matrix_3d.from_quaternion(quaternion / np.linalg.norm(quaternion)).numpy()


def blur(images, width):
    """Separable Gaussian blur of `[B, H, W, C]` images, standard deviation `width` pixels (a tensor).

    The kernel covers three of the widest `BLUR_WIDTHS` either side, so one trace serves every width.
    """
    radius = int(math.ceil(3 * max(BLUR_WIDTHS)))
    offsets = tf.range(-radius, radius + 1, dtype=images.dtype)
    taps = tf.exp(-0.5 * tf.square(offsets / width))
    taps /= tf.reduce_sum(taps)
    channels = images.shape[-1]
    horizontal = tf.tile(taps[None, :, None, None], [1, 1, channels, 1])
    vertical = tf.tile(taps[:, None, None, None], [1, 1, channels, 1])
    images = tf.nn.depthwise_conv2d(images, horizontal, [1, 1, 1, 1], "SAME")
    return tf.nn.depthwise_conv2d(images, vertical, [1, 1, 1, 1], "SAME")


class PoseFit:
    """The problem and the optimisation state of one fit.

    The coarse stage refines `HYPOTHESES` poses at once (one batch through the renderer): the start,
    and the start turned by `HYPOTHESIS_SPREAD` degrees about orthogonal axes, since a silhouette
    alone has local minima tens of degrees from the truth. The fine stage continues from the one
    whose coarse loss is lowest. The logs show the best hypothesis of each step.
    """

    def __init__(self, seed, start_error, steps, size, trace_every=0):
        rng = np.random.default_rng(seed)
        self.trace_every = trace_every
        self.trace_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="trace_step")
        vertices, faces, colors = toy_fish.build()
        self.vertices, self.faces, self.colors = tf.constant(vertices), tf.constant(faces), tf.constant(colors)
        self.topology = rendering.edge_topology(faces)
        self.camera = look_at_camera(size)
        self.coarse_camera = look_at_camera(size // 2)
        self.size = size
        self.steps = steps
        self.coarse_steps = int(round(COARSE_FRACTION * steps))

        self.target_rotation = random_rotation(rng)
        self.target_translation = rng.uniform([-0.3, -0.3, -0.3], [0.3, 0.3, 0.3])
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        offset = rng.normal(size=3)
        offset *= 0.1 / np.linalg.norm(offset)  # 2.5% of the camera distance
        start = so3.exp(tf.constant(axis * math.radians(start_error))).numpy() @ self.target_rotation
        self.start_translation = self.target_translation + offset
        turns = np.concatenate([np.zeros((1, 3)), random_rotation(rng)[: HYPOTHESES - 1]]) * math.radians(
            HYPOTHESIS_SPREAD
        )
        starts = so3.exp(tf.constant(turns)).numpy() @ start
        self._begin(tf.constant(starts, tf.float32), np.tile(self.start_translation, (HYPOTHESES, 1)), steps)

        target_pose = (
            tf.constant(self.target_rotation[None], tf.float32),
            tf.constant(self.target_translation[None], tf.float32),
        )
        self.target_vertices = self.pose(*target_pose)
        self.render_image = tf.function(lambda posed: self.render(posed, self.camera))
        self.target_image = self.render_image(self.target_vertices)
        self.coarse_target = tf.nn.avg_pool2d(self.target_image, 2, 2, "VALID")
        self.coarse_step = tf.function(self._coarse_loss_and_gradients)
        self.shaded_step = tf.function(self._shaded_loss_and_gradients)
        self.best = 0

    def _begin(self, start_rotations, translations, steps):
        """Starts optimising poses `[K, 3, 3]`, `[K, 3]` for `steps` steps."""
        self.start_rotations = start_rotations
        self.rotation_vectors = tf.Variable(tf.zeros_like(translations, tf.float32), name="rotation_vectors")
        self.translations = tf.Variable(tf.constant(translations, tf.float32), name="translations")
        # Adam scales every coordinate alike, so the translation gets a slower rate than the
        # rotation (radians), lest the depth, which an image constrains least, drift while the
        # rotation is still wrong.
        self.optimizers = [
            tf.keras.optimizers.Adam(tf.keras.optimizers.schedules.CosineDecay(rate, steps, alpha=0.02))
            for rate in (ROTATION_RATE, TRANSLATION_RATE)
        ]

    def rotations(self):
        return tf.matmul(so3.exp(self.rotation_vectors), self.start_rotations)

    def pose(self, rotations, translations):
        """World positions `[K, V, 3]` of the fish at poses `[K, 3, 3]`, `[K, 3]`."""
        return tf.matmul(self.vertices[None], rotations, transpose_b=True) + translations[:, None, :]

    def render(self, posed, camera):
        """The antialiased RGBA images `[K, H, W, 4]` of posed vertices `[K, V, 3]`."""
        return rendering.render(
            posed,
            self.faces,
            camera,
            near=NEAR,
            far=FAR,
            colors=self.colors,
            ambient=[0.25, 0.25, 0.25],
            background=[1.0, 1.0, 1.0],
            topology=self.topology,
        )

    def _gradients(self, losses_of_posed):
        """Per-pose losses `[K]`, gradients for the pose variables and the posed vertices `[K, V, 3]`,
        those vertices, and the rendered RGBA images `[K, h, w, 4]` the losses compared."""
        every = self.trace_every
        with trace.record(step=self.trace_step, every=every) if every else contextlib.nullcontext():
            with tf.GradientTape() as tape:
                posed = self.pose(self.rotations(), self.translations)
                losses, images = losses_of_posed(posed)
                total = tf.reduce_sum(losses)  # the poses are independent: each gets its own gradient
            variables = [self.rotation_vectors, self.translations]
            *gradients, vertex_gradients = tape.gradient(total, variables + [posed])
        return losses, gradients, vertex_gradients, posed, images

    def _coarse_loss_and_gradients(self, width):
        def losses_of(posed):
            clip = self.coarse_camera.to_clip(posed, NEAR, FAR)
            size = self.coarse_camera.width
            silhouette = rendering.soft_silhouette(clip, self.faces, (size, size), sigma=SOFT_SIGMA)[..., None]
            image = self.render(posed, self.coarse_camera)
            target = tf.gather(self.coarse_target, [3, 0, 1, 2], axis=-1)  # alpha, then RGB
            difference = tf.concat([silhouette, image[..., :3]], axis=-1) - target
            return tf.reduce_mean(tf.square(blur(difference, width)), axis=[1, 2, 3]), image

        return self._gradients(losses_of)

    def _shaded_loss_and_gradients(self):
        def losses_of(posed):
            image = self.render(posed, self.camera)
            return tf.reduce_mean(tf.square(image - self.target_image), axis=[1, 2, 3]), image

        return self._gradients(losses_of)

    def blur_width(self, step):
        """The coarse stage's blur width at `step`, or None in the fine (shaded) stage."""
        if step >= self.coarse_steps:
            return None
        return BLUR_WIDTHS[min(step * len(BLUR_WIDTHS) // self.coarse_steps, len(BLUR_WIDTHS) - 1)]

    def step(self, step):
        """One optimisation step.

        Returns:
          The best pose's loss, posed vertices `[V, 3]`, their gradient `[V, 3]`, and its render
          `[1, H, W, 4]` (before the step, at the camera's full size).
        """
        self.trace_step.assign(step)
        width = self.blur_width(step)
        if width is None:
            if step == self.coarse_steps and self.start_rotations.shape[0] > 1:
                best = slice(self.best, self.best + 1)
                self._begin(self.rotations()[best], self.translations.numpy()[best], self.steps - step)
                self.best = 0
            losses, gradients, vertex_gradients, posed, images = self.shaded_step()
        else:
            losses, gradients, vertex_gradients, posed, images = self.coarse_step(tf.constant(width))
            # The coarse stage leaves the depth alone: see `_begin`.
            gradients[1] = gradients[1] * tf.constant([1.0, 1.0, 0.0])
        for optimizer, gradient, variable in zip(
            self.optimizers, gradients, [self.rotation_vectors, self.translations]
        ):
            optimizer.apply_gradients([(gradient, variable)])
        self.best = int(tf.argmin(losses))
        image = tf.image.resize(images[self.best : self.best + 1], [self.size, self.size], method="nearest")
        return float(losses[self.best]), posed[self.best], vertex_gradients[self.best], image

    def errors(self):
        """(rotation error in degrees, translation error as a fraction of the camera distance) of the best pose."""
        relative = self.rotations()[self.best].numpy().astype(np.float64) @ self.target_rotation.T
        angle = math.acos(np.clip((np.trace(relative) - 1.0) / 2.0, -1.0, 1.0))
        translation = np.linalg.norm(self.translations.numpy()[self.best] - self.target_translation) / DISTANCE
        return math.degrees(angle), float(translation)


def log_step(fit, step, loss, posed, vertex_gradients, image):
    """Writes one step's summaries to the default writer (`image`: the render `[1, H, W, 4]`)."""
    rotation_error, translation_error = fit.errors()
    if step == 0:
        summary.mesh(
            "pose/target",
            fit.target_vertices[0],
            fit.faces,
            fit.colors,
            step=step,
            description="The pose to recover (overlay it on pose/estimate as a ghost).",
        )
        summary.camera("pose/camera", fit.camera, near=0.0, far=DISTANCE - 1.0, step=step)
        tf.summary.image("pose/target_image", fit.target_image[..., :3], step=step)
    summary.mesh(
        "pose/estimate",
        posed,
        fit.faces,
        fit.colors,
        attributes={"grad": vertex_gradients, "grad_norm": tf.norm(vertex_gradients, axis=-1)},
        step=step,
        description="The fitted pose, with d loss / d vertex (colour by grad_norm, arrows for grad).",
    )
    tf.summary.image("pose/render", image[..., :3], step=step)
    tf.summary.image(
        "pose/difference", tf.clip_by_value(tf.abs(image - fit.target_image)[..., :3] * 2, 0, 1), step=step
    )
    tf.summary.scalar("fit/loss", loss, step=step)
    tf.summary.scalar("fit/rotation_error_degrees", rotation_error, step=step)
    tf.summary.scalar("fit/translation_error_fraction", translation_error, step=step)
    width = fit.blur_width(step)
    tf.summary.scalar("fit/coarse_blur_width", width if width is not None else 0.0, step=step)
    return rotation_error, translation_error


class Progress:
    """A one-line progress bar on stderr (a line every 10% when stderr is not a terminal)."""

    def __init__(self, total, enabled=True):
        self.total, self.enabled = total, enabled
        self.interactive = sys.stderr.isatty()

    def update(self, step, loss, rotation_error, translation_error):
        self.show(
            step, f"loss {loss:.4f}  rotation {rotation_error:5.2f}°  translation {100 * translation_error:5.2f}%"
        )

    def show(self, step, details):
        """Shows that `step` (from 0) is done, followed by the text `details`."""
        if not self.enabled:
            return
        done = step + 1
        if not self.interactive and done % max(self.total // 10, 1) and done != self.total:
            return
        filled = 30 * done // self.total
        line = f"[{'#' * filled}{'.' * (30 - filled)}] step {done}/{self.total}  {details}"
        print(("\r" if self.interactive else "") + line, end="" if self.interactive else "\n", file=sys.stderr)

    def close(self):
        if self.enabled and self.interactive:
            print(file=sys.stderr)


def run(logdir, seed=0, start_error=45.0, steps=300, size=128, progress=True, trace_every=TRACE_EVERY):
    """Fits one pose, logging every step under `logdir`; returns a dict of the results.

    The dict holds the seed, the start and final rotation errors (degrees), the final translation
    error (a fraction of the camera distance), the steps taken, the seconds, whether Ctrl-C
    interrupted the fit, and the loss of each step.
    """
    begin = time.perf_counter()
    fit = PoseFit(seed, start_error, steps, size, trace_every)
    writer = tf.summary.create_file_writer(logdir, flush_millis=1000)  # so TensorBoard sees it live
    bar = Progress(steps, progress)
    losses, interrupted = [], False
    try:
        with writer.as_default():
            for step in range(steps):
                loss, posed, vertex_gradients, image = fit.step(step)
                errors = log_step(fit, step, loss, posed, vertex_gradients, image)
                losses.append(loss)
                bar.update(step, loss, *errors)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        writer.close()
    rotation_error, translation_error = fit.errors()
    return {
        "seed": seed,
        "start_rotation_error_degrees": start_error,
        "rotation_error_degrees": rotation_error,
        "translation_error_fraction": translation_error,
        "steps": len(losses),
        "seconds": time.perf_counter() - begin,
        "interrupted": interrupted,
        "losses": losses,
    }


def write_json(path, result):
    """Writes a fit's result, without the loss of each step, as JSON to `path`."""
    with open(path, "w") as file:
        json.dump({key: value for key, value in result.items() if key != "losses"}, file, indent=2)
        file.write("\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logdir", default="runs/pose_fit", help="where to write (default: runs/pose_fit)")
    parser.add_argument("--seed", type=int, default=0, help="random target pose and start (default: 0)")
    parser.add_argument("--start-error", type=float, default=45.0, help="start rotation error, degrees (default 45)")
    parser.add_argument("--steps", type=int, default=300, help="optimisation steps (default: 300)")
    parser.add_argument("--size", type=int, default=128, help="image width and height in pixels (default: 128)")
    parser.add_argument(
        "--trace-every",
        type=int,
        default=TRACE_EVERY,
        help="record the renderer's intermediates (trace.record) every N steps; 0: never (default: %(default)s)",
    )
    parser.add_argument("--json", help="write the final errors, steps and seconds to this file")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.size < 16 or not 0 <= args.start_error <= 180:
        parser.error("--steps must be >= 1, --size >= 16, and --start-error in [0, 180]")
    if args.trace_every < 0:
        parser.error(f"--trace-every must be >= 0, got {args.trace_every}")
    result = run(args.logdir, args.seed, args.start_error, args.steps, args.size, trace_every=args.trace_every)
    print(
        f"seed {result['seed']}: rotation error {result['start_rotation_error_degrees']:.1f}° -> "
        f"{result['rotation_error_degrees']:.2f}°, translation error {100 * result['translation_error_fraction']:.2f}% "
        f"of the camera distance, {result['steps']} steps in {result['seconds']:.1f} s"
        + (" (interrupted)" if result["interrupted"] else "")
    )
    if args.json:
        write_json(args.json, result)


if __name__ == "__main__":
    main()

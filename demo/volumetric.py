"""Fit a voxel grid of density and colour to 16 renders of the toy fish, by volume rendering.

The fish of `demo.toy_fish` is rendered unlit (its vertex colours) on white by
`graphics_ops.rendering.render` from 16 cameras around it, and from 4 more that are held out. A
grid of densities and colours (softplus and sigmoid of its parameters) covering the fish is then
fitted by Adam to batches of random pixels of the 16 renders: the rays through them
(`Camera.rays`), stratified samples along them (`geometry.ray.sample_stratified_1d`), the grid
interpolated trilinearly there, and NeRF's quadrature (`rendering.volumetric.ray_radiance`)
composited over white. Every `--log-every` steps the voxels that are not empty are logged as a
coloured point cloud with their density as an attribute (the 3D tab shows the volume taking shape,
the fish mesh beside it), with renders of the held-out views and their PSNR.

    python -m demo.volumetric --logdir runs/volumetric --steps 1000 --seed 0 --json volumetric.json

Ctrl-C stops the fit and leaves a valid logdir.
"""

import argparse
import math
import time

import numpy as np  # noqa: E402  (after pose_fit, which sets up TensorFlow's environment)
import tensorflow as tf  # noqa: E402

from demo import toy_fish  # noqa: E402
from demo.pose_fit import Progress, write_json  # first: it sets up TensorFlow's environment and XLA's cache
from graphics_ops import rendering  # noqa: E402
from graphics_ops.camera import Camera  # noqa: E402
from graphics_ops.geometry import ray  # noqa: E402
from graphics_ops.math import sampling  # noqa: E402
from graphics_ops.rendering.volumetric import ray_radiance  # noqa: E402
from tb_mesh_plugin import summary  # noqa: E402

DISTANCE = 4.0  # from the cameras to the origin
TRAINING_VIEWS, HELD_OUT_VIEWS = 16, 4
BOUND = 1.3  # the grid covers [-BOUND, BOUND]^3, which holds the fish
NEAR, FAR = DISTANCE - 1.6 * BOUND, DISTANCE + 1.6 * BOUND  # depths along the rays that can meet the grid
LEARNING_RATE = 0.1
SMOOTHNESS = 1e-4  # weight of the squared differences between neighbouring voxels' parameters
# A voxel is drawn in the point cloud when a ray crossing it would lose this fraction of its light.
SHOWN_OPACITY = 0.1


def cameras(size, count, offset):
    """`count` cameras on a sphere of radius DISTANCE around the fish (a Fibonacci spiral), looking at it.

    `offset` in [0, 1) turns the spiral, so that views with different offsets differ.
    """
    index = np.arange(count) + 0.5
    height = 1.0 - 2.0 * index / count  # from near the top to near the bottom
    azimuth = math.pi * (1.0 + math.sqrt(5.0)) * index + 2.0 * math.pi * offset
    radius = np.sqrt(1.0 - height**2)
    positions = DISTANCE * np.stack([radius * np.cos(azimuth), 0.8 * height, radius * np.sin(azimuth)], axis=-1)
    focal = 1.1 * size
    return Camera.from_look_at(
        positions.astype(np.float32),
        np.zeros((count, 3), np.float32),
        np.tile(np.float32([0.0, 1.0, 0.0]), (count, 1)),
        np.full((count, 2), focal, np.float32),
        np.full((count, 2), (size - 1) / 2, np.float32),
        size,
        size,
    )


def render_views(camera, vertices, faces, colors):
    """The fish's unlit renders `[B, H, W, 3]` on white, through the rasterizer."""
    batch = camera.batch_shape[0]
    images = rendering.render(
        tf.tile(vertices[None], [batch, 1, 1]),
        faces,
        camera,
        near=1.0,
        far=10.0,
        colors=colors,
        material="unlit",
        background=[1.0, 1.0, 1.0],
    )
    return images[..., :3]


def pixel_rays(camera):
    """World origins and directions `[B * H * W, 3]` of the rays through every pixel centre."""
    size = camera.width
    x, y = np.meshgrid(np.arange(size, dtype=np.float32), np.arange(size, dtype=np.float32))
    pixels = tf.constant(np.stack([x, y], axis=-1).reshape(1, -1, 2))
    origins, directions = camera[:, None].rays(pixels)
    return tf.reshape(origins, [-1, 3]), tf.reshape(directions, [-1, 3])


def sample_grid(grid, points):
    """Trilinear interpolation of `grid` `[G, G, G, C]` over [-BOUND, BOUND]^3 at points `[..., 3]`.

    Outside the grid the values are those of the nearest face (the density there is masked out by
    the caller).
    """
    size = grid.shape[0]
    coordinates = tf.clip_by_value((points / BOUND + 1.0) * 0.5 * (size - 1), 0.0, size - 1.0)
    lower = tf.minimum(tf.floor(coordinates), size - 2.0)
    fraction = coordinates - lower
    lower = tf.cast(lower, tf.int32)
    values = 0.0
    for corner in np.ndindex(2, 2, 2):
        weight = tf.reduce_prod(tf.where(np.array(corner, bool), fraction, 1.0 - fraction), axis=-1, keepdims=True)
        values += weight * tf.gather_nd(grid, lower + np.array(corner, np.int32))
    return values


class VoxelFit:
    """The training views, the held-out views, the grid and one step of its optimisation."""

    def __init__(self, seed, size, grid_size, samples, rays_per_step):
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        vertices, faces, colors = toy_fish.build()
        self.vertices, self.faces, self.colors = tf.constant(vertices), tf.constant(faces), tf.constant(colors)
        self.samples, self.rays_per_step = samples, rays_per_step
        self.training = cameras(size, TRAINING_VIEWS, 0.0)
        self.held_out = cameras(size, HELD_OUT_VIEWS, 0.37)
        self.training_images = render_views(self.training, self.vertices, self.faces, self.colors)
        self.held_out_images = render_views(self.held_out, self.vertices, self.faces, self.colors)
        self.origins, self.directions = pixel_rays(self.training)
        self.targets = tf.reshape(self.training_images, [-1, 3])
        self.held_out_rays = pixel_rays(self.held_out)
        # Densities start low (softplus(-3) = 0.05 per unit length), colours grey.
        initial = np.concatenate(
            [np.zeros((grid_size,) * 3 + (3,)), np.full((grid_size,) * 3 + (1,), -3.0)], axis=-1
        ) + 0.01 * self.rng.normal(size=(grid_size,) * 3 + (4,))
        self.grid = tf.Variable(initial.astype(np.float32), name="grid")
        self.optimizer = tf.keras.optimizers.Adam(LEARNING_RATE)
        self._step = tf.function(self._loss_and_gradient, jit_compile=True)
        self._render = tf.function(self.render_rays, jit_compile=True)

    def render_rays(self, grid, origins, directions, seed=None):
        """Colours `[R, 3]` of rays over white: stratified samples if `seed` is given, else bin centres."""
        if seed is None:
            edges = sampling.regular_1d(tf.fill(tf.shape(origins)[:1], NEAR), FAR, self.samples + 1)
            depths = 0.5 * (edges[..., 1:] + edges[..., :-1])
            points = origins[:, None] + depths[..., None] * directions[:, None]
        else:
            points, depths = ray.sample_stratified_1d(origins, directions, NEAR, FAR, self.samples, seed=seed)
        values = sample_grid(grid, points)
        inside = tf.reduce_all(tf.abs(points) <= BOUND, axis=-1, keepdims=True)
        density = tf.where(inside, tf.nn.softplus(values[..., 3:]), 0.0)
        rgba = tf.concat([tf.sigmoid(values[..., :3]), density], axis=-1)
        # The samples' spacing in depth times the length of a direction of unit depth.
        spacing = tf.concat([depths[..., 1:] - depths[..., :-1], FAR - depths[..., -1:]], axis=-1)
        distances = spacing * tf.norm(directions, axis=-1, keepdims=True)
        rgb, opacity, _ = ray_radiance.compute_radiance(rgba, distances)
        return rgb + (1.0 - opacity)

    def _loss_and_gradient(self, indices, seed):
        with tf.GradientTape() as tape:
            origins, directions = tf.gather(self.origins, indices), tf.gather(self.directions, indices)
            grid = self.grid.read_value()  # a tensor: XLA has no gather from a variable
            colors = self.render_rays(grid, origins, directions, seed)
            loss = tf.reduce_mean(tf.square(colors - tf.gather(self.targets, indices)))
            smoothness = sum(
                tf.reduce_mean(tf.square(tf.experimental.numpy.diff(grid, axis=axis))) for axis in range(3)
            )
            total = loss + SMOOTHNESS * smoothness
        return loss, tape.gradient(total, self.grid)

    def step(self, step):
        """One Adam step on a random batch of training rays; returns the photometric loss."""
        indices = self.rng.integers(0, self.targets.shape[0], size=self.rays_per_step).astype(np.int32)
        loss, gradient = self._step(tf.constant(indices), tf.constant([self.seed, step], tf.int32))
        self.optimizer.apply_gradients([(gradient, self.grid)])
        return float(loss)

    def held_out_renders(self):
        """The held-out views rendered from the grid `[4, H, W, 3]`, and their PSNR against the targets (dB)."""
        origins, directions = self.held_out_rays
        chunks = [
            self._render(self.grid.read_value(), origins[start : start + 4096], directions[start : start + 4096])
            for start in range(0, origins.shape[0], 4096)
        ]
        images = tf.reshape(tf.concat(chunks, axis=0), self.held_out_images.shape)
        error = float(tf.reduce_mean(tf.square(images - self.held_out_images)))
        return images, -10.0 * math.log10(max(error, 1e-12))

    def voxels(self):
        """Centres `[N, 3]`, colours `[N, 3]` and densities `[N]` of the voxels that are not empty."""
        values = self.grid.numpy()
        size = values.shape[0]
        density = np.log1p(np.exp(values[..., 3]))  # softplus
        cell = 2.0 * BOUND / (size - 1)
        shown = 1.0 - np.exp(-density * cell) >= SHOWN_OPACITY
        if not shown.any():
            shown = density == density.max()
        index = np.argwhere(shown)
        centres = (index / (size - 1) * 2.0 - 1.0) * BOUND
        colors = 1.0 / (1.0 + np.exp(-values[shown][:, :3]))
        return centres.astype(np.float32), colors.astype(np.float32), density[shown].astype(np.float32)


def log_step(fit, step, loss):
    """Writes the voxels, the held-out renders and the scalars to the default writer; returns the PSNR."""
    images, psnr = fit.held_out_renders()
    if step == 0:
        summary.mesh("volume/fish", fit.vertices, fit.faces, fit.colors, step=step, description="The object.")
        tf.summary.image("views/training", fit.training_images, step=step, max_outputs=TRAINING_VIEWS)
        tf.summary.image("views/held_out_target", fit.held_out_images, step=step, max_outputs=HELD_OUT_VIEWS)
    centres, colors, density = fit.voxels()
    summary.point_cloud(
        "volume/voxels",
        centres,
        colors,
        attributes={"density": density},
        step=step,
        description=f"Voxel centres where a ray would lose at least {SHOWN_OPACITY:.0%} of its light; "
        "colour by density to see the volume.",
    )
    tf.summary.image("views/held_out_render", images, step=step, max_outputs=HELD_OUT_VIEWS)
    tf.summary.scalar("fit/loss", loss, step=step)
    tf.summary.scalar("fit/held_out_psnr", psnr, step=step)
    tf.summary.scalar("fit/voxels_shown", len(density), step=step)
    return psnr


def run(logdir, seed=0, steps=1000, size=64, grid_size=40, samples=64, rays_per_step=2048, log_every=50, progress=True):
    """Fits the grid, logging under `logdir`; returns a dict of the results.

    The dict holds the seed, the steps taken, the seconds, whether Ctrl-C interrupted the fit, the
    held-out PSNR (dB) at the end, and the loss of each step.
    """
    begin = time.perf_counter()
    fit = VoxelFit(seed, size, grid_size, samples, rays_per_step)
    writer = tf.summary.create_file_writer(logdir, flush_millis=1000)
    bar = Progress(steps, progress)
    losses, psnr, interrupted = [], float("nan"), False
    try:
        with writer.as_default():
            for step in range(steps):
                loss = fit.step(step)
                losses.append(loss)
                if step % log_every == 0 or step == steps - 1:
                    psnr = log_step(fit, step, loss)
                bar.show(step, f"loss {loss:.4f}  held-out PSNR {psnr:5.2f} dB")
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        writer.close()
    if interrupted or not losses:
        psnr = fit.held_out_renders()[1]
    return {
        "seed": seed,
        "steps": len(losses),
        "seconds": time.perf_counter() - begin,
        "interrupted": interrupted,
        "held_out_psnr_db": psnr,
        "losses": losses,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logdir", default="runs/volumetric", help="where to write (default: runs/volumetric)")
    parser.add_argument("--seed", type=int, default=0, help="initial grid and ray batches (default: 0)")
    parser.add_argument("--steps", type=int, default=1000, help="optimisation steps (default: 1000)")
    parser.add_argument("--size", type=int, default=64, help="image width and height in pixels (default: 64)")
    parser.add_argument("--grid", type=int, default=40, help="voxels along each axis (default: 40)")
    parser.add_argument("--samples", type=int, default=64, help="samples per ray (default: 64)")
    parser.add_argument("--rays", type=int, default=2048, help="rays per step (default: 2048)")
    parser.add_argument("--log-every", type=int, default=50, help="steps between logs (default: 50)")
    parser.add_argument("--json", help="write the held-out PSNR, steps and seconds to this file")
    args = parser.parse_args(argv)
    if min(args.steps, args.rays, args.log_every) < 1 or args.size < 8 or args.grid < 2 or args.samples < 2:
        parser.error("--steps, --rays, --log-every must be >= 1, --size >= 8, --grid >= 2, --samples >= 2")
    result = run(args.logdir, args.seed, args.steps, args.size, args.grid, args.samples, args.rays, args.log_every)
    print(
        f"seed {result['seed']}: held-out PSNR {result['held_out_psnr_db']:.2f} dB after {result['steps']} steps "
        f"in {result['seconds']:.1f} s" + (" (interrupted)" if result["interrupted"] else "")
    )
    if args.json:
        write_json(args.json, result)


if __name__ == "__main__":
    main()

"""Writes a small demo logdir: an animated, coloured torus mesh and a point cloud.

Both have more than 65,535 vertices, so they exercise 32-bit indices in the viewer.

    python -m demo.sample_logdir --logdir runs --steps 50
"""

import argparse
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tb_mesh_plugin import summary  # noqa: E402


def twisted_torus(phase, rings=280, segments=250, major=1.0, minor=0.35):
    """A torus whose tube twists and breathes with `phase`.

    Returns:
      vertices `[rings * segments, 3]` float32, faces `[2 * rings * segments, 3]` int32 and
      colors `[rings * segments, 3]` float32 in [0, 1].
    """
    u = np.linspace(0, 2 * np.pi, rings, endpoint=False)[:, None]
    v = np.linspace(0, 2 * np.pi, segments, endpoint=False)[None, :]
    tube = minor * (1 + 0.25 * np.sin(3 * u + phase))
    twisted = v + 2 * u + phase
    x = (major + tube * np.cos(twisted)) * np.cos(u)
    y = (major + tube * np.cos(twisted)) * np.sin(u)
    z = tube * np.sin(twisted) * np.ones_like(u)
    vertices = np.stack([x, y, z], axis=-1).reshape(-1, 3).astype(np.float32)

    i, j = np.meshgrid(np.arange(rings), np.arange(segments), indexing="ij")
    a = i * segments + j
    b = ((i + 1) % rings) * segments + j
    c = ((i + 1) % rings) * segments + (j + 1) % segments
    d = i * segments + (j + 1) % segments
    faces = np.concatenate([np.stack([a, b, c], -1), np.stack([a, c, d], -1)]).reshape(-1, 3).astype(np.int32)

    hue = (u / (2 * np.pi) + 0.1 * np.cos(twisted)) % 1.0
    colors = np.stack([0.5 + 0.5 * np.cos(2 * np.pi * (hue + k / 3)) for k in range(3)], axis=-1)
    return vertices, faces, colors.reshape(-1, 3).astype(np.float32)


def spiral_galaxy(phase, count=100_000, seed=0):
    """A two-armed spiral of points rotating with `phase`.

    Returns:
      points `[count, 3]` float32 and colors `[count, 3]` uint8.
    """
    rng = np.random.default_rng(seed)
    radius = rng.gamma(2.0, 0.35, count)
    arm = rng.integers(0, 2, count)
    angle = 2.5 * np.log1p(3 * radius) + np.pi * arm + phase / (0.3 + radius)
    angle += rng.normal(0, 0.25, count)
    points = np.stack(
        [radius * np.cos(angle), radius * np.sin(angle), rng.normal(0, 0.05 * np.exp(-radius), count)], -1
    )
    warmth = np.clip(1.2 - radius / 2.5, 0, 1)[:, None]
    colors = warmth * np.array([255, 220, 150]) + (1 - warmth) * np.array([90, 140, 255])
    return points.astype(np.float32), colors.astype(np.uint8)


def write(logdir, steps):
    """Writes the run `demo` under `logdir`, replacing an earlier one."""
    run = os.path.join(logdir, "demo")
    shutil.rmtree(run, ignore_errors=True)
    writer = tf.summary.create_file_writer(run)
    with writer.as_default():
        for step in range(steps):
            phase = 2 * np.pi * step / steps
            vertices, faces, colors = twisted_torus(phase)
            summary.mesh(
                "shapes/twisted_torus",
                vertices,
                faces,
                colors,
                step=step,
                description="A breathing, twisting torus: 70,000 vertices with per-vertex colours.",
            )
            points, point_colors = spiral_galaxy(phase)
            summary.point_cloud(
                "shapes/spiral_galaxy",
                points,
                point_colors,
                step=step,
                description="A rotating two-armed spiral of 100,000 points.",
            )
    writer.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logdir", default="runs", help="where to write (default: runs)")
    parser.add_argument("--steps", type=int, default=50, help="steps to write (default: 50)")
    args = parser.parse_args()
    write(args.logdir, args.steps)
    print(f"Wrote {args.steps} steps of a mesh and a point cloud to {args.logdir}/demo")


if __name__ == "__main__":
    main()

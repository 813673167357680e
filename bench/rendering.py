"""Time and peak memory of the differentiable rasterizer: forward and forward + backward.

Run with `python -m bench.rendering [--repeats R]`. The pipeline is what an analysis-by-synthesis
step runs: `Camera.to_clip`, `rasterize` (back faces culled), `interpolate` of vertex colours,
`antialias`, an L2 loss against a target image, and the gradient with respect to the world-space
vertex positions. The scene is a UV sphere covering about half the frame, at 128², 256² and 512²
with about 1k, 10k and 100k triangles, each as a `tf.function`; then 256² with 10k triangles in
the three modes (eager, `tf.function`, `jit_compile`), and a 1M-triangle sphere at 512². Prints
markdown tables and writes bench/results/rendering.json. Peak memory is that of TensorFlow's CPU
allocator (see bench/measure.py).
"""

import pathlib
import sys

import numpy as np
import tensorflow as tf
import trimesh

from bench import report
from bench.measure import forward_backward_timings, l2_and_gradient, machine, mode_timings
from graphics_ops import rendering
from graphics_ops.camera import Camera

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "rendering.json"
SIZES = (128, 256, 512)
TRIANGLES = (1_000, 10_000, 100_000)
DISTANCE = 3.0


def sphere(triangles):
    """A UV sphere with about `triangles` faces: vertices `[V, 3]` float32, faces `[F, 3]` int32."""
    count = max(int(round(np.sqrt(triangles / 4))), 3)
    mesh = trimesh.creation.uv_sphere(count=[count, count])
    return np.asarray(mesh.vertices, np.float32), np.asarray(mesh.faces, np.int32)


def camera(size):
    """A camera at distance 3 whose image of the unit sphere covers about half of the frame."""
    radius = np.sqrt(0.5 / np.pi) * size  # pixels
    focal = radius * np.sqrt(DISTANCE**2 - 1.0)
    return Camera.from_look_at(
        [0.0, 0.0, DISTANCE], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [focal, focal], [(size - 1) / 2] * 2, size, size
    )


def steps(size, triangles):
    """(forward, forward_and_backward, arguments) of the pipeline for one scene."""
    vertices, faces = sphere(triangles)
    view = camera(size)
    topology = rendering.edge_topology(faces)
    colors = tf.constant(np.random.default_rng(0).uniform(size=(len(vertices), 3)), tf.float32)
    target = tf.random.stateless_uniform([1, size, size, 3], seed=[1, 2])

    def forward(positions):
        clip = view.to_clip(positions, 0.5, 10.0)
        rasterization = rendering.rasterize(clip, faces, (size, size), cull="back")
        image = rendering.interpolate(colors, rasterization, faces)
        return rendering.antialias(image, rasterization, clip, faces, topology)

    return forward, l2_and_gradient(forward, target), (tf.constant(vertices[None]),), len(faces)


def run_grid(repeats):
    results = []
    for size in SIZES:
        for triangles in TRIANGLES:
            forward, forward_and_backward, arguments, count = steps(size, triangles)
            forward, forward_and_backward = tf.function(forward), tf.function(forward_and_backward)
            timings = forward_backward_timings(forward, forward_and_backward, arguments, repeats)
            results.append({"size": size, "triangles": count, **timings})
            print(f"  {size}² {count:,} triangles done", file=sys.stderr)
    return results


def run_modes(repeats):
    forward, forward_and_backward, arguments, count = steps(256, 10_000)
    return count, mode_timings(forward, forward_and_backward, arguments, repeats)


def run_million(repeats):
    forward, forward_and_backward, arguments, count = steps(512, 1_000_000)
    forward, forward_and_backward = tf.function(forward), tf.function(forward_and_backward)
    timings = forward_backward_timings(forward, forward_and_backward, arguments, repeats)
    return {"size": 512, "triangles": count, **timings}


def grid_table(rows):
    columns = [
        ("image", "l"),
        ("triangles", "r"),
        ("forward (ms)", "r"),
        ("forward + backward (ms)", "r"),
        ("peak memory (MiB)", "r"),
    ]
    cells = [
        [
            f"{row['size']}²",
            f"{row['triangles']:,}",
            f"{row['forward_ms']:.1f}",
            f"{row['forward_backward_ms']:.1f}",
            f"{row['peak_mib']:.0f}",
        ]
        for row in rows
    ]
    return report.table(columns, cells)


def modes_table(count, modes):
    columns = [(f"256², {count:,} triangles", "l"), ("forward (ms)", "r"), ("forward + backward (ms)", "r")]
    rows = [[mode, f"{row['forward_ms']:.1f}", f"{row['forward_backward_ms']:.1f}"] for mode, row in modes.items()]
    return report.table(columns, rows)


def main():
    parser = report.parser(__doc__, RESULTS)
    args = parser.parse_args()

    grid = run_grid(args.repeats)
    print("Rasterize + interpolate + antialias + L2 loss (tf.function, float32, median)\n")
    print(grid_table(grid))
    count, modes = run_modes(args.repeats)
    print()
    print(modes_table(count, modes))
    million = run_million(max(args.repeats // 3, 1))
    print()
    print(grid_table([million]))
    report.write_json(
        args.output,
        {
            "benchmark": "graphics_ops.rendering: rasterize, interpolate, antialias and their gradients",
            "repeats": args.repeats,
            "dtype": "float32",
            "grid": grid,
            "modes_256_10k": modes,
            "million_triangles_512": million,
            **machine(),
        },
    )


if __name__ == "__main__":
    main()

"""Time of rasterize-then-splat next to the rasterizer's pipeline: forward and forward + backward.

Run with `python -m bench.splat [--repeats R]`. The scene and loss are bench/rendering.py's (a UV
sphere covering about half the frame, per-vertex colours, an L2 loss against a target image and its
gradient with respect to the world-space vertices). Three pipelines render it: `rasterize` +
`interpolate` + `antialias` (bench/rendering.py's), and `splat.rasterize_then_splat` with one and
with two depth layers, at 128² and 256² with about 1k and 10k triangles, as `tf.function`s; then
at 256² with 10k triangles in the three modes. Prints markdown tables and writes
bench/results/splat.json.
"""

import pathlib
import sys

import tensorflow as tf

from bench import report
from bench.measure import forward_backward_timings, l2_and_gradient, machine, mode_timings
from bench.rendering import camera, modes_table, sphere, steps
from graphics_ops.rendering import splat

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "splat.json"
SIZES = (128, 256)
TRIANGLES = (1_000, 10_000)
NEAR, FAR = 0.5, 10.0


def view_projection(view):
    """The `[1, 4, 4]` matrix of `Camera.to_clip` (affine in the point, without lens distortion)."""
    origin = view.to_clip(tf.zeros([1, 3]), NEAR, FAR)[0]
    columns = view.to_clip(tf.eye(3), NEAR, FAR) - origin
    return tf.concat([tf.transpose(columns), origin[:, None]], axis=1)[None]


def splat_steps(size, triangles, num_layers):
    """(forward, forward_and_backward, arguments) of rasterize-then-splat for bench/rendering.py's scene."""
    vertices, faces = sphere(triangles)
    matrices = view_projection(camera(size))
    colors = tf.concat([tf.random.stateless_uniform([len(vertices), 3], seed=[0, 1]), tf.ones([len(vertices), 1])], 1)
    target = tf.random.stateless_uniform([1, size, size, 4], seed=[1, 2])

    def forward(positions):
        return splat.rasterize_then_splat(positions, faces, colors, matrices, size, size, lambda x: x, num_layers)

    return forward, l2_and_gradient(forward, target), (tf.constant(vertices[None]),), len(faces)


PIPELINES = {
    "rasterize + antialias": steps,
    "splat, 1 layer": lambda size, triangles: splat_steps(size, triangles, 1),
    "splat, 2 layers": lambda size, triangles: splat_steps(size, triangles, 2),
}


def run_grid(repeats):
    results = []
    for size in SIZES:
        for triangles in TRIANGLES:
            for pipeline, build in PIPELINES.items():
                forward, forward_and_backward, arguments, count = build(size, triangles)
                forward, forward_and_backward = tf.function(forward), tf.function(forward_and_backward)
                timings = forward_backward_timings(forward, forward_and_backward, arguments, repeats)
                results.append({"pipeline": pipeline, "size": size, "triangles": count, **timings})
            print(f"  {size}² {count:,} triangles done", file=sys.stderr)
    return results


def run_modes(repeats):
    forward, forward_and_backward, arguments, count = splat_steps(256, 10_000, 1)
    return count, mode_timings(forward, forward_and_backward, arguments, repeats)


def grid_table(rows):
    lines = [
        "| pipeline | image | triangles | forward (ms) | forward + backward (ms) | peak memory (MiB) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['pipeline']} | {row['size']}² | {row['triangles']:,} | {row['forward_ms']:.1f} "
            f"| {row['forward_backward_ms']:.1f} | {row['peak_mib']:.0f} |"
        )
    return "\n".join(lines)


def main():
    parser = report.parser(__doc__, RESULTS)
    args = parser.parse_args()

    grid = run_grid(args.repeats)
    print("Rasterize-then-splat next to rasterize + interpolate + antialias, L2 loss (tf.function, float32, median)\n")
    print(grid_table(grid))
    count, modes = run_modes(args.repeats)
    print()
    print("Rasterize-then-splat, 1 layer, in the three modes\n")
    print(modes_table(count, modes))
    measured = {
        "benchmark": "graphics_ops.rendering.splat: rasterize_then_splat next to the rasterizer, and gradients",
        "repeats": args.repeats,
        "dtype": "float32",
        "grid": grid,
        "modes_256_10k": modes,
        **machine(),
    }
    report.write_json(args.output, measured)


if __name__ == "__main__":
    main()

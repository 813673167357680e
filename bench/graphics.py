"""Throughput of camera, reflectance and mesh ops, eager vs XLA; Chamfer distance time and memory.

Run with `python -m bench.graphics [--vertices N] [--points M] [--repeats R]`. Prints two markdown
tables and writes bench/results/graphics.json:

- per-op throughput (million elements per second) of `perspective.project`, `phong.brdf`,
  `ggx.brdf` and `normals.vertex_normals` on a mesh of N vertices (default 100k), eager,
  `tf.function` and `jit_compile`;
- `chamfer_distance` between two sets of M points (default 10k × 10k): time of the forward pass and
  of forward + backward, and peak memory, ours (tiled, never builds the M × M table) beside the
  dense formula every tutorial writes (`reduce_min` over the full table).
"""

import pathlib

import numpy as np
import tensorflow as tf

from bench import report
from bench.measure import MODES, forward_backward_timings, machine, mode_rates
from demo.sample_logdir import twisted_torus
from graphics_ops.camera import perspective
from graphics_ops.mesh import distances, normals
from graphics_ops.reflectance import ggx, phong

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "graphics.json"
CHAMFER_VARIANTS = ("graphics_ops (tiled)", "dense reference")


def _unit(rng, count):
    vectors = rng.normal(size=(count, 3)).astype(np.float32)
    return tf.constant(vectors / np.linalg.norm(vectors, axis=-1, keepdims=True))


def _op_cases(vertex_count):
    """{name: (function, arguments)} on `vertex_count` elements (a torus of that many vertices)."""
    rng = np.random.default_rng(0)
    segments = 250
    vertices, faces, _ = twisted_torus(0.0, rings=vertex_count // segments, segments=segments)
    count = len(vertices)
    points = tf.constant(vertices + np.float32([0.0, 0.0, 4.0]))
    normal, light, view = _unit(rng, count), _unit(rng, count), _unit(rng, count)
    albedo = tf.constant(rng.uniform(size=(count, 3)).astype(np.float32))
    scalar = lambda value: tf.fill([count, 1], np.float32(value))  # noqa: E731
    return count, {
        "perspective.project": (
            perspective.project,
            (points, tf.constant([500.0, 500.0]), tf.constant([320.0, 240.0])),
        ),
        "phong.brdf": (phong.brdf, (light, view, normal, scalar(16.0), albedo)),
        "ggx.brdf": (ggx.brdf, (light, view, normal, albedo, scalar(0.3), scalar(0.5))),
        "normals.vertex_normals": (normals.vertex_normals, (tf.constant(vertices), tf.constant(faces))),
    }


def _dense_chamfer(a, b):
    squared = tf.reduce_sum(tf.square(a[:, None, :] - b[None, :, :]), axis=-1)
    return tf.reduce_mean(tf.reduce_min(squared, axis=1)) + tf.reduce_mean(tf.reduce_min(squared, axis=0))


def _chamfer_functions(variant):
    """(forward, forward_and_backward) for one variant, both compiled as `tf.function`s."""
    distance = distances.chamfer_distance if variant == CHAMFER_VARIANTS[0] else _dense_chamfer

    def forward_and_backward(a, b):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            value = distance(a, b)
        return value, tape.gradient(value, [a, b])

    return tf.function(distance), tf.function(forward_and_backward)


def _chamfer_points(count):
    rng = np.random.default_rng(1)
    return tuple(tf.constant(rng.normal(size=(count, 3)).astype(np.float32)) for _ in range(2))


def run_ops(vertex_count, repeats):
    count, cases = _op_cases(vertex_count)
    results = {name: mode_rates(function, arguments, count, repeats) for name, (function, arguments) in cases.items()}
    return count, results


def run_chamfer(point_count, repeats):
    points = _chamfer_points(point_count)
    results = {}
    for variant in CHAMFER_VARIANTS:
        forward, forward_and_backward = _chamfer_functions(variant)
        results[variant] = forward_backward_timings(forward, forward_and_backward, points, repeats)
    return results


def ops_table(results):
    columns = [
        ("op", "l"),
        ("eager (M/s)", "r"),
        ("tf.function (M/s)", "r"),
        ("jit_compile (M/s)", "r"),
        ("jit × eager", "r"),
    ]
    rows = []
    for name, rates in results.items():
        eager, graph, xla = (rates[mode] / 1e6 for mode in MODES)
        rows.append([f"`{name}`", f"{eager:.1f}", f"{graph:.1f}", f"{xla:.1f}", f"{xla / eager:.1f}"])
    return report.table(columns, rows)


def chamfer_table(results, point_count):
    columns = [
        (f"chamfer distance, {point_count:,} × {point_count:,} points", "l"),
        ("forward (ms)", "r"),
        ("forward + backward (ms)", "r"),
        ("peak memory, forward + backward (MiB)", "r"),
    ]
    rows = [
        [variant, f"{row['forward_ms']:.0f}", f"{row['forward_backward_ms']:.0f}", f"{row['peak_mib']:.0f}"]
        for variant, row in results.items()
    ]
    return report.table(columns, rows)


def main():
    parser = report.parser(__doc__, RESULTS)
    parser.add_argument("--vertices", type=int, default=100_000, help="mesh size for the per-op table")
    parser.add_argument("--points", type=int, default=10_000, help="size of each Chamfer point set")
    args = parser.parse_args()

    count, op_results = run_ops(args.vertices, args.repeats)
    print(f"Per-op throughput on {count:,} vertices (float32, median of {args.repeats})\n")
    print(ops_table(op_results))
    chamfer_results = run_chamfer(args.points, args.repeats)
    print()
    print(chamfer_table(chamfer_results, args.points))
    report.write_json(
        args.output,
        {
            "benchmark": "graphics_ops camera, reflectance and mesh ops",
            "vertices": count,
            "points": args.points,
            "repeats": args.repeats,
            "dtype": "float32",
            "ops_elements_per_second": op_results,
            "chamfer": chamfer_results,
            **machine(),
        },
    )


if __name__ == "__main__":
    main()

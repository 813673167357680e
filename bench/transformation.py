"""Throughput of graphics_ops.transformation conversions and rotations: eager, tf.function, XLA.

Run with `python -m bench.transformation [--size N] [--repeats R]`. Prints a markdown table of
rotations per second and the speed-up over eager, and writes bench/results/transformation.json.
Each mode is warmed up (traced and compiled) first; the time reported is the median of the runs.
"""

import pathlib

import tensorflow as tf

from bench import report
from bench.measure import machine, mode_rates
from graphics_ops.transformation import quaternion, rotation_matrix_3d

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "transformation.json"


def _inputs(size):
    quaternions = quaternion.normalized_random_uniform([size])
    return {
        "quaternion": quaternions,
        "matrix": rotation_matrix_3d.from_quaternion(quaternions),
        "point": tf.random.normal([size, 3]),
    }


def _cases(inputs):
    return {
        "quaternion.from_rotation_matrix": (quaternion.from_rotation_matrix, (inputs["matrix"],)),
        "rotation_matrix_3d.from_quaternion": (rotation_matrix_3d.from_quaternion, (inputs["quaternion"],)),
        "quaternion.rotate": (quaternion.rotate, (inputs["point"], inputs["quaternion"])),
        "rotation_matrix_3d.rotate": (rotation_matrix_3d.rotate, (inputs["point"], inputs["matrix"])),
    }


def run(size, repeats):
    """Returns {op: {mode: rotations per second}}."""
    cases = _cases(_inputs(size))
    return {name: mode_rates(function, arguments, size, repeats) for name, (function, arguments) in cases.items()}


def table(results):
    columns = [
        ("op", "l"),
        ("eager (rot/s)", "r"),
        ("tf.function (rot/s)", "r"),
        ("× eager", "r"),
        ("jit_compile (rot/s)", "r"),
        ("× eager", "r"),
    ]
    rows = []
    for name, rates in results.items():
        eager, graph, xla = rates["eager"], rates["tf.function"], rates["jit_compile"]
        rows.append(
            [
                f"`{name}`",
                f"{eager / 1e6:.1f} M",
                f"{graph / 1e6:.1f} M",
                f"{graph / eager:.1f}",
                f"{xla / 1e6:.1f} M",
                f"{xla / eager:.1f}",
            ]
        )
    return report.table(columns, rows)


def main():
    parser = report.parser(__doc__, RESULTS, per="mode")
    parser.add_argument("--size", type=int, default=1_000_000, help="rotations per call")
    args = parser.parse_args()

    results = run(args.size, args.repeats)
    print(table(results))
    report.write_json(
        args.output,
        {
            "benchmark": "graphics_ops.transformation",
            "unit": "rotations per second (median)",
            "size": args.size,
            "repeats": args.repeats,
            "dtype": "float32",
            **machine(),
            "results": results,
        },
    )


if __name__ == "__main__":
    main()

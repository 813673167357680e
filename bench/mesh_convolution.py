"""Time and peak memory of FeaStNet's feature-steered convolution on meshes of 10k, 100k and 1M vertices.

Run with `python -m bench.mesh_convolution [--vertices 10000 100000 1000000] [--repeats R]`. Each
mesh is a torus (`demo.sample_logdir.twisted_torus`, 250 segments around the tube) with its
row-normalised adjacency with self loops (`neighbourhood.adjacency_from_faces`, 7 entries per
vertex) passed as `(edges, weights)`; 16 input channels, 32 output channels and 8 weight matrices.
For each mesh and mode (eager, `tf.function`, `jit_compile`): the forward pass, and forward +
backward (the gradients of a squared-norm loss with respect to the features and the five
variables), median time and peak memory (TensorFlow's CPU allocator, see bench/measure.py). Also
the one-off time to build the adjacency. Prints a markdown table and writes
bench/results/mesh_convolution.json.
"""

import pathlib
import sys
import time

import numpy as np
import tensorflow as tf

from bench import report
from bench.measure import MODES, compiled, machine, median_seconds, peak_memory_mib
from demo.sample_logdir import twisted_torus
from graphics_ops.nn import graph_convolution, neighbourhood

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "mesh_convolution.json"
SEGMENTS = 250
CHANNELS, OUTPUTS, MATRICES = 16, 32, 8


def mesh_inputs(vertex_count):
    """(arguments of `convolve`, edge count, seconds to build the adjacency) for a torus of about that many vertices."""
    _, faces, _ = twisted_torus(0.0, rings=vertex_count // SEGMENTS, segments=SEGMENTS)
    count = int(faces.max()) + 1
    start = time.perf_counter()
    edges, weights = neighbourhood.sparse_to_edges(neighbourhood.adjacency_from_faces(faces, count))
    seconds = time.perf_counter() - start
    rng = np.random.default_rng(0)
    shapes = [
        (count, CHANNELS),
        (CHANNELS, MATRICES),
        (CHANNELS, MATRICES),
        (MATRICES,),
        (MATRICES, CHANNELS, OUTPUTS),
        (OUTPUTS,),
    ]
    data, *variables = [tf.constant(rng.normal(scale=0.3, size=shape).astype(np.float32)) for shape in shapes]
    return (data, edges, weights, *variables), int(edges.shape[0]), seconds


def convolve(data, edges, weights, var_u, var_v, var_c, var_w, var_b):
    return graph_convolution.feature_steered_convolution(
        data, (edges, weights), None, var_u, var_v, var_c, var_w, var_b
    )


def convolve_and_differentiate(data, edges, weights, *variables):
    differentiated = [data, *variables]
    with tf.GradientTape() as tape:
        tape.watch(differentiated)
        loss = tf.reduce_sum(tf.square(convolve(data, edges, weights, *variables)))
    return loss, tape.gradient(loss, differentiated)


def run(vertex_counts, repeats):
    rows, adjacency_seconds = [], {}
    for vertex_count in vertex_counts:
        arguments, edge_count, seconds = mesh_inputs(vertex_count)
        count = int(arguments[0].shape[0])
        adjacency_seconds[count] = seconds
        for mode in MODES:
            row = {"vertices": count, "edges": edge_count, "mode": mode}
            for key, function in (("forward", convolve), ("forward_backward", convolve_and_differentiate)):
                function = compiled(function, mode)
                row[f"{key}_ms"] = 1e3 * median_seconds(function, arguments, repeats)
                row[f"{key}_peak_mib"] = peak_memory_mib(function, arguments)
            rows.append(row)
            print(f"  {count:,} vertices, {mode}: done", file=sys.stderr, flush=True)
    return rows, adjacency_seconds


def table(rows):
    columns = [
        ("vertices", "r"),
        ("edges", "r"),
        ("mode", "l"),
        ("forward (ms)", "r"),
        ("forward + backward (ms)", "r"),
        ("peak memory, forward (MiB)", "r"),
        ("peak memory, forward + backward (MiB)", "r"),
    ]
    cells = [
        [
            f"{row['vertices']:,}",
            f"{row['edges']:,}",
            row["mode"],
            f"{row['forward_ms']:.1f}",
            f"{row['forward_backward_ms']:.1f}",
            f"{row['forward_peak_mib']:.0f}",
            f"{row['forward_backward_peak_mib']:.0f}",
        ]
        for row in rows
    ]
    return report.table(columns, cells)


def main():
    parser = report.parser(__doc__, RESULTS, repeats=5)
    parser.add_argument("--vertices", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()

    rows, adjacency_seconds = run(args.vertices, args.repeats)
    print(
        f"feature_steered_convolution, {CHANNELS} -> {OUTPUTS} channels, {MATRICES} weight matrices "
        f"(float32, median of {args.repeats})\n"
    )
    print(table(rows))
    print(
        "\nBuilding the adjacency (adjacency_from_faces + sparse_to_edges, once per mesh): "
        + ", ".join(f"{seconds:.2f} s for {count:,} vertices" for count, seconds in adjacency_seconds.items())
    )
    report.write_json(
        args.output,
        {
            "benchmark": "graphics_ops.nn.graph_convolution.feature_steered_convolution",
            "channels_in": CHANNELS,
            "channels_out": OUTPUTS,
            "weight_matrices": MATRICES,
            "dtype": "float32",
            "repeats": args.repeats,
            "results": rows,
            "adjacency_seconds": {str(count): seconds for count, seconds in adjacency_seconds.items()},
            **machine(),
        },
    )


if __name__ == "__main__":
    main()

"""Volumetric rendering throughput (rays per second, forward + backward) and the volumetric demo's results.

Run with `python -m bench.volumetric [--repeats R] [--rays N] [--demo-steps K]`. Two pipelines over a
batch of N rays (default 4096), at 64 and 128 samples per ray, in float32, in the three modes
(eager, `tf.function`, `jit_compile`):

- quadrature: `ray_radiance.compute_radiance` of given RGBA samples (a network's output) and an
  L2 loss on the ray colours, differentiated with respect to the samples;
- NeRF step: stratified samples along the rays (`geometry.ray.sample_stratified_1d`), their
  positional encoding (4 octaves), a linear layer to RGBA (a stand-in for the network), the
  quadrature and the loss, differentiated with respect to the layer's weights.

Then `python -m demo.volumetric` with its defaults, in a fresh process (its wall time includes
TensorFlow's start, rendering the views and compiling): its held-out PSNR and seconds. Prints
markdown tables and writes bench/results/volumetric.json.
"""

import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf

from bench import report
from bench.measure import MODES, machine, mode_rates
from graphics_ops.geometry import ray
from graphics_ops.math import feature_representation
from graphics_ops.rendering.volumetric import ray_radiance

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "volumetric.json"
SAMPLES = (64, 128)
OCTAVES = 4


def quadrature(rays, samples):
    """(forward and backward, arguments) of the quadrature alone."""
    rng = np.random.default_rng(0)
    rgba = tf.constant(rng.uniform(size=(rays, samples, 4)), tf.float32)
    distances = tf.constant(rng.uniform(0.01, 0.05, size=(rays, samples)), tf.float32)
    target = tf.constant(rng.uniform(size=(rays, 3)), tf.float32)

    def forward_and_backward(rgba):
        with tf.GradientTape() as tape:
            tape.watch(rgba)
            rgb, _, _ = ray_radiance.compute_radiance(rgba, distances)
            loss = tf.reduce_mean(tf.square(rgb - target))
        return loss, tape.gradient(loss, rgba)

    return forward_and_backward, (rgba,)


def nerf_step(rays, samples):
    """(forward and backward, arguments) of sampling, encoding, a linear layer and the quadrature."""
    rng = np.random.default_rng(1)
    origins = tf.constant(rng.normal(size=(rays, 3)), tf.float32)
    directions = tf.constant(rng.normal(size=(rays, 3)), tf.float32)
    target = tf.constant(rng.uniform(size=(rays, 3)), tf.float32)
    weights = tf.constant(rng.normal(size=(3 + 6 * OCTAVES, 4)) * 0.3, tf.float32)
    seed = tf.constant([1, 2])

    def forward_and_backward(weights):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            points, z = ray.sample_stratified_1d(origins, directions, 1.0, 3.0, samples, seed=seed)
            features = feature_representation.positional_encoding(points, OCTAVES)
            raw = tf.reshape(tf.matmul(tf.reshape(features, [-1, features.shape[-1]]), weights), [rays, samples, 4])
            rgba = tf.concat([tf.sigmoid(raw[..., :3]), tf.nn.softplus(raw[..., 3:])], axis=-1)
            distances = tf.concat([z[..., 1:] - z[..., :-1], 3.0 - z[..., -1:]], axis=-1)
            rgb, _, _ = ray_radiance.compute_radiance(rgba, distances)
            loss = tf.reduce_mean(tf.square(rgb - target))
        return loss, tape.gradient(loss, weights)

    return forward_and_backward, (weights,)


def throughput(rays, repeats):
    """Rays per second of each pipeline, sample count and mode."""
    results = []
    for name, pipeline in (("quadrature", quadrature), ("NeRF step", nerf_step)):
        for samples in SAMPLES:
            function, arguments = pipeline(rays, samples)
            rates = mode_rates(function, arguments, rays, repeats)
            row = {"pipeline": name, "samples": samples, "rays": rays}
            results.append({**row, **{f"{mode}_rays_per_second": rate for mode, rate in rates.items()}})
            print(f"  {name}, {samples} samples done", file=sys.stderr)
    return results


def demo(steps):
    """The volumetric demo's JSON result, run with its defaults (and `steps` if given)."""
    with tempfile.TemporaryDirectory() as directory:
        path = pathlib.Path(directory) / "result.json"
        command = [sys.executable, "-m", "demo.volumetric", "--logdir", str(pathlib.Path(directory) / "run")]
        command += ["--json", str(path)] + (["--steps", str(steps)] if steps else [])
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(path.read_text())


def throughput_table(rows):
    lines = [
        "| pipeline | samples per ray | eager (rays/s) | tf.function (rays/s) | jit_compile (rays/s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        rates = " | ".join(f"{row[f'{mode}_rays_per_second']:,.0f}" for mode in MODES)
        lines.append(f"| {row['pipeline']} | {row['samples']} | {rates} |")
    return "\n".join(lines)


def main():
    parser = report.parser(__doc__, RESULTS)
    parser.add_argument("--rays", type=int, default=4096, help="rays per batch")
    parser.add_argument("--demo-steps", type=int, default=None, help="steps of the demo (default: its own)")
    args = parser.parse_args()

    rows = throughput(args.rays, args.repeats)
    print(f"Volumetric rendering, forward + backward, {args.rays} rays, float32, median of {args.repeats}\n")
    print(throughput_table(rows))
    result = demo(args.demo_steps)
    columns = [("python -m demo.volumetric", "l"), ("steps", "r"), ("held-out PSNR", "r"), ("wall time", "r")]
    psnr, seconds = result["held_out_psnr_db"], result["seconds"]
    row = ["voxel grid, 16 views", str(result["steps"]), f"{psnr:.2f} dB", f"{seconds:.0f} s"]
    print("\n" + report.table(columns, [row]))
    measured = {
        "benchmark": "graphics_ops.rendering.volumetric: rays per second, forward + backward; demo.volumetric",
        "repeats": args.repeats,
        "dtype": "float32",
        "throughput": rows,
        "demo": result,
        **machine(),
    }
    report.write_json(args.output, measured)


if __name__ == "__main__":
    main()

"""Throughput of graphics_ops.image pyramids and resampling on 512x512 images: eager, tf.function, XLA.

Run with `python -m bench.image [--batch B] [--size S] [--repeats R]`. Prints a markdown table of
megapixels per second (input pixels per call, per image in the batch, over the median time) and
the speed-up over eager, and writes bench/results/image.json. Each mode is warmed up (traced and
compiled) first.
"""

import pathlib

import numpy as np
import tensorflow as tf

from bench import report
from bench.measure import machine, mode_rates
from graphics_ops.image import pyramid, transformer

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "image.json"
LEVELS = 4


def _inputs(batch, size):
    rng = np.random.default_rng(0)
    image = tf.constant(rng.uniform(size=(batch, size, size, 3)), tf.float32)
    # A gentle homography: a few degrees of rotation, a little perspective.
    angle = np.deg2rad(5.0)
    matrix = np.array([[np.cos(angle), -np.sin(angle), 10.0], [np.sin(angle), np.cos(angle), -5.0], [1e-4, -5e-5, 1.0]])
    matrices = tf.constant(np.tile(matrix, (batch, 1, 1)), tf.float32)
    warp = tf.constant(rng.uniform(-8, size + 8, size=(batch, size, size, 2)), tf.float32)
    return image, matrices, warp


def _gradient_of(function, wrt):
    """Forward and backward: the gradients of the sum of `function`'s outputs w.r.t. the arguments `wrt`."""

    def forward_backward(*arguments):
        watched = [arguments[index] for index in wrt]
        with tf.GradientTape() as tape:
            tape.watch(watched)
            total = tf.add_n([tf.reduce_sum(out) for out in tf.nest.flatten(function(*arguments))])
        return tape.gradient(total, watched)

    return forward_backward


def _cases(batch, size):
    image, matrices, warp = _inputs(batch, size)
    sample = transformer.sample
    perspective = transformer.perspective_transform
    return {
        f"pyramid.downsample ({LEVELS} levels)": (lambda x: pyramid.downsample(x, LEVELS), (image,)),
        f"pyramid.split ({LEVELS} levels)": (lambda x: pyramid.split(x, LEVELS), (image,)),
        f"pyramid.merge ({LEVELS} levels)": (pyramid.merge, (pyramid.split(image, LEVELS),)),
        "pyramid.upsample (1 level, from 256²)": (lambda x: pyramid.upsample(x, 1), (image[:, ::2, ::2],)),
        "transformer.sample (bilinear)": (sample, (image, warp)),
        "transformer.sample (nearest)": (
            lambda x, w: sample(x, w, resampling_type=transformer.ResamplingType.NEAREST),
            (image, warp),
        ),
        "transformer.perspective_transform": (perspective, (image, matrices)),
        "transformer.sample (bilinear) fwd+bwd, d/d(image, warp)": (_gradient_of(sample, (0, 1)), (image, warp)),
        "transformer.perspective_transform fwd+bwd, d/d(matrix)": (_gradient_of(perspective, (1,)), (image, matrices)),
    }


def run(batch, size, repeats):
    """Returns {op: {mode: megapixels per second}}."""
    pixels = batch * size * size / 1e6
    results = {}
    for name, (function, arguments) in _cases(batch, size).items():
        results[name] = mode_rates(function, arguments, pixels, repeats)
        print(f"  {name}: " + ", ".join(f"{mode} {rate:.1f}" for mode, rate in results[name].items()), flush=True)
    return results


def table(results):
    lines = [
        "| op | eager (MP/s) | tf.function (MP/s) | × eager | jit_compile (MP/s) | × eager |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, rates in results.items():
        eager, graph, xla = rates["eager"], rates["tf.function"], rates["jit_compile"]
        lines.append(f"| `{name}` | {eager:.1f} | {graph:.1f} | {graph / eager:.1f} | {xla:.1f} | {xla / eager:.1f} |")
    return "\n".join(lines)


def main():
    parser = report.parser(__doc__, RESULTS, per="mode")
    parser.add_argument("--batch", type=int, default=4, help="images per call")
    parser.add_argument("--size", type=int, default=512, help="image height and width")
    args = parser.parse_args()

    results = run(args.batch, args.size, args.repeats)
    print(table(results))
    measured = {
        "benchmark": "graphics_ops.image",
        "unit": "megapixels per second (input pixels, median)",
        "batch": args.batch,
        "size": args.size,
        "channels": 3,
        "repeats": args.repeats,
        "dtype": "float32",
        **machine(),
        "results": results,
    }
    report.write_json(args.output, measured)


if __name__ == "__main__":
    main()

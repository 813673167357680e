"""Timing and peak-memory measurement shared by the benchmarks.

Times are medians of repeated calls after a warm-up call (which traces and compiles). On the CPU an
op's result is ready when the call returns, so wall-clock time around the call is its run time.

Peak memory is what TensorFlow's CPU allocator reports: `bench/__init__.py` switches it to the BFC
allocator (`TF_CPU_ALLOCATOR_USE_BFC`), which keeps statistics, before TensorFlow is imported. The
peak of one call, less what was allocated before it, counts the call's tensors and temporaries
(XLA's too), not Python objects or TensorFlow's own code.
"""

import os
import platform
import statistics
import time

import tensorflow as tf

MODES = ("eager", "tf.function", "jit_compile")


def compiled(function, mode):
    """`function` run eagerly, as a `tf.function`, or as a `tf.function` compiled by XLA."""
    if mode == "eager":
        return function
    return tf.function(function, jit_compile=mode == "jit_compile")


def median_seconds(function, arguments, repeats):
    """The median time of `function(*arguments)` over `repeats` calls, after one warm-up call."""
    function(*arguments)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*arguments)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_mib(function, arguments):
    """The most memory `function(*arguments)` holds at once beyond what was allocated before, in MiB.

    Call it after `median_seconds` (or another warm-up), so that tracing and compiling are not counted.
    """
    device = "CPU:0"
    before = tf.config.experimental.get_memory_info(device)["current"]
    tf.config.experimental.reset_memory_stats(device)
    result = function(*arguments)
    peak = tf.config.experimental.get_memory_info(device)["peak"]
    del result
    return (peak - before) / 2**20


def machine():
    """What the figures were measured on, for the JSON reports."""
    return {"tensorflow": tf.__version__, "platform": platform.platform(), "cpus": os.cpu_count()}


def mode_rates(function, arguments, count, repeats):
    """`{mode: count / seconds}`: how many items (of `count` per call) `function` handles per second in each mode."""
    return {mode: count / median_seconds(compiled(function, mode), arguments, repeats) for mode in MODES}


def forward_backward_timings(forward, forward_and_backward, arguments, repeats):
    """The median times (ms) of the two `tf.function`s and the peak memory (MiB) of the second, as a dict."""
    return {
        "forward_ms": 1e3 * median_seconds(forward, arguments, repeats),
        "forward_backward_ms": 1e3 * median_seconds(forward_and_backward, arguments, repeats),
        "peak_mib": peak_memory_mib(forward_and_backward, arguments),
    }


def mode_timings(forward, forward_and_backward, arguments, repeats):
    """`{mode: {"forward_ms", "forward_backward_ms"}}`: the median times of the two functions in each mode."""
    return {
        mode: {
            "forward_ms": 1e3 * median_seconds(compiled(forward, mode), arguments, repeats),
            "forward_backward_ms": 1e3 * median_seconds(compiled(forward_and_backward, mode), arguments, repeats),
        }
        for mode in MODES
    }


def l2_and_gradient(forward, target):
    """`forward_and_backward(x)`: the mean squared difference of `forward(x)` and `target`, and its gradient."""

    def forward_and_backward(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_mean(tf.square(forward(x) - target))
        return loss, tape.gradient(loss, x)

    return forward_and_backward

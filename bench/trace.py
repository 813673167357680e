"""Cost of `trace.record` and of its hook on the pose-fit step (demo/pose_fit.py), side by side in one run.

Run with `python -m bench.trace [--blocks N] [--repeats K]`. One process, the coarse stage of the demo's fit
(128 px, 4 pose hypotheses: soft silhouette, render, blur, gradients, Adam), timed per step, eagerly and with
the demo's `tf.function`. Configurations, interleaved block by block (so that the machine's load drifts alike
over all of them), each with its own `PoseFit` and the same file writer:

- baseline: the ops undecorated, the hook removed from every module and class that holds an op (each op
  replaced by its `__wrapped__` function, as if `graphics_ops.util.trace_hook.op` did not exist);
- hook: the code as shipped, not recording (no `trace.record` anywhere);
- record 1/10: the fit as the demo runs it, `PoseFit(..., trace_every=10)`: its gradient step inside
  `trace.record(step=<a tf.Variable>, every=10)`, every block of 10 steps holding one recorded step.

It also reports the hook's cost per op call (a decorated no-op against the bare no-op, millions of calls) and
the op calls of one eager step, whose product bounds what the hook can add. Per configuration: the median
and the best (least disturbed) block, in ms per step. Prints a table and writes bench/results/trace.json.
"""

import gc
import importlib
import inspect
import pathlib
import pkgutil
import statistics
import sys
import tempfile
import time
import timeit

import tensorflow as tf

import graphics_ops
from bench import report
from bench.measure import machine
from demo import pose_fit
from graphics_ops.util import trace_hook

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "trace.json"
BLOCK = 10  # steps per timed block; one of them is recorded with every=10
MODES = ("eager", "tf.function")


def decorated_ops():
    """`[(owner, name, decorated)]`: every module or class attribute in graphics_ops and demo holding an op."""
    for info in pkgutil.walk_packages(graphics_ops.__path__, "graphics_ops."):
        importlib.import_module(info.name)
    owners = [m for name, m in list(sys.modules.items()) if name.startswith(("graphics_ops", "demo")) and m]
    owners += [value for module in owners for value in vars(module).values() if inspect.isclass(value)]
    return [
        (owner, name, value)
        for owner in owners
        for name, value in list(vars(owner).items())
        if getattr(value, "graphics_op", False)
    ]


class Hooks:
    """Removes the hook from every op (`off()`) and puts it back (`on()`)."""

    def __init__(self):
        self.ops = decorated_ops()

    def off(self):
        for owner, name, decorated in self.ops:
            setattr(owner, name, decorated.__wrapped__)

    def on(self):
        for owner, name, decorated in self.ops:
            setattr(owner, name, decorated)


class _CallCounter:
    """A tracer that only counts the op calls it sees (nested calls included)."""

    calls = 0

    def call(self, function, args, kwargs):
        self.calls += 1
        return function(*args, **kwargs)


def hook_cost_ns():
    """The cost of the hook per call (ns): a decorated no-op against the bare no-op, best of 5."""

    def bare(x, name=None):
        return x

    decorated = trace_hook.op(bare)
    number = 1_000_000
    times = [min(timeit.repeat(lambda f=f: f(1), number=number, repeat=5)) / number for f in (bare, decorated)]
    return 1e9 * (times[1] - times[0])


def make_fit(mode, trace_every=0):
    fit = pose_fit.PoseFit(0, 45.0, 300, 128, trace_every)
    if mode == "eager":
        fit.coarse_step = fit._coarse_loss_and_gradients
    return fit


def run_block(fit, first_step):
    """Times `BLOCK` coarse steps from `first_step` (its trace step too); returns seconds per step."""
    start = time.perf_counter()
    for step in range(first_step, first_step + BLOCK):
        fit.step(step % 100)  # the coarse stage (the first 120 of 300 steps): one trace for every blur width
    return (time.perf_counter() - start) / BLOCK


def measure(mode, blocks, hooks):
    """Seconds per step of each configuration in each of `blocks` interleaved blocks: `{name: [seconds]}`."""
    fits = {"baseline": make_fit(mode), "hook": make_fit(mode), "record 1/10": make_fit(mode, BLOCK)}
    times = {name: [] for name in fits}
    for block in range(blocks + 1):  # block 0 warms up: tracing and XLA compilation
        names = list(fits)[block % len(fits) :] + list(fits)[: block % len(fits)]  # each goes first in turn
        for name in names:
            fit = fits[name]
            if name == "baseline":
                hooks.off()
            gc.collect()
            seconds = run_block(fit, BLOCK * block)
            hooks.on()
            if block:
                times[name].append(seconds)
    return times


def calls_per_eager_step():
    fit = make_fit("eager")
    counter = _CallCounter()
    trace_hook.install(counter)
    try:
        fit.coarse_step(tf.constant(6.0))
    finally:
        trace_hook.install(None)
    return counter.calls


def main():
    parser = report.parser(__doc__, RESULTS, repeats=None)
    parser.add_argument("--blocks", type=int, default=8, help=f"timed blocks of {BLOCK} steps per configuration")
    args = parser.parse_args()
    hooks = Hooks()
    cost_ns, calls = hook_cost_ns(), calls_per_eager_step()
    results = {}
    with tempfile.TemporaryDirectory() as logdir, tf.summary.create_file_writer(logdir).as_default():
        for mode in MODES:
            samples = measure(mode, args.blocks, hooks)
            results[mode] = {
                statistic: {name: 1e3 * reduce(values) for name, values in samples.items()}
                for statistic, reduce in (("median_ms", statistics.median), ("best_ms", min))
            }
            results[mode]["samples_s"] = samples
            print(f"  {mode} done", file=sys.stderr)
    columns = [("pose-fit step", "l"), ("baseline (no hook)", "r"), ("hook, not recording", "r"), ("change", "r")]
    columns += [("recording every 10th", "r"), ("slowdown", "r")]
    rows = []
    for mode in MODES:
        for statistic in ("median_ms", "best_ms"):
            ms = results[mode][statistic]
            rows.append(
                [
                    f"{mode}, {statistic[:-3]} block",
                    f"{ms['baseline']:.1f} ms",
                    f"{ms['hook']:.1f} ms",
                    f"{100 * (ms['hook'] / ms['baseline'] - 1):+.1f}%",
                    f"{ms['record 1/10']:.1f} ms",
                    f"{100 * (ms['record 1/10'] / ms['hook'] - 1):+.1f}%",
                ]
            )
    print(report.table(columns, rows))
    bound = calls * cost_ns * 1e-6 / results["eager"]["best_ms"]["hook"]
    print(
        f"\nThe hook costs {cost_ns:.0f} ns a call; an eager step makes {calls} op calls: at most "
        f"{calls * cost_ns / 1e3:.1f} µs, {100 * bound:.3f}% of the eager step (in tf.function only while tracing)."
    )
    report.write_json(
        args.output,
        {
            "benchmark": "trace.record and its hook on the pose-fit step",
            "block_steps": BLOCK,
            "hook_ns_per_call": cost_ns,
            "op_calls_per_eager_step": calls,
            "results": results,
            **machine(),
        },
    )


if __name__ == "__main__":
    main()

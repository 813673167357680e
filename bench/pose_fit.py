"""Success rate of the pose-fitting demo: 20 seeds from a 45° start, each in a fresh process.

Run with `python -m bench.pose_fit [--seeds N] [--start-error DEGREES] [--steps K]`. Each seed runs
`python -m demo.pose_fit` (its own TensorFlow, tracing and XLA compilation included in its time)
into a temporary logdir. The fits share a new, empty XLA cache: the first compiles everything
(as a user's first run does), the others load what it compiled. Prints a markdown table (start error,
end errors, steps, seconds) and the count of fits ending under 2° of rotation error and 1% of
translation error (of the camera distance) within 90 s, and writes bench/results/pose_fit.json.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

from bench import report
from bench.measure import machine

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "pose_fit.json"
MAX_ROTATION_DEGREES = 2.0
MAX_TRANSLATION_FRACTION = 0.01
MAX_SECONDS = 90.0


def fit(seed, start_error, steps, directory):
    """Runs the demo for one seed; returns its JSON result."""
    result_path = pathlib.Path(directory) / f"seed_{seed}.json"
    command = [
        sys.executable,
        "-m",
        "demo.pose_fit",
        "--logdir",
        str(pathlib.Path(directory) / f"seed_{seed}"),
        "--seed",
        str(seed),
        "--start-error",
        str(start_error),
        "--steps",
        str(steps),
        "--json",
        str(result_path),
    ]
    environment = dict(os.environ, XDG_CACHE_HOME=str(pathlib.Path(directory) / "cache"))
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    return json.loads(result_path.read_text())


def succeeded(result):
    return (
        result["rotation_error_degrees"] < MAX_ROTATION_DEGREES
        and result["translation_error_fraction"] < MAX_TRANSLATION_FRACTION
        and result["seconds"] < MAX_SECONDS
    )


def table(results):
    columns = [
        ("seed", "r"),
        ("start rotation error", "r"),
        ("end rotation error", "r"),
        ("end translation error", "r"),
        ("steps", "r"),
        ("seconds", "r"),
        ("success", "c"),
    ]
    rows = [
        [
            f"{result['seed']}",
            f"{result['start_rotation_error_degrees']:.0f}°",
            f"{result['rotation_error_degrees']:.2f}°",
            f"{100 * result['translation_error_fraction']:.2f}%",
            f"{result['steps']}",
            f"{result['seconds']:.0f}{' (cold XLA cache)' if result['seed'] == 0 else ''}",
            "yes" if succeeded(result) else "no",
        ]
        for result in results
    ]
    return report.table(columns, rows)


def main():
    parser = report.parser(__doc__, RESULTS, repeats=None)
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0 to N - 1")
    parser.add_argument("--start-error", type=float, default=45.0)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as directory:
        for seed in range(args.seeds):
            results.append(fit(seed, args.start_error, args.steps, directory))
            print(f"  seed {seed} done", file=sys.stderr)
    successes = sum(succeeded(result) for result in results)
    print(table(results))
    print(
        f"\n{successes} of {len(results)} fits end under {MAX_ROTATION_DEGREES:g}° and "
        f"{100 * MAX_TRANSLATION_FRACTION:g}% within {MAX_SECONDS:g} s"
    )
    report.write_json(
        args.output,
        {
            "benchmark": "demo.pose_fit success rate",
            "start_error_degrees": args.start_error,
            "steps": args.steps,
            "successes": successes,
            "results": results,
            **machine(),
        },
    )


if __name__ == "__main__":
    main()

"""`make demo`: TensorBoard on 127.0.0.1 and the live pose fit writing into its logdir.

Writes the sample shapes (`demo.sample_logdir`), starts TensorBoard keeping every step
(`--samples_per_plugin`), waits until it answers, then runs `demo.pose_fit` into `LOGDIR/pose_fit`
so the 3D tab shows the fish converge as it happens. TensorBoard keeps serving after the fit;
Ctrl-C stops both.

    python -m demo.live --logdir runs --port 6006
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.request

from demo import pose_fit, sample_logdir


def wait_for(url, process, log_path, timeout=120.0):
    """Waits until TensorBoard answers at `url`; raises SystemExit if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"TensorBoard exited with status {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/data/plugins_listing", timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"TensorBoard did not answer at {url} within {timeout:.0f} s; see {log_path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logdir", default="runs")
    parser.add_argument("--port", type=int, default=6006)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)

    logdir = pathlib.Path(args.logdir)
    sample_logdir.write(str(logdir), steps=50)
    fit_logdir = logdir / "pose_fit"
    shutil.rmtree(fit_logdir, ignore_errors=True)
    tensorboard = pathlib.Path(sys.executable).with_name("tensorboard")
    command = [
        str(tensorboard),
        "--logdir",
        str(logdir),
        "--host",
        "127.0.0.1",
        "--port",
        str(args.port),
        "--samples_per_plugin=mesh3d=0,images=0,scalars=0",
        "--reload_interval",
        "2",
    ]
    log_path = logdir / "tensorboard.log"
    log = open(log_path, "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(url, process, log_path)
        print(f"TensorBoard: {url}/#mesh3d (pose_fit run: pose/estimate, ghost pose/target; Ctrl-C stops)")
        result = pose_fit.run(str(fit_logdir), seed=args.seed, steps=args.steps)
        print(
            f"Fit done: rotation error {result['rotation_error_degrees']:.2f}°, translation error "
            f"{100 * result['translation_error_fraction']:.2f}% in {result['seconds']:.0f} s. "
            "TensorBoard keeps serving; Ctrl-C stops it."
        )
        process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


if __name__ == "__main__":
    main()

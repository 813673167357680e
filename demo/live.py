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

from demo import xla_cache

if __name__ == "__main__":
    xla_cache.enable()  # before pose_fit imports TensorFlow

from demo import pose_fit, sample_logdir, tensorboard_process  # noqa: E402


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
    flags = ["--samples_per_plugin=mesh3d=0,images=0,scalars=0", "--reload_interval", "2"]
    log_path = logdir / "tensorboard.log"
    try:
        with tensorboard_process.tensorboard(logdir, *flags, port=args.port, log_path=log_path) as server:
            print(f"TensorBoard: {server.url}/#mesh3d (pose_fit run: pose/estimate, ghost pose/target; Ctrl-C stops)")
            result = pose_fit.run(str(fit_logdir), seed=args.seed, steps=args.steps)
            print(
                f"Fit done: rotation error {result['rotation_error_degrees']:.2f}°, translation error "
                f"{100 * result['translation_error_fraction']:.2f}% in {result['seconds']:.0f} s. "
                "TensorBoard keeps serving; Ctrl-C stops it."
            )
            server.process.wait()
    except tensorboard_process.TensorBoardError as e:
        raise SystemExit(f"{e}\n(full output in {log_path})") from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

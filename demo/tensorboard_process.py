"""A real `tensorboard` process on a loopback port, started and stopped by `make demo`, the e2e tests and `bench/`.

    with tensorboard_process.tensorboard(logdir, "--load_fast=false") as server:
        urllib.request.urlopen(f"{server.url}/data/plugin/mesh3d/tags")

The process runs the `tensorboard` beside the running Python (the virtualenv's), on 127.0.0.1 and a
free port unless one is given; entering waits until its plugin listing shows the mesh3d plugin enabled
(that is, with data), leaving stops it. It lives in `demo/` with its users, which all run from a
checkout; the installed package (`tb_mesh_plugin`) needs no launcher.
"""

import contextlib
import dataclasses
import json
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PLUGIN_NAME = "mesh3d"


class TensorBoardError(RuntimeError):
    """TensorBoard exited, or did not list the plugin in time."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout, what):
    """Polls `condition()` every 0.1 s until it returns a truthy value, and returns that value.

    Raises:
      TimeoutError: naming `what`, after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def plugin_enabled(url):
    """Whether TensorBoard at `url` lists the mesh3d plugin as enabled (it has data)."""
    try:
        with urllib.request.urlopen(f"{url}/data/plugins_listing", timeout=5) as response:
            return json.load(response).get(PLUGIN_NAME, {}).get("enabled", False)
    except OSError:
        return False


@dataclasses.dataclass(frozen=True)
class TensorBoard:
    """A running TensorBoard: its base URL, its process and the file its output goes to."""

    url: str
    process: subprocess.Popen
    log_path: pathlib.Path


@contextlib.contextmanager
def tensorboard(logdir, *flags, port=None, log_path=None, timeout=120.0, executable=None, env=None):
    """Runs `tensorboard --logdir logdir *flags` until the mesh3d plugin is listed; yields a `TensorBoard`.

    Args:
      logdir: the log directory.
      *flags: more command-line flags, e.g. "--load_fast=false".
      port: the port on 127.0.0.1; a free one if None.
      log_path: where TensorBoard's output goes; a temporary file (deleted on stop) if None.
      timeout: seconds to wait for the plugin to be listed.
      executable: the `tensorboard` command; the one beside this Python if None.
      env: its environment; this process' if None.

    Raises:
      TensorBoardError: if it exits or does not list the plugin within `timeout`, with its last output.
    """
    port = free_port() if port is None else port
    command = [
        str(executable or pathlib.Path(sys.executable).with_name("tensorboard")),
        "--logdir",
        str(logdir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *flags,
    ]
    with contextlib.ExitStack() as stack:
        if log_path is None:
            log_path = pathlib.Path(stack.enter_context(tempfile.TemporaryDirectory())) / "tensorboard.log"
        log = stack.enter_context(open(log_path, "w+"))
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        stack.callback(_stop, process)
        server = TensorBoard(f"http://127.0.0.1:{port}", process, pathlib.Path(log_path))

        def ready():
            if process.poll() is not None:
                raise TensorBoardError(f"tensorboard exited with status {process.returncode}:\n{_tail(log)}")
            return plugin_enabled(server.url)

        try:
            wait_until(ready, timeout, f"tensorboard to list the {PLUGIN_NAME} plugin at {server.url}")
        except TimeoutError as e:
            raise TensorBoardError(f"{e}; its output:\n{_tail(log)}") from None
        yield server


def _tail(log, characters=3000):
    log.flush()
    log.seek(0)
    return log.read()[-characters:]


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

"""A real `tensorboard` process on a free loopback port, for the end-to-end tests."""

import contextlib
import json
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout, what):
    """Polls `condition()` until it returns a truthy value; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def _plugin_enabled(url):
    try:
        with urllib.request.urlopen(f"{url}/data/plugins_listing", timeout=5) as response:
            return json.load(response).get("mesh3d", {}).get("enabled", False)
    except OSError:
        return False


@contextlib.contextmanager
def tensorboard(logdir, *extra_args, executable=None, env=None):
    """Runs `tensorboard` on a free loopback port until the mesh3d plugin has data; yields its URL.

    `executable` defaults to the `tensorboard` beside this Python; `env` to this process' environment.
    """
    port = _free_port()
    tensorboard_bin = executable or pathlib.Path(sys.executable).with_name("tensorboard")
    log = open(logdir.parent / f"tensorboard-{port}.log", "w+")
    process = subprocess.Popen(
        [str(tensorboard_bin), "--logdir", str(logdir), "--host", "127.0.0.1", "--port", str(port), *extra_args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        def ready():
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"tensorboard exited with {process.returncode}:\n{log.read()[-3000:]}")
            return _plugin_enabled(url)

        wait_until(ready, 90, "tensorboard to list the mesh3d plugin")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()

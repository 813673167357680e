"""The e2e tests' TensorBoard: `demo.tensorboard_process`, yielding its URL and failing the test on timeouts."""

import contextlib

import pytest

from demo import tensorboard_process


def wait_until(condition, timeout, what):
    """Polls `condition()` until it returns a truthy value; fails the test after `timeout` seconds."""
    try:
        return tensorboard_process.wait_until(condition, timeout, what)
    except TimeoutError as e:
        pytest.fail(str(e))


@contextlib.contextmanager
def tensorboard(logdir, *flags, **options):
    """Runs `tensorboard` on a free loopback port until the mesh3d plugin has data; yields its URL.

    Its output goes to `tensorboard-PORT.log` beside `logdir`, kept for a failed test's report; `options`
    (`executable`, `env`) go to `demo.tensorboard_process.tensorboard`.
    """
    port = tensorboard_process.free_port()
    log_path = logdir.parent / f"tensorboard-{port}.log"
    try:
        with tensorboard_process.tensorboard(
            logdir, *flags, port=port, log_path=log_path, timeout=90, **options
        ) as server:
            yield server.url
    except tensorboard_process.TensorBoardError as e:
        pytest.fail(str(e))

"""Helpers for the demo tests: summaries read back from event files, and Ctrl-C during a run."""

import os
import pathlib
import signal
import subprocess
import sys
import time

import tensorflow as tf


def scalars(logdir, tag):
    """The values of a scalar summary `tag` under `logdir`, by step."""
    values = {}
    for value, step in _values(logdir):
        if value.tag == tag:
            values[step] = float(tf.make_ndarray(value.tensor))
    return [values[step] for step in sorted(values)]


def tags_by_step(logdir):
    """{tag: sorted steps} of every summary in the event files under `logdir`."""
    tags = {}
    for value, step in _values(logdir):
        tags.setdefault(value.tag, set()).add(step)
    return {tag: sorted(steps) for tag, steps in tags.items()}


def interrupt_once_logged(command, logdir, tag, steps=2, timeout=300):
    """Runs `command`, sends it SIGINT once `tag` has `steps` steps under `logdir`; returns its stdout.

    Asserts that it exits with status 0 by itself after the signal.
    """
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + timeout
        while len(tags_by_step(logdir).get(tag, [])) < steps:  # the demos flush every second
            assert process.poll() is None, "the run ended before it was interrupted"
            assert time.monotonic() < deadline, f"{tag} was not logged"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0
    return output


def _values(logdir):
    for path in pathlib.Path(logdir).rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                yield value, event.step

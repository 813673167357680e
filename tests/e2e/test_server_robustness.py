"""The plugin in a real `tensorboard` process under bad logs, random requests and concurrent clients.

Not timed: these tests assert that nothing fails, never how fast anything is.
"""

import concurrent.futures
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.sample_logdir import twisted_torus
from tb_mesh_plugin import summary, wire
from tests.e2e.tensorboard_process import tensorboard, wait_until

CLIENTS = 16
SOAK_SECONDS = 30


def _get(url, timeout=60):
    """(status, body) of a GET, including error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _write_torus(logdir, run, steps, rings=400, segments=250):
    with tf.summary.create_file_writer(str(logdir / run)).as_default():
        for step in range(steps):
            vertices, faces, colors = twisted_torus(0.3 * step, rings=rings, segments=segments)
            summary.mesh("torus", vertices, faces, colors, step=step)


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_truncated_or_corrupt_event_file_does_not_hide_the_other_runs(tmp_path, load_fast):
    logdir = tmp_path / "logs"
    _write_torus(logdir, "good", 2, rings=20, segments=10)
    _write_torus(logdir, "truncated", 2, rings=20, segments=10)
    [events] = (logdir / "truncated").glob("events.out.tfevents.*")
    data = events.read_bytes()
    events.write_bytes(data[: len(data) * 2 // 3])  # cut inside the last record
    (logdir / "garbage").mkdir()
    (logdir / "garbage" / "events.out.tfevents.0.garbage").write_bytes(os.urandom(5000))
    with tensorboard(logdir, f"--load_fast={load_fast}") as url:
        base = f"{url}/data/plugin/mesh3d"

        def listed():
            status, body = _get(f"{base}/tags")
            return status == 200 and "good" in json.loads(body)["runs"] and json.loads(body)["runs"]

        runs = wait_until(listed, 60, "the good run to be listed")
        assert [s["step"] for s in runs["good"]["torus"]["steps"]] == [0, 1]
        status, body = _get(f"{base}/mesh?run=good&tag=torus&step=1")
        assert status == 200 and wire.decode(body)[0]["step"] == 1
        for run, tags in runs.items():  # what the damaged runs still hold is served or refused cleanly
            for tag, entry in tags.items():
                for step in entry["steps"]:
                    query = urllib.parse.urlencode({"run": run, "tag": tag, "step": step["step"]})
                    status, body = _get(f"{base}/mesh?{query}")
                    assert status == 200 or (status < 500 and "error" in json.loads(body)), (run, status, body[:200])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("robust") / "logs"
    _write_torus(logdir, "train", 3)  # 100k vertices, 200k faces
    with tensorboard(logdir) as url:
        yield url


def test_sixteen_concurrent_clients_fetching_100k_vertex_steps_get_no_errors(server):
    base = f"{server}/data/plugin/mesh3d"
    stop = time.monotonic() + SOAK_SECONDS
    errors, lock = [], threading.Lock()
    counts = [0] * CLIENTS

    def client(index):
        rng = np.random.default_rng(index)
        while time.monotonic() < stop:
            step = int(rng.integers(0, 3))
            query = f"run=train&tag=torus&step={step}" + ("&max_points=5000" if index % 4 == 0 else "")
            try:
                status, body = _get(f"{base}/mesh?{query}")
                header, buffers = wire.decode(body)
                vertices = buffers["vertices"][1][0]
                assert status == 200 and header["step"] == step
                assert vertices == (5000 if index % 4 == 0 else 100_000)
            except Exception as e:  # noqa: BLE001 - every failure is collected and reported
                with lock:
                    errors.append(f"client {index}, step {step}: {e!r}")
            counts[index] += 1

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    assert not errors, f"{len(errors)} errors, first: {errors[:3]}"
    assert all(count > 0 for count in counts), counts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["mesh", "builtin_mesh", "tags", "index.js", "nothing"]),
    st.dictionaries(
        st.sampled_from(["run", "tag", "step", "sample", "max_points"]),
        st.one_of(
            st.text(max_size=20), st.integers(-(2**70), 2**70).map(str), st.sampled_from(["train", "torus", "0", "2"])
        ),
    ),
)
def test_random_requests_to_a_real_server_never_produce_a_server_error(server, route, params):
    status, body = _get(f"{server}/data/plugin/mesh3d/{route}?{urllib.parse.urlencode(params)}")
    assert status < 500, body[:300]
    if status == 200 and route == "mesh":
        wire.decode(body)

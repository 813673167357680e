"""Serving steps from a real `tensorboard` process with each loader: the response cache and its byte
budget, 304 revalidation, damaged stored bytes, run names RustBoard cannot read, and a logdir holding
only built-in mesh summaries."""

import json
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from tb_mesh_plugin import response_cache, summary, wire
from tests.e2e.tensorboard_process import tensorboard, wait_until
from tests.tb_mesh_plugin.event_file_editing import flip_byte_after

POINTS = np.random.default_rng(11).normal(size=(4, 20_000, 3)).astype(np.float32)  # 240 kB a step
BUDGET_MB = 0.6  # room for two steps of POINTS, not three
QUOTED_RUNS = ('say "hi"', "back\\slash")


def _get(url, headers=None):
    """(status, headers, body) of a GET, including error statuses."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def _write(logdir, run, write):
    with tf.summary.create_file_writer(str(logdir / run)).as_default():
        write()


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("serving") / "logs"
    _write(logdir, "cache", lambda: [summary.point_cloud("cloud", POINTS[s], step=s) for s in range(4)])
    _write(logdir, "damaged", lambda: summary.point_cloud("cloud", POINTS[0], step=0))
    [events] = (logdir / "damaged").glob("events.out.tfevents.*")
    flip_byte_after(events, POINTS[0, 1000].tobytes())
    for run in QUOTED_RUNS:
        _write(logdir, run, lambda: summary.point_cloud("cloud", POINTS[1, :100], step=0))
    return logdir


@pytest.fixture(scope="module", params=["true", "false"], ids=["RustBoard", "Python loader"])
def server(request, logdir):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(response_cache.ENVIRONMENT_VARIABLE, str(BUDGET_MB))
        with tensorboard(logdir, f"--load_fast={request.param}", "--samples_per_plugin=mesh3d=0") as url:
            base = f"{url}/data/plugin/mesh3d"

            def all_listed():
                status, _, body = _get(f"{base}/tags")
                runs = json.loads(body)["runs"] if status == 200 else {}
                expected = {"cache": 4, "damaged": 1, **{run: 1 for run in QUOTED_RUNS}}
                return (
                    all(len(runs.get(r, {}).get("cloud", {}).get("steps", [])) == n for r, n in expected.items())
                    and runs
                )

            yield request.param == "true", base, wait_until(all_listed, 60, "every run to be listed")


def _step(base, run, step, headers=None):
    return _get(f"{base}/mesh?{urllib.parse.urlencode({'run': run, 'tag': 'cloud', 'step': step})}", headers)


def test_repeats_are_cache_hits_and_the_byte_budget_evicts_the_least_recently_used(server):
    _, base, _ = server
    outcomes = []
    for step in (0, 1, 0, 2, 0, 1):  # two steps fit: reading 2 evicts 1 (least recently used), reading 1 evicts 0
        status, headers, body = _step(base, "cache", step)
        assert status == 200 and wire.decode(body)[0]["step"] == step
        np.testing.assert_array_equal(np.frombuffer(wire.decode(body)[1]["vertices"][2], "<f4"), POINTS[step].ravel())
        outcomes.append(headers["X-Mesh3d-Cache"])
    assert outcomes == ["miss", "miss", "hit", "miss", "hit", "miss"]


def test_a_browser_holding_the_step_revalidates_with_304(server):
    _, base, _ = server
    status, headers, _ = _step(base, "cache", 3)
    assert status == 200 and headers["Cache-Control"] == "private, no-cache"
    status, again, body = _step(base, "cache", 3, {"If-None-Match": headers["ETag"]})
    assert (status, body, again["ETag"]) == (304, b"", headers["ETag"])
    assert _step(base, "cache", 2, {"If-None-Match": headers["ETag"]})[0] == 200


def test_a_step_whose_stored_bytes_were_damaged_is_refused_with_its_reason(server):
    _, base, _ = server
    status, _, body = _step(base, "damaged", 0)
    assert status == 409, body[:300]
    error = json.loads(body)
    assert error["reason"] == "corrupt" and "checksum does not match" in error["error"]


def test_runs_named_with_quotes_or_backslashes_are_served_or_explained(server):
    rustboard, base, runs = server
    for run in QUOTED_RUNS:
        status, _, body = _step(base, run, 0)
        if rustboard:
            error = json.loads(body)
            assert status == 422 and error["reason"] == "unreadable_name" and "--load_fast=false" in error["error"]
            assert "Rename the run's directory" in runs[run]["cloud"]["error"]
        else:
            assert status == 200 and "error" not in runs[run]["cloud"]
            np.testing.assert_array_equal(
                np.frombuffer(wire.decode(body)[1]["vertices"][2], "<f4"), POINTS[1, :100].ravel()
            )


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_a_logdir_of_built_in_mesh_summaries_alone_lights_the_3d_tab_up(tmp_path, load_fast):
    logdir = tmp_path / "logs"
    _write(logdir, "torch", lambda: mesh_summary.mesh("scan", POINTS[:1, :500], step=7))
    with tensorboard(logdir, f"--load_fast={load_fast}") as url:  # waits for the 3D tab to be enabled

        def listed():
            status, _, body = _get(f"{url}/data/plugin/mesh3d/tags")
            return status == 200 and json.loads(body)["runs"].get("torch", {}).get("scan")

        scan = wait_until(listed, 60, "the built-in mesh to be listed")
        assert (scan["source"], scan["kind"], [s["step"] for s in scan["steps"]]) == ("mesh", "point_cloud", [7])

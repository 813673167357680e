"""A logdir written before the stored-array schema (`data/v3_logdir`) still lists and serves the same bytes.

The logdir and the route answers in `data/v3_bodies` were written by `data/make_v3_logdir.py` with the
code of the time; a change that alters the stored or the wire format fails here.
"""

import json

import pytest

from tests.tb_mesh_plugin.data import make_v3_logdir
from tests.tb_mesh_plugin.logdir_reading import make_client


@pytest.fixture(scope="module")
def client():
    return make_client(make_v3_logdir.LOGDIR)


def _is_within(expected, actual):
    """Whether every field of `expected` is in `actual` with the same value (new fields may be added)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _is_within(v, actual[k]) for k, v in expected.items())
    return expected == actual


def test_old_logdir_is_listed_as_before(client):
    expected = json.loads((make_v3_logdir.BODIES / "tags.json").read_text())
    actual = client.get("/data/plugin/mesh3d/tags").get_json()
    assert set(actual["runs"]) == set(expected["runs"])
    for run, tags in expected["runs"].items():
        assert set(actual["runs"][run]) == set(tags)
        for tag, entry in tags.items():
            assert _is_within(entry, actual["runs"][run][tag]), (run, tag)


@pytest.mark.parametrize("request_", make_v3_logdir.REQUESTS, ids=make_v3_logdir.body_name)
def test_old_logdir_serves_the_same_bytes(client, request_):
    route, run, tag, step, sample, max_points = request_
    query = {"run": run, "tag": tag, "step": step, "sample": sample}
    if max_points is not None:
        query["max_points"] = max_points
    response = client.get(f"/data/plugin/mesh3d/{route}", query_string=query)
    assert response.status_code == 200
    assert response.get_data() == (make_v3_logdir.BODIES / make_v3_logdir.body_name(request_)).read_bytes()

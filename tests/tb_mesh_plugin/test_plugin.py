"""The plugin's HTTP routes, through TensorBoard's own WSGI app over a real logdir."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from tb_mesh_plugin import metadata, plugin, summary, wire
from tests.tb_mesh_plugin.logdir_reading import make_client

RNG = np.random.default_rng(3)
VERTICES = RNG.normal(size=(70_000, 3)).astype(np.float32)
FACES = RNG.integers(0, 70_000, size=(1000, 3)).astype(np.int32)
COLORS = RNG.integers(0, 256, size=(70_000, 4)).astype(np.uint8)
POINTS = RNG.normal(size=(2, 500, 3)).astype(np.float32)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("logs")
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in range(5):
            summary.mesh(
                "mesh", VERTICES + step, FACES, COLORS, step=step * 10, description="<img src=x onerror=alert(1)>"
            )
        summary.point_cloud("points", POINTS, step=0)
        summary.lines("box", VERTICES[:8], [[0, 1], [2, 3], [4, 5], [6, 7]], step=3)
        mesh_summary.mesh("builtin", VERTICES[None, :50], faces=[[[0, 1, 2]]], step=10)
    with tf.summary.create_file_writer(str(logdir / "eval")).as_default():
        tf.summary.write(
            "future",
            tf.constant([b"x"]),
            step=0,
            metadata=summary_metadata_with_content(b'{"version": 99, "kind": "mesh"}'),
        )
    return logdir


def summary_metadata_with_content(content):
    proto = metadata.create_summary_metadata(
        "mesh", vertex_count=None, index_count=None, samples=None, color_channels=0, description=None
    )
    proto.plugin_data.content = content
    return proto


@pytest.fixture(scope="module")
def client(logdir):
    return make_client(logdir)


def get_mesh(client, **params):
    return client.get("/data/plugin/mesh3d/mesh", query_string=params)


def test_tags_lists_runs_tags_steps_and_counts(client):
    response = client.get("/data/plugin/mesh3d/tags")
    assert response.status_code == 200 and response.mimetype == "application/json"
    runs = response.get_json()["runs"]
    mesh = runs["train"]["mesh"]
    assert mesh["kind"] == "mesh"
    assert mesh["description"] == "<img src=x onerror=alert(1)>"
    assert (mesh["vertex_count"], mesh["face_count"], mesh["color_channels"], mesh["samples"]) == (70_000, 1000, 4, 1)
    assert [s["step"] for s in mesh["steps"]] == [0, 10, 20, 30, 40] and mesh["max_step"] == 40
    assert all(s["wall_time"] > 1e9 for s in mesh["steps"])
    points = runs["train"]["points"]
    assert (points["kind"], points["face_count"], points["samples"]) == ("point_cloud", None, 2)
    box = runs["train"]["box"]
    assert (box["kind"], box["vertex_count"], box["segment_count"], box["face_count"]) == ("lines", 8, 4, None)
    assert "format version 99" in runs["eval"]["future"]["error"]


def test_mesh_route_serves_one_step_in_the_wire_format(client):
    response = get_mesh(client, run="train", tag="mesh", step=20)
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    body = response.get_data()
    header, buffers = wire.decode(body)
    assert (header["kind"], header["step"], header["sample"], header["num_samples"]) == ("mesh", 20, 0, 1)
    dtype, shape, data = buffers["vertices"]
    assert (dtype, shape) == ("float32", (70_000, 3))
    np.testing.assert_array_equal(np.frombuffer(data, "<f4").reshape(shape), VERTICES + 2)
    dtype, shape, data = buffers["faces"]
    assert (dtype, shape) == ("uint32", (1000, 3))
    np.testing.assert_array_equal(np.frombuffer(data, "<u4").reshape(shape), FACES)
    np.testing.assert_array_equal(np.frombuffer(buffers["colors"][2], "u1").reshape(-1, 4), COLORS)
    raw = VERTICES.nbytes + FACES.nbytes + COLORS.nbytes
    assert raw < len(body) <= raw * 1.02


def test_mesh_route_serves_line_segments_as_uint32_pairs(client):
    header, buffers = wire.decode(get_mesh(client, run="train", tag="box", step=3).get_data())
    assert header["kind"] == "lines"
    dtype, shape, data = buffers["segments"]
    assert (dtype, shape) == ("uint32", (4, 2))
    np.testing.assert_array_equal(np.frombuffer(data, "<u4").reshape(shape), [[0, 1], [2, 3], [4, 5], [6, 7]])


def test_mesh_route_serves_each_sample_of_a_batch(client):
    for i in range(2):
        header, buffers = wire.decode(get_mesh(client, run="train", tag="points", step=0, sample=i).get_data())
        assert header["sample"] == i and header["num_samples"] == 2 and "faces" not in buffers
        np.testing.assert_array_equal(np.frombuffer(buffers["vertices"][2], "<f4").reshape(-1, 3), POINTS[i])


@pytest.mark.parametrize(
    "params, code, message",
    [
        (dict(tag="mesh", step=0), 400, "missing query parameter 'run'"),
        (dict(run="train", step=0), 400, "missing query parameter 'tag'"),
        (dict(run="train", tag="mesh"), 400, "missing query parameter 'step'"),
        (dict(run="train", tag="mesh", step="ten"), 400, "'step' must be an integer"),
        (dict(run="train", tag="mesh", step="1e3"), 400, "'step' must be an integer"),
        (dict(run="train", tag="mesh", step=2**70), 400, "out of the int64 range"),
        (dict(run="train", tag="mesh", step=0, sample=-1), 400, "'sample' must not be negative"),
        (dict(run="nope", tag="mesh", step=0), 404, "no 3D data for run 'nope'"),
        (dict(run="train", tag="nope", step=0), 404, "tag 'nope'"),
        (dict(run="train", tag="mesh", step=5), 404, "step 5 of run 'train'"),
        (dict(run="train", tag="points", step=0, sample=2), 404, "sample 2 is out of range"),
    ],
)
def test_bad_requests_get_json_errors(client, params, code, message):
    response = get_mesh(client, **params)
    assert response.status_code == code and response.mimetype == "application/json"
    assert message in response.get_json()["error"]


ROUTES = ["mesh", "builtin_mesh", "tags", "index.js"]
PARAMS = st.dictionaries(
    st.sampled_from(["run", "tag", "step", "sample", "max_points", "other"]),
    st.one_of(
        st.text(max_size=30),
        st.integers(-(2**80), 2**80).map(str),
        st.sampled_from(["train", "mesh", "points", "box", "builtin", "0", "1", "10", "20"]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(PARAMS, st.sampled_from(ROUTES + ["nothing", "mesh/extra", "static/index.js", "index.js/x", "../tags"]))
def test_random_requests_never_produce_a_server_error(client, params, route):
    response = client.get(f"/data/plugin/mesh3d/{route}", query_string=params)
    assert response.status_code < 500
    if response.status_code >= 400 and route in ROUTES[:3]:
        assert "error" in json.loads(response.get_data())
    if response.status_code == 200 and route in ("mesh", "builtin_mesh"):
        wire.decode(response.get_data())


@pytest.mark.parametrize("path", ["nothing", "mesh/extra", "static/index.js", "index.js/x", "tags.json", "Index.js"])
def test_unknown_routes_and_asset_paths_are_not_found(client, path):
    assert client.get(f"/data/plugin/mesh3d/{path}").status_code == 404


def test_sampling_hint_zero_keeps_every_step_and_a_limit_is_honoured(logdir):
    def steps(client):
        return client.get("/data/plugin/mesh3d/tags").get_json()["runs"]["train"]["mesh"]["steps"]

    assert len(steps(make_client(logdir, {"mesh3d": 0}))) == 5
    assert len(steps(make_client(logdir, {"mesh3d": 2}))) == 2


def test_plugin_is_listed_as_the_3d_tab(client):
    listing = client.get("/data/plugins_listing").get_json()["mesh3d"]
    assert listing["enabled"] and listing["tab_name"] == "3D"
    assert listing["loading_mechanism"] == {"type": "IFRAME", "module_path": "/data/plugin/mesh3d/index.js"}


def test_index_js_is_served_or_a_missing_bundle_is_explained(client, tmp_path, monkeypatch):
    monkeypatch.setattr(plugin, "_STATIC_DIR", tmp_path)
    response = client.get("/data/plugin/mesh3d/index.js")
    assert response.status_code == 404 and "make frontend" in response.get_json()["error"]
    (tmp_path / "index.js").write_text("export function render() {}")
    response = client.get("/data/plugin/mesh3d/index.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.get_data() == b"export function render() {}"


def test_viewing_needs_no_tensorflow(logdir):
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["tensorflow"] = None  # any import of TensorFlow now fails
        sys.path.insert(0, {str(__import__("pathlib").Path(__file__).parents[2])!r})
        from tests.tb_mesh_plugin.logdir_reading import make_client
        from tb_mesh_plugin import wire
        client = make_client({str(logdir)!r})
        body = client.get("/data/plugin/mesh3d/mesh?run=train&tag=mesh&step=0").get_data()
        header, buffers = wire.decode(body)
        print(header["kind"], buffers["vertices"][1])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "mesh (70000, 3)"

"""Quantised positions (float16, uint16 fixed point) and per-face colours: written, stored, served."""

import json

import numpy as np
import pytest
import tensorflow as tf

from tb_mesh_plugin import summary, wire
from tests.tb_mesh_plugin.logdir_reading import make_client, read_logdir

RNG = np.random.default_rng(5)
POINTS = (RNG.normal(size=(2, 5000, 3)) * [1, 10, 100]).astype(np.float32)
FACES = RNG.integers(0, 5000, size=(40, 3)).astype(np.int32)


def _array(sample, name, dtype):
    stored = sample.arrays[name]
    return np.frombuffer(stored.data, dtype).reshape(stored.shape)


def test_uint16_positions_dequantise_within_half_a_step_per_axis(logdir):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.point_cloud("cloud", POINTS, quantize="uint16", step=0)
    series, [(_, samples)] = read_logdir(logdir)[("run", "cloud")]
    content = json.loads(series.plugin_content)
    assert (content["version"], content["quantize"]) == (3, "uint16")
    for points, sample in zip(POINTS, samples):
        codes = _array(sample, "vertices", "<u2")
        offset, scale = _array(sample, "position_offset", "<f4"), _array(sample, "position_scale", "<f4")
        assert codes.shape == (5000, 3) and codes.min() == 0 and codes.max() == 65535
        np.testing.assert_allclose(offset, points.min(axis=0))
        np.testing.assert_allclose(scale * 65535, points.max(axis=0) - points.min(axis=0), rtol=1e-6)
        error = np.abs(offset + codes * scale - points)
        assert np.all(error <= scale * 0.5 + 1e-6 * np.abs(points).max(axis=0))
        np.testing.assert_allclose(_array(sample, "position_bounds", "<f4"), [points.min(0), points.max(0)], rtol=1e-6)


def test_float16_positions_are_stored_as_half_floats_with_their_bounds(logdir):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.mesh("m", POINTS[0], FACES, quantize="float16", step=0)
    _, [(_, [sample])] = read_logdir(logdir)[("run", "m")]
    halves = _array(sample, "vertices", "<f2")
    np.testing.assert_array_equal(halves, POINTS[0].astype(np.float16))
    np.testing.assert_array_equal(_array(sample, "position_bounds", "<f4"), [halves.min(0), halves.max(0)])


def test_a_constant_axis_quantises_to_its_value(logdir):
    flat = np.stack([np.linspace(0, 1, 10), np.full(10, 3.5), np.zeros(10)], axis=-1)
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.point_cloud("flat", flat, quantize="uint16", step=0)
    _, [(_, [sample])] = read_logdir(logdir)[("run", "flat")]
    codes, offset, scale = (
        _array(sample, n, d) for n, d in [("vertices", "<u2"), ("position_offset", "<f4"), ("position_scale", "<f4")]
    )
    np.testing.assert_allclose(offset + codes * scale, flat, atol=1e-5)


def test_quantised_positions_inside_tf_function_with_unknown_sizes(logdir):
    @tf.function(input_signature=[tf.TensorSpec([None, None, 3])])
    def log(points):
        return summary.point_cloud("dynamic", points, quantize="uint16", step=0)

    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert log(POINTS)
    _, [(_, samples)] = read_logdir(logdir)[("run", "dynamic")]
    assert len(samples) == 2 and samples[1].arrays["vertices"].dtype == "uint16"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(quantize="int8"), "quantize must be None, 'float16' or 'uint16', got 'int8'"),
        (dict(quantize=True), "quantize must be None, 'float16' or 'uint16', got True"),
        (dict(quantize="float16", vertices=np.full((3, 3), 1e5)), r"within float16's range .* use quantize='uint16'"),
        (dict(face_colors=np.zeros((3, 3), np.uint8), faces=None), "face_colors need faces"),
        (dict(face_colors=np.zeros((2, 3), np.uint8)), "faces and face_colors disagree on the number of faces: 1 vs 2"),
        (dict(face_colors=np.zeros((1, 5), np.uint8)), r"face_colors must have shape \[F, C\] with C in \{3, 4\}"),
        (dict(face_colors=np.full((1, 3), 2.0)), r"float face_colors must lie in \[0, 1\]"),
        (dict(face_colors=np.zeros((1, 3), np.int32)), "face_colors must be uint8 or float, got dtype int32"),
    ],
)
def test_bad_quantisation_and_face_colours_raise_naming_the_argument(logdir, kwargs, message):
    call = {"name": "m", "vertices": np.eye(3), "faces": [[0, 1, 2]], **kwargs}
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(ValueError, match=message):
            summary.mesh(**call, step=0)
    assert read_logdir(logdir) == {}


def test_plain_summaries_keep_format_version_2(logdir):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.point_cloud("plain", POINTS[0], step=0)
    series, _ = read_logdir(logdir)[("run", "plain")]
    assert json.loads(series.plugin_content)["version"] == 2


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("logs")
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        summary.point_cloud("u16", POINTS[0], quantize="uint16", step=0)
        summary.point_cloud("f32", POINTS[0], step=0)
        summary.mesh("faces", POINTS[0], FACES, face_colors=np.arange(120).reshape(40, 3).astype(np.uint8), step=0)
    return make_client(logdir)


def test_quantised_steps_are_sent_quantised_in_about_half_the_bytes(client):
    def get(tag):
        return client.get("/data/plugin/mesh3d/mesh", query_string={"run": "train", "tag": tag, "step": 0})

    quantised, full = get("u16").get_data(), get("f32").get_data()
    header, buffers = wire.decode(quantised)
    assert buffers["vertices"][:2] == ("uint16", (5000, 3))
    assert {"position_offset", "position_scale", "position_bounds"} <= set(buffers)
    assert len(quantised) < 0.52 * len(full)
    tags = client.get("/data/plugin/mesh3d/tags").get_json()["runs"]["train"]
    assert (tags["u16"]["quantize"], tags["f32"]["quantize"]) == ("uint16", None)


def test_face_colours_are_served_per_face(client):
    header, buffers = wire.decode(client.get("/data/plugin/mesh3d/mesh?run=train&tag=faces&step=0").get_data())
    dtype, shape, data = buffers["face_colors"]
    assert (dtype, shape) == ("uint8", (40, 3)) and bytes(data) == bytes(range(120))
    assert client.get("/data/plugin/mesh3d/tags").get_json()["runs"]["train"]["faces"]["face_color_channels"] == 3

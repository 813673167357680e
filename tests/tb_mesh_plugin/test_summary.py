"""Summary ops: round trips through TensorBoard's data provider, and every kind of bad input."""

import json

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard.compat.proto import summary_pb2

from tb_mesh_plugin import metadata, summary
from tests.tb_mesh_plugin.logdir_reading import read_logdir

RNG = np.random.default_rng(7)


def _array(stored, dtype):
    return np.frombuffer(stored.data, dtype=dtype).reshape(stored.shape)


def _mesh(n=100, f=150):
    return (
        RNG.normal(size=(n, 3)).astype(np.float32),
        RNG.integers(0, n, size=(f, 3)).astype(np.int32),
        RNG.integers(0, 256, size=(n, 3)).astype(np.uint8),
    )


def test_mesh_round_trip_is_exact(logdir):
    vertices, faces, colors = _mesh()
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        for step in range(3):
            assert summary.mesh("m", vertices + step, faces, colors, step=step, description="a <b>mesh</b>")
    series, steps = read_logdir(logdir)[("run", "m")]
    assert [s for s, _ in steps] == [0, 1, 2]
    assert series.description == "a <b>mesh</b>"
    assert json.loads(series.plugin_content) == {
        "version": 2,
        "kind": "mesh",
        "vertex_count": 100,
        "face_count": 150,
        "samples": 1,
        "color_channels": 3,
        "attributes": [],
    }
    for step, (sample,) in steps:
        assert sample.kind == "mesh"
        assert list(sample.arrays) == ["vertices", "faces", "colors"]
        np.testing.assert_array_equal(_array(sample.arrays["vertices"], "<f4"), vertices + step)
        np.testing.assert_array_equal(_array(sample.arrays["faces"], "<i4"), faces)
        np.testing.assert_array_equal(_array(sample.arrays["colors"], "u1"), colors)


def test_lines_round_trip_with_batched_end_points_and_shared_segments(logdir):
    corners = RNG.normal(size=(2, 8, 3)).astype(np.float32)
    segments = np.array([[0, 1], [1, 2], [2, 3], [3, 0], [4, 5], [5, 6], [6, 7], [7, 4]], np.int64)
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.lines("frustum", corners, segments, np.full((8, 3), 0.5), step=1)
    series, [(step, samples)] = read_logdir(logdir)[("run", "frustum")]
    assert json.loads(series.plugin_content) == {
        "version": 2,
        "kind": "lines",
        "vertex_count": 8,
        "segment_count": 8,
        "samples": 2,
        "color_channels": 3,
        "attributes": [],
    }
    for i, sample in enumerate(samples):
        assert sample.kind == "lines" and list(sample.arrays) == ["vertices", "segments", "colors"]
        np.testing.assert_array_equal(_array(sample.arrays["vertices"], "<f4"), corners[i])
        np.testing.assert_array_equal(_array(sample.arrays["segments"], "<i4"), segments)
        np.testing.assert_array_equal(_array(sample.arrays["colors"], "u1"), np.full((8, 3), 128, np.uint8))


@pytest.mark.parametrize(
    "segments, message",
    [
        (np.zeros((3, 3), np.int32), r"segments must have shape \[E, 2\]"),
        (np.zeros((3, 2), np.float32), "segments must be an integer tensor"),
        (np.zeros((0, 2), np.int32), "segments must not be empty"),
        (np.array([[0, 8]]), "segments hold indices out of range"),
        (np.array([[-1, 2]]), "segments must not hold negative indices"),
    ],
)
def test_bad_segments_raise_value_error_and_write_nothing(logdir, segments, message):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(ValueError, match=message):
            summary.lines("l", np.zeros((8, 3), np.float32), segments, step=0)
    assert read_logdir(logdir) == {}


def test_batched_point_cloud_stores_one_blob_per_sample(logdir):
    points = RNG.normal(size=(3, 50, 3))  # float64 is stored as float32
    colors = RNG.uniform(size=(50, 4))  # unbatched colours are shared by the batch
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.point_cloud("pc", points, colors, step=4)
    series, [(step, samples)] = read_logdir(logdir)[("run", "pc")]
    assert step == 4 and series.max_length == 3 and len(samples) == 3
    for i, sample in enumerate(samples):
        assert sample.kind == "point_cloud" and list(sample.arrays) == ["vertices", "colors"]
        np.testing.assert_array_equal(_array(sample.arrays["vertices"], "<f4"), points[i].astype(np.float32))
        np.testing.assert_array_equal(_array(sample.arrays["colors"], "u1"), np.round(colors * 255).astype(np.uint8))


def test_inside_tf_function_with_unknown_shapes(logdir):
    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, 3]),
            tf.TensorSpec([None, 3], tf.int64),
            tf.TensorSpec([], tf.int64),
        ]
    )
    def log(vertices, faces, step):
        return summary.mesh("dynamic", vertices, faces, step=step)

    vertices, faces, _ = _mesh(n=20, f=10)
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert log(vertices[None], faces, tf.constant(0, tf.int64))
        assert log(np.stack([vertices, -vertices]), faces[:5], tf.constant(1, tf.int64))
    series, steps = read_logdir(logdir)[("run", "dynamic")]
    content = json.loads(series.plugin_content)
    assert content["vertex_count"] is None and content["samples"] is None
    assert [len(samples) for _, samples in steps] == [1, 2]
    np.testing.assert_array_equal(_array(steps[1][1][1].arrays["vertices"], "<f4"), -vertices)
    np.testing.assert_array_equal(_array(steps[1][1][0].arrays["faces"], "<i4"), faces[:5])


def test_name_scope_prefixes_the_tag_and_step_defaults_to_the_global_step(logdir):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default(step=12), tf.name_scope("scope"):
        assert summary.point_cloud("pc", np.zeros((4, 3), np.float32))
    [(key, (_, steps))] = read_logdir(logdir).items()
    assert key == ("run", "scope/pc") and steps[0][0] == 12


def test_without_a_default_writer_returns_false():
    assert not summary.mesh("m", np.zeros((3, 3), np.float32), [[0, 1, 2]], step=0)


def test_without_a_step_raises():
    with tf.summary.create_file_writer("/tmp/unused-tb-mesh-plugin").as_default():
        with pytest.raises(ValueError, match="step"):
            summary.point_cloud("pc", np.zeros((3, 3), np.float32))


@settings(max_examples=20, deadline=None)
@given(
    samples=st.integers(1, 3),
    count=st.integers(1, 40),
    batched=st.booleans(),
    with_faces=st.booleans(),
    channels=st.sampled_from([0, 3, 4]),
    seed=st.integers(0, 2**31),
)
def test_round_trip_property(tmp_path_factory, samples, count, batched, with_faces, channels, seed):
    rng = np.random.default_rng(seed)
    logdir = tmp_path_factory.mktemp("logs")
    vertices = rng.normal(scale=100, size=(samples, count, 3)).astype(np.float32)
    faces = rng.integers(0, count, size=(rng.integers(1, 30), 3)) if with_faces else None
    colors = rng.integers(0, 256, size=(samples, count, channels), dtype=np.uint8) if channels else None
    if not batched:
        vertices = vertices[:1]
        colors = None if colors is None else colors[:1]
    with tf.summary.create_file_writer(str(logdir / "r")).as_default():
        summary.mesh(
            "t",
            vertices if batched else vertices[0],
            faces,
            None if colors is None else (colors if batched else colors[0]),
            step=0,
        )
    _, [(_, stored)] = read_logdir(logdir)[("r", "t")]
    assert len(stored) == len(vertices)
    for i, sample in enumerate(stored):
        np.testing.assert_array_equal(_array(sample.arrays["vertices"], "<f4"), vertices[i])
        assert ("faces" in sample.arrays) == with_faces
        if with_faces:
            np.testing.assert_array_equal(_array(sample.arrays["faces"], "<i4"), faces)
        if colors is not None:
            np.testing.assert_array_equal(_array(sample.arrays["colors"], "u1"), colors[i])


V, F, C = _mesh(n=10, f=4)
BAD_CALLS = {
    "vertices rank 1": (dict(vertices=np.zeros(3, np.float32)), "vertices must have shape"),
    "vertices rank 4": (dict(vertices=np.zeros((1, 1, 10, 3), np.float32)), "vertices must have shape"),
    "vertices last dim": (dict(vertices=np.zeros((10, 2), np.float32)), r"vertices must have shape \[N, 3\]"),
    "vertices ints": (dict(vertices=np.zeros((10, 3), np.int32)), "vertices must be a float tensor"),
    "vertices strings": (dict(vertices=[["a", "b", "c"]]), "vertices must be a float tensor"),
    "vertices empty": (
        dict(vertices=np.zeros((0, 3), np.float32), faces=None, colors=None),
        "vertices must not be empty",
    ),
    "vertices NaN": (dict(vertices=np.where(np.arange(30).reshape(10, 3) == 7, np.nan, V)), "vertices must be finite"),
    "vertices Inf": (dict(vertices=np.full((10, 3), -np.inf)), "vertices must be finite"),
    "vertices beyond float32": (dict(vertices=np.full((10, 3), 1e39)), "vertices must be finite"),
    "faces floats": (dict(faces=F.astype(np.float32)), "faces must be an integer tensor"),
    "faces quads": (dict(faces=np.zeros((4, 4), np.int32)), r"faces must have shape \[F, 3\]"),
    "faces empty": (dict(faces=np.zeros((0, 3), np.int32)), "faces must not be empty"),
    "faces negative": (dict(faces=np.array([[0, 1, -1]])), "faces must not hold negative indices"),
    "faces out of range": (dict(faces=np.array([[0, 1, 10]])), "faces hold indices out of range"),
    "faces huge int64": (dict(faces=np.array([[0, 1, 2**40]])), "faces hold indices out of range"),
    "colors channels": (dict(colors=np.zeros((10, 2), np.uint8)), "colors must have shape"),
    "colors rows": (dict(colors=np.zeros((9, 3), np.uint8)), "vertices and colors disagree on the number of vertices"),
    "colors int32": (dict(colors=np.zeros((10, 3), np.int32)), "colors must be uint8 or float"),
    "colors above 1": (dict(colors=np.full((10, 3), 1.5)), r"float colors must lie in \[0, 1\]"),
    "colors below 0": (dict(colors=np.full((10, 3), -0.1)), r"float colors must lie in \[0, 1\]"),
    "colors NaN": (dict(colors=np.full((10, 3), np.nan)), r"float colors must lie in \[0, 1\]"),
    "colors batched alone": (dict(colors=np.zeros((1, 10, 3), np.uint8)), "colors has a batch dimension"),
    "colors batch size": (
        dict(vertices=np.zeros((2, 10, 3), np.float32), colors=np.zeros((3, 10, 3), np.uint8)),
        "disagree on the batch size",
    ),
    "name empty": (dict(name=""), "name must not be empty"),
    "name blank": (dict(name="  "), "name must not be empty"),
    "name control character": (dict(name="a\nb"), "name must not contain control characters"),
    "name quote": (dict(name='say "hi"'), "name must not contain '\"'"),
    "name backslash": (dict(name="a\\b"), "name must not contain '\"' or '\\\\'"),
    "name not a string": (dict(name=3), "name must be a str"),
    "description not a string": (dict(description=b"bytes"), "description must be a str"),
}


@pytest.mark.parametrize("case", BAD_CALLS, ids=list(BAD_CALLS))
def test_bad_input_raises_value_error_and_writes_nothing(logdir, case):
    overrides, message = BAD_CALLS[case]
    kwargs = dict(name="m", vertices=V, faces=F, colors=C, step=0)
    kwargs.update(overrides)
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(ValueError, match=message):
            summary.mesh(**kwargs)
    assert read_logdir(logdir) == {}


@pytest.mark.parametrize(
    "vertices, faces, colors, message",
    [
        (np.full((1, 10, 3), np.nan, np.float32), F, C[None] / 255, "vertices must be finite"),
        (V[None], np.array([[0, 1, 10]]), C[None] / 255, "faces hold indices out of range"),
        (V[None], np.array([[0, -1, 2]]), C[None] / 255, "faces must not hold negative indices"),
        (V[None], F, np.zeros((1, 9, 3), np.float32), "colors must have one row per vertex"),
        (V[None], F, np.full((1, 10, 3), 2.0, np.float32), r"float colors must lie in \[0, 1\]"),
    ],
)
def test_bad_values_inside_tf_function_raise_and_write_nothing(logdir, vertices, faces, colors, message):
    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, 3]),
            tf.TensorSpec([None, 3], tf.int64),
            tf.TensorSpec([None, None, 3]),
        ]
    )
    def log(v, f, c):
        return summary.mesh("m", v, f, c, step=0)

    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            log(vertices, faces, np.float32(colors))
    assert read_logdir(logdir) == {}


def test_metadata_is_a_blob_sequence_and_round_trips():
    proto = metadata.create_summary_metadata(
        "mesh", vertex_count=5, index_count=None, samples=2, color_channels=4, description=None
    )
    assert proto.data_class == summary_pb2.DATA_CLASS_BLOB_SEQUENCE
    assert proto.plugin_data.plugin_name == "mesh3d"
    parsed = metadata.parse_plugin_content(proto.plugin_data.content)
    assert (parsed["kind"], parsed["vertex_count"], parsed["face_count"], parsed["samples"]) == ("mesh", 5, None, 2)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff", "not valid JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"version": 4, "kind": "mesh"}', "format version 4"),
        (b'{"version": 2, "kind": "mesh", "attributes": [{"name": "a"}]}', "malformed attribute description"),
        (b'{"version": 1, "kind": "cube"}', "unknown summary kind"),
    ],
)
def test_unreadable_plugin_content_is_reported(content, message):
    with pytest.raises(metadata.MetadataError, match=message):
        metadata.parse_plugin_content(content)


def _look_at_cameras(positions):
    from graphics_ops.camera import Camera

    count = len(positions)
    return Camera.from_look_at(
        np.asarray(positions, np.float64),
        np.zeros((count, 3)),
        np.tile([0.0, 1.0, 0.0], (count, 1)),
        np.tile([100.0, 80.0], (count, 1)),
        np.tile([64.0, 48.0], (count, 1)),
        width=128,
        height=96,
    )


def test_camera_logs_each_frustum_with_an_up_marker(logdir):
    positions = [[0.0, 0.0, 5.0], [4.0, 1.0, 0.0]]
    cameras = _look_at_cameras(positions)
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.camera("rig", cameras, far=2.0, step=3, description="two views")
    series, [(step, [sample])] = read_logdir(logdir)[("run", "rig")]
    assert step == 3 and sample.kind == "lines"
    content = json.loads(series.plugin_content)
    assert (content["vertex_count"], content["segment_count"], content["samples"]) == (18, 28, 1)
    vertices = _array(sample.arrays["vertices"], "<f4").reshape(2, 9, 3)
    segments = _array(sample.arrays["segments"], "<i4")
    assert set(np.unique(segments // 9)) == {0, 1}  # no segment joins two cameras
    for i, position in enumerate(positions):
        frustum = vertices[i]
        np.testing.assert_allclose(frustum[:4], np.tile(position, (4, 1)), atol=1e-5)  # near = 0: the apex
        far_centre = frustum[4:8].mean(axis=0)
        view = -np.asarray(position) / np.linalg.norm(position)  # each camera looks at the origin
        np.testing.assert_allclose(np.dot(far_centre - position, view), 2.0, rtol=1e-5)
        # The up marker lies above the far rectangle, on the world's +y side of it (up_vector).
        assert frustum[8, 1] > frustum[4:8, 1].max()


def test_camera_summary_works_inside_tf_function(logdir):
    writer = tf.summary.create_file_writer(str(logdir / "run"))

    @tf.function
    def log(position):
        from graphics_ops.camera import Camera

        camera = Camera.from_look_at(position, [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [50.0, 50.0], [32.0, 32.0], 64, 64)
        with writer.as_default():
            return summary.camera("cam", camera, near=0.1, far=1.0, step=0)

    assert log(tf.constant([0.0, 0.0, 3.0]))
    writer.flush()
    _, [(_, [sample])] = read_logdir(logdir)[("run", "cam")]
    vertices = _array(sample.arrays["vertices"], "<f4")
    np.testing.assert_allclose(vertices[:4, 2], 2.9, atol=1e-5)  # the near rectangle, 0.1 in front
    np.testing.assert_allclose(vertices[4:8, 2], 2.0, atol=1e-5)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"camera": np.eye(3)}, "camera must be a graphics_ops.camera.Camera"),
        ({"near": 2.0, "far": 1.0}, "near and far must satisfy 0 <= near < far"),
        ({"near": -1.0}, "near and far must satisfy"),
        ({"far": float("nan")}, "far must be a finite Python number"),
        ({"far": "1"}, "far must be a finite Python number"),
    ],
)
def test_bad_camera_arguments_raise_value_error_and_write_nothing(logdir, arguments, message):
    arguments = {"camera": _look_at_cameras([[0.0, 0.0, 5.0]]), **arguments}
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(ValueError, match=message):
            summary.camera("cam", step=0, **arguments)
    assert read_logdir(logdir) == {}


def test_camera_summaries_are_marked_as_cameras_in_their_metadata(logdir):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        summary.camera("marked", _look_at_cameras([[0.0, 0.0, 5.0]]), far=2.0, step=0)
        summary.lines("plain", [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [[0, 1]], step=0)
    listed = read_logdir(logdir)
    marked = metadata.parse_plugin_content(listed[("run", "marked")][0].plugin_content)
    plain = metadata.parse_plugin_content(listed[("run", "plain")][0].plugin_content)
    assert (marked["kind"], marked["camera"], marked["version"]) == ("lines", True, metadata.PLAIN_FORMAT_VERSION)
    assert plain["camera"] is False and "camera" not in json.loads(listed[("run", "plain")][0].plugin_content)


def test_the_camera_mark_is_read_only_on_lines():
    content = b'{"version": 2, "kind": "mesh", "camera": true}'
    assert metadata.parse_plugin_content(content)["camera"] is False
    with pytest.raises(ValueError, match="camera summaries are lines"):
        metadata.create_summary_metadata(
            "mesh", vertex_count=3, index_count=1, samples=1, color_channels=0, description=None, camera=True
        )

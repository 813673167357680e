"""Per-vertex and per-face attributes: summary ops, storage, the plugin's routes, and version-1 logs."""

import json

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.compat.proto import summary_pb2

from tb_mesh_plugin import summary, wire
from tests.tb_mesh_plugin.logdir_reading import make_client, read_logdir

RNG = np.random.default_rng(11)
N, F = 12, 6
VERTICES = RNG.normal(size=(N, 3)).astype(np.float32)
FACES = RNG.integers(0, N, size=(F, 3)).astype(np.int32)
GRAD = RNG.normal(size=(N, 3)).astype(np.float32)
GRAD[0] = [-0.0, 1e-40, 3.0]  # a signed zero and a subnormal must survive bit for bit


def _values(sample, name):
    stored = sample.arrays[f"attribute/{name}"]
    assert stored.dtype == "float32"
    return np.frombuffer(stored.data, "<f4").reshape(stored.shape)


def _ranges(sample, name):
    stored = sample.arrays[f"attribute_range/{name}"]
    return np.frombuffer(stored.data, "<f4").reshape(stored.shape)


def _expected_ranges(values):
    """(min, max) of each component, then of the magnitude: `[K + 1, 2]`, computed in float64."""
    values = np.asarray(values, np.float64).reshape(len(values), -1)
    both = np.concatenate([values, np.linalg.norm(values, axis=-1, keepdims=True)], axis=-1)
    return np.stack([both.min(axis=0), both.max(axis=0)], axis=-1)


def test_mesh_attributes_round_trip_with_their_ranges(logdir):
    area = RNG.uniform(size=F).astype(np.float32)
    labels = np.arange(N, dtype=np.int64) % 3  # integers are stored as float32
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.mesh(
            "pose/mesh",
            VERTICES,
            FACES,
            attributes={"grad": GRAD, "grad_norm": np.linalg.norm(GRAD, axis=-1)[:, None], "label": labels},
            face_attributes={"area": area},
            step=3,
        )
    series, [(step, [sample])] = read_logdir(logdir)[("run", "pose/mesh")]
    content = json.loads(series.plugin_content)
    assert content["version"] == 2
    assert (
        content["attributes"]
        == sample.attributes
        == [
            {"name": "grad", "placement": "vertex", "components": 3},
            {"name": "grad_norm", "placement": "vertex", "components": 1},
            {"name": "label", "placement": "vertex", "components": 1},
            {"name": "area", "placement": "face", "components": 1},
        ]
    )
    assert _values(sample, "grad").tobytes() == GRAD.tobytes()
    np.testing.assert_array_equal(_values(sample, "label"), labels[:, None].astype(np.float32))
    np.testing.assert_array_equal(_values(sample, "area"), area[:, None])
    for name, values in (("grad", GRAD), ("label", labels), ("area", area)):
        np.testing.assert_allclose(_ranges(sample, name), _expected_ranges(values), rtol=1e-6)
    assert _ranges(sample, "grad").shape == (4, 2) and _ranges(sample, "area").shape == (2, 2)


def test_batched_point_cloud_attributes_keep_per_sample_ranges(logdir):
    points = RNG.normal(size=(3, N, 3)).astype(np.float32)
    velocity = RNG.normal(size=(3, N, 3)) * np.array([1, 10, 100])[:, None, None]
    density = RNG.uniform(size=(3, N))
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.point_cloud("cloud", points, attributes={"velocity": velocity, "density": density}, step=0)
    series, [(_, samples)] = read_logdir(logdir)[("run", "cloud")]
    assert json.loads(series.plugin_content)["attributes"] == [
        {"name": "velocity", "placement": "vertex", "components": 3},
        {"name": "density", "placement": "vertex", "components": 1},
    ]
    assert len(samples) == 3
    for i, sample in enumerate(samples):
        np.testing.assert_array_equal(_values(sample, "velocity"), velocity[i].astype(np.float32))
        np.testing.assert_array_equal(_values(sample, "density"), density[i, :, None].astype(np.float32))
        np.testing.assert_allclose(_ranges(sample, "velocity"), _expected_ranges(velocity[i]), rtol=1e-5)


def test_lines_take_per_vertex_attributes(logdir):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.lines("edges", VERTICES, [[0, 1], [2, 3]], attributes={"speed": np.arange(N) - 5.0}, step=0)
    _, [(_, [sample])] = read_logdir(logdir)[("run", "edges")]
    np.testing.assert_array_equal(_ranges(sample, "speed"), [[-5, 6], [0, 6]])


def test_constant_and_zero_attributes_have_degenerate_but_finite_ranges(logdir):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert summary.point_cloud(
            "flat", VERTICES, attributes={"zero": np.zeros((N, 3)), "two": np.full(N, 2.0)}, step=0
        )
    _, [(_, [sample])] = read_logdir(logdir)[("run", "flat")]
    np.testing.assert_array_equal(_ranges(sample, "zero"), np.zeros((4, 2)))
    np.testing.assert_array_equal(_ranges(sample, "two"), [[2, 2], [2, 2]])


def test_attributes_inside_tf_function_with_unknown_batch_and_sizes(logdir):
    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, 3]),
            tf.TensorSpec([None, 3], tf.int32),
            tf.TensorSpec([None, None, 3]),
            tf.TensorSpec([None, None], tf.float64),
            tf.TensorSpec([None]),
            tf.TensorSpec([], tf.int64),
        ]
    )
    def log(vertices, faces, grad, energy, area, step):
        return summary.mesh(
            "dynamic",
            vertices,
            faces,
            attributes={"grad": grad, "energy": energy},
            face_attributes={"area": area},
            step=step,
        )

    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        assert log(VERTICES[None], FACES, GRAD[None], np.arange(N, dtype=np.float64)[None], np.ones(F, np.float32), 0)
        batch = np.stack([VERTICES, -VERTICES])
        assert log(batch, FACES[:2], np.stack([GRAD, 2 * GRAD]), np.ones((2, N)), np.float32([4, 5]), 1)
    series, steps = read_logdir(logdir)[("run", "dynamic")]
    content = json.loads(series.plugin_content)
    assert content["vertex_count"] is None and content["samples"] is None
    assert [(a["name"], a["components"]) for a in content["attributes"]] == [("grad", 3), ("energy", 1), ("area", 1)]
    [(_, [first]), (_, [_, second])] = steps
    assert _values(first, "grad").tobytes() == GRAD.tobytes()
    np.testing.assert_array_equal(_values(second, "grad"), 2 * GRAD)
    np.testing.assert_array_equal(_values(second, "area"), [[4], [5]])
    np.testing.assert_allclose(_ranges(second, "grad"), _expected_ranges(2 * GRAD), rtol=1e-6)


# Each bad call: keyword overrides of a good `summary.mesh` call, and the message it must raise.
GOOD = dict(name="m", vertices=VERTICES, faces=FACES, attributes={"grad": GRAD}, face_attributes={"area": np.ones(F)})
BAD_CALLS = {
    "attributes not a dict": (dict(attributes=[GRAD]), "attributes must be a dict of name -> tensor, got list"),
    "face_attributes not a dict": (dict(face_attributes="area"), "face_attributes must be a dict"),
    "name empty": (dict(attributes={"": GRAD}), "names in attributes must not be empty"),
    "name blank": (dict(face_attributes={" ": np.ones(F)}), "names in face_attributes must not be empty"),
    "name not str": (dict(attributes={3: GRAD}), r"names in attributes must be str, got 3 \(int\)"),
    "name control character": (dict(attributes={"a\tb": GRAD}), "must not contain control characters"),
    "name too long": (dict(attributes={"a" * 101: GRAD}), "at most 100 characters"),
    "names clash": (dict(attributes={"area": np.ones(N)}), "'area' is in both attributes and face_attributes"),
    "rows": (
        dict(attributes={"grad": np.zeros((10, 3))}),
        r"attributes\['grad'\] must have shape \[N\] or \[N, K\] \(K from 1 to 4\) with N = 12 vertices, got \[10, 3\]",
    ),
    "components": (
        dict(attributes={"grad": np.zeros((N, 5))}),
        r"attributes\['grad'\] must have shape .* got \[12, 5\]",
    ),
    "no components": (
        dict(attributes={"grad": np.zeros((N, 0))}),
        r"attributes\['grad'\] must have shape .* got \[12, 0\]",
    ),
    "rank 3 unbatched": (
        dict(attributes={"grad": GRAD[None]}),
        r"attributes\['grad'\] must have shape .* got \[1, 12, 3\]",
    ),
    "scalar": (dict(attributes={"grad": 1.0}), r"attributes\['grad'\] must have shape .* got \[\]"),
    "strings": (
        dict(attributes={"grad": [["a"] * 3] * N}),
        r"attributes\['grad'\] must be a float or integer tensor, got dtype string",
    ),
    "bools": (dict(attributes={"grad": np.ones(N, bool)}), "must be a float or integer tensor, got dtype bool"),
    "complex": (dict(attributes={"grad": np.ones(N, np.complex64)}), "got dtype complex64"),
    "ragged": (dict(attributes={"grad": [[1.0], [1.0, 2.0]]}), r"attributes\['grad'\] cannot be converted to a tensor"),
    "NaN": (dict(attributes={"grad": np.where(GRAD > 1, np.nan, GRAD)}), r"attributes\['grad'\] must be finite"),
    "Inf": (dict(face_attributes={"area": [1, 1, 1, np.inf, 1, 1]}), r"face_attributes\['area'\] must be finite"),
    "beyond float32": (dict(attributes={"grad": np.full((N, 3), 1e39)}), r"attributes\['grad'\] must be finite"),
    "magnitude overflows": (dict(attributes={"grad": np.full((N, 3), 2e19, np.float32)}), "magnitudes below 1.8e19"),
    "face rows": (
        dict(face_attributes={"area": np.ones(F + 1)}),
        r"face_attributes\['area'\] must have shape \[F\] or \[F, K\] .* with F = 6 faces, got \[7\]",
    ),
    "face attributes without faces": (dict(faces=None), "face_attributes need faces"),
}


@pytest.mark.parametrize("case", BAD_CALLS, ids=list(BAD_CALLS))
def test_bad_attributes_raise_value_error_naming_them_and_write_nothing(logdir, case):
    overrides, message = BAD_CALLS[case]
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(ValueError, match=message):
            summary.mesh(**{**GOOD, **overrides}, step=0)
    assert read_logdir(logdir) == {}


@pytest.mark.parametrize(
    "points, attributes, message",
    [
        (
            np.zeros((2, N, 3)),
            {"v": np.zeros((3, N, 3))},
            r"points and attributes\['v'\] disagree on the batch size: 2 vs 3",
        ),
        (
            np.zeros((2, N, 3)),
            {"v": np.zeros((N, 3))},
            r"attributes\['v'\] must have shape \[B, N\] or \[B, N, K\] .* with N = 12 points, got \[12, 3\]",
        ),
        (np.zeros((N, 3)), {"v": np.zeros(N + 1)}, r"with N = 12 points, got \[13\]"),
    ],
)
def test_bad_point_attributes_name_points(logdir, points, attributes, message):
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(ValueError, match=message):
            summary.point_cloud("pc", points, attributes=attributes, step=0)
    assert read_logdir(logdir) == {}


# Inside a graph, TensorFlow's Assert shows quotes escaped: attributes[\'grad\'].
@pytest.mark.parametrize(
    "grad, area, message",
    [
        (np.full((1, N, 3), np.nan), np.ones(F), r"attributes\[\\?'grad\\?'\] must be finite"),
        (np.zeros((1, N - 1, 3)), np.ones(F), r"attributes\[\\?'grad\\?'\] must have one row per vertex of vertices"),
        (np.zeros((2, N, 3)), np.ones(F), r"attributes\[\\?'grad\\?'\] and vertices must have the same batch size"),
        (np.full((1, N, 3), 3e38), np.ones(F), r"attributes\[\\?'grad\\?'\] must have magnitudes below 1.8e19"),
        (np.zeros((1, N, 3)), np.ones(F - 1), r"face_attributes\[\\?'area\\?'\] must have one row per face"),
        (np.zeros((1, N, 3)), np.full(F, np.inf), r"face_attributes\[\\?'area\\?'\] must be finite"),
    ],
)
def test_bad_attribute_values_inside_tf_function_raise_and_write_nothing(logdir, grad, area, message):
    @tf.function(
        input_signature=[tf.TensorSpec([None, None, 3]), tf.TensorSpec([None, None, 3]), tf.TensorSpec([None])]
    )
    def log(vertices, grad, area):
        return summary.mesh("m", vertices, FACES, attributes={"grad": grad}, face_attributes={"area": area}, step=0)

    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            log(VERTICES[None], np.float32(grad), np.float32(area))
    assert read_logdir(logdir) == {}


def _write_version_1_mesh(tag, vertices, faces, step):
    """Writes a mesh the way version 1 of the summary ops did (before attributes existed)."""
    manifest = json.dumps({"version": 1, "kind": "mesh", "arrays": ["vertices", "faces"]})
    parts = [tf.constant(manifest), tf.io.serialize_tensor(vertices), tf.io.serialize_tensor(faces)]
    content = {
        "version": 1,
        "kind": "mesh",
        "vertex_count": len(vertices),
        "face_count": len(faces),
        "samples": 1,
        "color_channels": 0,
    }
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="mesh3d", content=json.dumps(content).encode()),
        data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
    )
    tf.summary.write(tag, tf.io.serialize_tensor(tf.stack(parts))[None], step=step, metadata=metadata)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("logs")
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in range(2):
            summary.mesh(
                "pose/mesh",
                VERTICES,
                FACES,
                attributes={"grad": GRAD * (step + 1)},
                face_attributes={"area": np.arange(F) + step},
                step=step,
            )
        _write_version_1_mesh("old/mesh", VERTICES, FACES, step=7)
    return make_client(logdir)


def test_tags_list_attributes_without_reading_blobs(client):
    tags = client.get("/data/plugin/mesh3d/tags").get_json()["runs"]["train"]
    assert tags["pose/mesh"]["attributes"] == [
        {"name": "grad", "placement": "vertex", "components": 3},
        {"name": "area", "placement": "face", "components": 1},
    ]
    assert tags["old/mesh"]["attributes"] == [] and tags["old/mesh"]["face_count"] == F


def test_mesh_route_passes_attribute_buffers_through_bit_exactly(client):
    response = client.get("/data/plugin/mesh3d/mesh", query_string={"run": "train", "tag": "pose/mesh", "step": 1})
    assert response.status_code == 200
    header, buffers = wire.decode(response.get_data())
    assert header["attributes"] == [
        {
            "name": "grad",
            "placement": "vertex",
            "components": 3,
            "values": "attribute/grad",
            "ranges": "attribute_range/grad",
        },
        {
            "name": "area",
            "placement": "face",
            "components": 1,
            "values": "attribute/area",
            "ranges": "attribute_range/area",
        },
    ]
    dtype, shape, data = buffers["attribute/grad"]
    assert (dtype, shape) == ("float32", (N, 3)) and bytes(data) == (GRAD * 2).tobytes()
    dtype, shape, data = buffers["attribute/area"]
    assert (dtype, shape) == ("float32", (F, 1)) and bytes(data) == (np.arange(F, dtype=np.float32) + 1).tobytes()
    dtype, shape, data = buffers["attribute_range/grad"]
    assert (dtype, shape) == ("float32", (4, 2))
    np.testing.assert_allclose(np.frombuffer(data, "<f4").reshape(shape), _expected_ranges(GRAD * 2), rtol=1e-6)


def test_version_1_summaries_are_still_served(client):
    response = client.get("/data/plugin/mesh3d/mesh", query_string={"run": "train", "tag": "old/mesh", "step": 7})
    assert response.status_code == 200
    header, buffers = wire.decode(response.get_data())
    assert header["kind"] == "mesh" and header["attributes"] == []
    assert set(buffers) == {"vertices", "faces"}
    assert bytes(buffers["vertices"][2]) == VERTICES.tobytes()

"""The framework-free `writer.MeshWriter`: the same stored bytes and errors as the TensorFlow summaries.

The same arrays are written both ways and compared as stored (the event files' summary values) and as
served (the `mesh` route through TensorBoard's WSGI app), byte for byte; every bad input gets the
message `summary.*` gives and leaves the event file without a summary. The writer is used over a
logdir path, tensorboardX's `SummaryWriter` and torch's (when torch is installed), with NumPy, JAX
and torch arrays, and in a process where TensorFlow cannot be imported.
"""

import glob
import json
import os
import subprocess
import sys
import textwrap
import urllib.request

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_file_loader

from demo import tensorboard_process
from graphics_ops.camera import Camera
from tb_mesh_plugin import schema, summary, wire
from tb_mesh_plugin.writer import MeshWriter
from tests.tb_mesh_plugin.logdir_reading import make_client, read_logdir

RNG = np.random.default_rng(17)
N, F = 60, 40
VERTICES = RNG.normal(size=(N, 3))  # float64, stored as float32
BATCH = RNG.normal(size=(2, N, 3)).astype(np.float32) * 100.0
FACES = RNG.integers(0, N, size=(F, 3))
FLAT = np.concatenate([RNG.normal(size=(N, 2)), np.full((N, 1), 3.0)], axis=-1)  # a zero span on z
RIG = Camera(
    rotation=np.stack([np.eye(3), np.diag([1.0, -1.0, -1.0])]).astype(np.float32),
    translation=np.array([[0.0, 0.0, 4.0], [0.5, 0.0, 3.0]], np.float32),
    focal=np.array([[60.0, 60.0]] * 2, np.float32),
    principal_point=np.array([[32.0, 24.0]] * 2, np.float32),
    width=64,
    height=48,
)

# tag: (method, keyword arguments); written at step 5 both ways.
CASES = {
    "mesh/plain": ("mesh", dict(vertices=VERTICES, faces=FACES)),
    "mesh/everything": (
        "mesh",
        dict(
            vertices=VERTICES,
            faces=FACES.tolist(),  # a Python list: int32, as TensorFlow converts it
            colors=RNG.uniform(size=(N, 3)),
            face_colors=RNG.integers(0, 256, size=(F, 4), dtype=np.uint8),
            attributes={"grad": RNG.normal(size=(N, 3)), "norm": RNG.uniform(size=N), "label": np.arange(N)},
            face_attributes={"area": RNG.uniform(size=(F, 1)).astype(np.float32), "id": np.arange(F, dtype=np.int8)},
            description="all of it",
        ),
    ),
    "mesh/float16": (
        "mesh",
        dict(vertices=VERTICES, faces=FACES, colors=RNG.integers(0, 256, (N, 4), np.uint8), quantize="float16"),
    ),
    "mesh/uint16_batch": (
        "mesh",
        dict(
            vertices=BATCH,
            faces=FACES,
            colors=RNG.uniform(size=(2, N, 4)),
            attributes={"t": RNG.normal(size=(2, N)), "v": RNG.normal(size=(2, N, 4))},
            face_attributes={"a": RNG.normal(size=F)},
            quantize="uint16",
        ),
    ),
    "mesh/uint16_flat": ("mesh", dict(vertices=FLAT, faces=FACES, quantize="uint16")),
    "points/batch": (
        "point_cloud",
        dict(
            points=BATCH,
            colors=RNG.integers(0, 256, (N, 3), np.uint8),
            attributes={"d": RNG.normal(size=(2, N, 2))},
            quantize="float16",
        ),
    ),
    "points/python": ("point_cloud", dict(points=[[0.5, 1, 2], [3, 4.25, 5]], colors=[[0.0, 0.5, 1.0]] * 2)),
    "lines": (
        "lines",
        dict(
            vertices=VERTICES[:8],
            segments=np.array([[0, 1], [2, 3], [4, 5], [6, 7]], np.int64),
            colors=RNG.uniform(size=(8, 4)).astype(np.float32),
            attributes={"w": RNG.uniform(size=8)},
            quantize="uint16",
        ),
    ),
    "rig": ("camera", dict(camera=RIG, near=0.1, far=2.0)),
}


def write_with_tensorflow(logdir, calls, step=5):
    with tf.summary.create_file_writer(str(logdir)).as_default():
        for tag, (method, kwargs) in calls.items():
            getattr(summary, method)(tag, step=step, **kwargs)


def write_with_writer(target, calls, step=5):
    with MeshWriter(target) as writer:
        for tag, (method, kwargs) in calls.items():
            getattr(writer, method)(tag, step=step, **kwargs)


def summary_values(logdir):
    """{tag: [(step, Summary.Value)]} of every summary in the event files of `logdir` (one run)."""
    values = {}
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        for event in event_file_loader.EventFileLoader(path).Load():
            for value in event.summary.value:
                values.setdefault(value.tag, []).append((event.step, value))
    return values


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory):
    """A logdir with run "tf" written by `summary.*` and run "writer" by `MeshWriter`, from the same arrays."""
    logdir = tmp_path_factory.mktemp("logs")
    write_with_tensorflow(logdir / "tf", CASES)
    write_with_writer(logdir / "writer", CASES)
    return logdir


def test_the_writer_stores_the_summary_values_tensorflow_stores(both_ways):
    expected, written = summary_values(both_ways / "tf"), summary_values(both_ways / "writer")
    assert sorted(written) == sorted(expected) == sorted(CASES)
    for tag in CASES:
        ((tf_step, tf_value),) = expected[tag]
        ((step, value),) = written[tag]
        assert step == tf_step == 5
        assert value.metadata == tf_value.metadata, tag
        assert value.tensor.SerializeToString() == tf_value.tensor.SerializeToString(), tag


def test_the_mesh_route_serves_the_same_bytes_for_both_writers(both_ways):
    client = make_client(both_ways)
    tags = client.get("/data/plugin/mesh3d/tags").get_json()["runs"]
    for tag in CASES:
        listing, tf_listing = tags["writer"][tag], tags["tf"][tag]
        listing["steps"] = tf_listing["steps"] = None  # their wall times differ
        assert listing == tf_listing
        for sample in range(listing["samples"]):
            served = [
                client.get("/data/plugin/mesh3d/mesh", query_string=dict(run=run, tag=tag, step=5, sample=sample))
                for run in ("tf", "writer")
            ]
            assert [r.status_code for r in served] == [200, 200], (tag, served[1].get_data()[:200])
            assert served_parts(served[1].get_data()) == served_parts(served[0].get_data()), (tag, sample)


def served_parts(body):
    """A `mesh` route body as (its header without the wall time, the bytes of its buffers), to compare."""
    header, _ = wire.decode(body)
    start = header["buffers"][0]["offset"]
    del header["wall_time"]  # when each was written
    for entry in header["buffers"]:
        entry["offset"] -= start  # the header's length depends on the wall time's digits
    return header, body[start:]


def test_the_mesh_route_serves_the_arrays_given(both_ways):
    client = make_client(both_ways)
    body = client.get("/data/plugin/mesh3d/mesh", query_string=dict(run="writer", tag="mesh/everything", step=5))
    _, buffers = wire.decode(body.get_data())
    np.testing.assert_array_equal(served_array(buffers, "vertices"), VERTICES.astype(np.float32))
    np.testing.assert_array_equal(served_array(buffers, "faces"), FACES)
    np.testing.assert_array_equal(served_array(buffers, "attribute/label"), np.arange(N, dtype=np.float32)[:, None])


def served_array(buffers, name):
    """A buffer of `wire.decode` as a NumPy array."""
    dtype, shape, data = buffers[name]
    return np.frombuffer(data, schema.WIRE_DTYPES[dtype].numpy).reshape(shape)


# (id, method, keyword arguments) that `summary.*` rejects with a ValueError; name and step are added
# unless given.
BAD_INPUTS = [
    ("name_not_str", "point_cloud", dict(name=3)),
    ("name_empty", "point_cloud", dict(name="  ")),
    ("name_control", "point_cloud", dict(name="a\nb")),
    ("name_quote", "point_cloud", dict(name='a"b')),
    ("name_surrogate", "point_cloud", dict(name="a\udc80")),
    ("name_too_long", "point_cloud", dict(name="n" * 1025)),
    ("description", "point_cloud", dict(description=3)),
    ("step_float", "point_cloud", dict(step=1.5)),
    ("step_bool", "point_cloud", dict(step=True)),
    ("step_text", "point_cloud", dict(step="1")),
    ("quantize", "point_cloud", dict(quantize="int8")),
    ("positions_int", "point_cloud", dict(points=np.ones((3, 3), np.int32))),
    ("positions_rank", "point_cloud", dict(points=np.ones(3))),
    ("positions_width", "point_cloud", dict(points=np.ones((3, 2)))),
    ("positions_empty", "point_cloud", dict(points=np.ones((0, 3)))),
    ("positions_nan", "point_cloud", dict(points=[[0.0, np.nan, 1.0]])),
    ("positions_inf", "mesh", dict(vertices=np.array([[0.0, np.inf, 1.0]]))),
    ("positions_beyond_float32", "point_cloud", dict(points=np.array([[1e39, 0.0, 0.0]]))),
    ("positions_ragged", "point_cloud", dict(points=[[0.0, 1.0, 2.0], [1.0]])),
    ("faces_float", "mesh", dict(faces=np.zeros((1, 3)))),
    ("faces_shape", "mesh", dict(faces=np.zeros((1, 4), np.int32))),
    ("faces_negative", "mesh", dict(faces=[[0, 1, -1]])),
    ("faces_out_of_range", "mesh", dict(faces=[[0, 1, 3]])),
    ("segments_out_of_range", "lines", dict(segments=np.array([[0, 3]], np.int64))),
    ("colors_int32", "mesh", dict(colors=np.zeros((3, 3), np.int32))),
    ("colors_channels", "mesh", dict(colors=np.zeros((3, 5)))),
    ("colors_rows", "mesh", dict(colors=np.zeros((4, 3)))),
    ("colors_batched", "mesh", dict(colors=np.zeros((1, 3, 3)))),
    ("colors_above_one", "mesh", dict(colors=np.full((3, 3), 1.5))),
    ("colors_nan", "point_cloud", dict(colors=np.full((3, 4), np.nan, np.float32))),
    ("colors_batch_size", "point_cloud", dict(points=np.zeros((2, 3, 3)), colors=np.zeros((3, 3, 3)))),
    ("face_colors_no_faces", "mesh", dict(faces=None, face_colors=np.zeros((1, 3)))),
    ("face_colors_rows", "mesh", dict(face_colors=np.zeros((2, 3)))),
    ("face_colors_range", "mesh", dict(face_colors=-np.ones((1, 3)))),
    ("face_attributes_no_faces", "mesh", dict(faces=None, face_attributes={"a": np.zeros(1)})),
    ("attributes_not_dict", "mesh", dict(attributes=[np.zeros(3)])),
    ("attribute_name_not_str", "mesh", dict(attributes={1: np.zeros(3)})),
    ("attribute_name_empty", "mesh", dict(attributes={"": np.zeros(3)})),
    ("attribute_name_long", "mesh", dict(attributes={"a" * 101: np.zeros(3)})),
    ("attribute_names_twice", "mesh", dict(attributes={"a": np.zeros(3)}, face_attributes={"a": np.zeros(1)})),
    ("attribute_bool", "mesh", dict(attributes={"a": np.zeros(3, bool)})),
    ("attribute_complex", "mesh", dict(attributes={"a": np.zeros(3, np.complex64)})),
    ("attribute_five_components", "mesh", dict(attributes={"a": np.zeros((3, 5))})),
    ("attribute_rows", "mesh", dict(attributes={"a": np.zeros(4)})),
    ("attribute_batch", "point_cloud", dict(points=np.zeros((2, 3, 3)), attributes={"a": np.zeros((3, 3))})),
    ("attribute_empty", "lines", dict(vertices=np.zeros((2, 0, 3)), attributes={"a": np.zeros((2, 0))})),
    ("attribute_nan", "mesh", dict(attributes={"a": np.array([0.0, np.nan, 1.0])})),
    ("attribute_overflow", "mesh", dict(attributes={"a": np.full((3, 2), 1e20, np.float32)})),
    ("face_attribute_rows", "mesh", dict(face_attributes={"a": np.zeros(2)})),
    ("float16_range", "mesh", dict(vertices=np.full((3, 3), 70000.0), quantize="float16")),
    ("uint16_span", "mesh", dict(vertices=np.array([[-3e38] * 3, [3e38] * 3, [0.0] * 3]), quantize="uint16")),
    ("camera_not_camera", "camera", dict(camera=np.eye(3))),
    ("camera_near", "camera", dict(camera=RIG, near=-1.0)),
    ("camera_far", "camera", dict(camera=RIG, near=1.0, far=float("nan"))),
]
GOOD = {
    "mesh": dict(vertices=np.zeros((3, 3)), faces=[[0, 1, 2]]),
    "point_cloud": dict(points=np.zeros((3, 3))),
    "lines": dict(vertices=np.zeros((3, 3)), segments=[[0, 1]]),
    "camera": dict(camera=RIG),
}


def call_both_ways(tmp_path, method, kwargs):
    """Calls `summary.<method>` and `MeshWriter.<method>` on the same arguments; returns their exceptions."""
    kwargs = {"name": "bad", "step": 1, **GOOD[method], **kwargs}
    kwargs = {k: v for k, v in kwargs.items() if v is not None or k == "step"}
    if method == "mesh" and "faces" not in kwargs:
        kwargs["faces"] = None
    errors = []
    with tf.summary.create_file_writer(str(tmp_path / "tf")).as_default():
        with pytest.raises((ValueError, TypeError)) as raised:
            getattr(summary, method)(**kwargs)
        errors.append(raised.value)
    with MeshWriter(tmp_path / "writer") as writer:
        with pytest.raises((ValueError, TypeError)) as raised:
            getattr(writer, method)(**kwargs)
        errors.append(raised.value)
    return errors


@pytest.mark.parametrize("method, kwargs", [pytest.param(m, k, id=i) for i, m, k in BAD_INPUTS])
def test_every_bad_input_gets_the_error_of_summary_and_writes_nothing(tmp_path, method, kwargs):
    tf_error, error = call_both_ways(tmp_path, method, kwargs)
    assert type(error) is type(tf_error)
    if "cannot be converted" in str(tf_error):  # the converter's own words follow
        assert str(error).split(":")[0] == str(tf_error).split(":")[0]
    else:
        assert str(error) == str(tf_error)
    assert summary_values(tmp_path / "writer") == summary_values(tmp_path / "tf") == {}


def test_step_is_required_and_an_integer(tmp_path):
    with MeshWriter(tmp_path) as writer:
        with pytest.raises(TypeError, match="step"):
            writer.point_cloud("p", np.zeros((1, 3)))
        with pytest.raises(ValueError, match=r"step must be an integer, got None \(NoneType\)"):
            writer.point_cloud("p", np.zeros((1, 3)), step=None)
    assert summary_values(tmp_path) == {}


def test_flush_writes_what_is_buffered_and_a_bytes_path_is_a_logdir(tmp_path):
    writer = MeshWriter(os.fsencode(tmp_path), max_queue=100)
    writer.point_cloud("p", np.zeros((1, 3)), step=0)
    writer.flush()
    assert [step for step, _ in summary_values(tmp_path)["p"]] == [0]
    writer.close()


def test_the_target_must_be_a_path_or_a_summary_writer():
    with pytest.raises(TypeError, match="target must be a logdir path.*got int"):
        MeshWriter(3)


def run_python(code, **env):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        env={**os.environ, **env},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_importing_the_writer_imports_no_tensorflow():
    out = run_python(
        """
        import sys
        import tb_mesh_plugin.writer
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "graphics_ops")))
        """
    )
    assert out.strip() == "[]"


def test_the_writer_writes_a_logdir_where_tensorflow_cannot_be_imported(tmp_path):
    out = run_python(
        f"""
        import sys
        sys.modules["tensorflow"] = None  # import tensorflow raises ImportError
        import numpy as np
        from tb_mesh_plugin.writer import MeshWriter

        with MeshWriter({str(tmp_path)!r}) as writer:
            writer.mesh("m", np.eye(3), [[0, 1, 2]], attributes={{"a": [1.0, 2.0, 3.0]}}, step=2)
            writer.point_cloud("p", np.ones((2, 4, 3)), quantize="uint16", step=3)
            for bad in (dict(camera=np.eye(3)), dict(points=np.ones((1, 2)))):
                try:
                    writer.camera("c", step=0, **bad) if "camera" in bad else writer.point_cloud("c", step=0, **bad)
                except ValueError as e:
                    print(e)
        print(sorted(m for m in sys.modules if m.startswith("tensorflow") and sys.modules[m] is not None))
        """
    )
    assert out.splitlines() == [
        "camera must be a graphics_ops.camera.Camera, got ndarray",
        "points must have shape [N, 3] or [B, N, 3], got shape (1, 2)",
        "[]",
    ]
    stored = read_logdir(tmp_path)
    (_, mesh_steps), (_, point_steps) = stored[(".", "m")], stored[(".", "p")]
    assert [step for step, _ in mesh_steps] == [2] and [step for step, _ in point_steps] == [3]
    assert len(point_steps[0][1]) == 2 and point_steps[0][1][0].arrays["vertices"].dtype == "uint16"


class ArrayLike:
    """Exposes its values only through `__array__`, as array types of other libraries do."""

    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype)


def samples_written(target_dir, calls):
    write_with_writer(target_dir, calls)
    return {tag: value.tensor.SerializeToString() for tag, [(_, value)] in summary_values(target_dir).items()}


def everything_as(convert):
    """The "mesh/everything" and "points/batch" cases with every array converted by `convert`."""

    def each(value):
        if isinstance(value, dict):
            return {k: each(v) for k, v in value.items()}
        return convert(np.asarray(value)) if isinstance(value, (np.ndarray, list)) else value

    return {tag: (CASES[tag][0], each(CASES[tag][1])) for tag in ("mesh/everything", "points/batch")}


def test_arrays_of_other_libraries_are_stored_as_numpy_arrays_are(tmp_path):
    expected = samples_written(tmp_path / "numpy", everything_as(lambda a: a))
    assert samples_written(tmp_path / "array_like", everything_as(ArrayLike)) == expected
    assert samples_written(tmp_path / "tensorflow", everything_as(tf.constant)) == expected


def test_jax_arrays_are_stored_as_numpy_arrays_are(tmp_path):
    jnp = pytest.importorskip("jax.numpy")
    expected = samples_written(tmp_path / "numpy", everything_as(lambda a: a))
    # JAX makes 32-bit arrays of float64 and int64 ones (unless x64 is enabled): stored the same.
    assert samples_written(tmp_path / "jax", everything_as(jnp.asarray)) == expected
    bfloat16 = jnp.asarray(VERTICES, jnp.bfloat16)
    with MeshWriter(tmp_path / "bf16") as writer:
        writer.point_cloud("p", bfloat16, step=0)
    ((_, [sample]),) = [steps[0] for _, steps in read_logdir(tmp_path / "bf16").values()]
    stored = np.frombuffer(sample.arrays["vertices"].data, np.float32).reshape(-1, 3)
    np.testing.assert_array_equal(stored, np.asarray(bfloat16, np.float32))


def check_summary_writer_target(summary_writer_class, logdir, calls, expected):
    """Writes `calls` through a `SummaryWriter` that also logs a scalar: one event file holds both."""
    target = summary_writer_class(str(logdir))
    target.add_scalar("loss", 1.0, global_step=5)
    write_with_writer(target, calls)
    target.close()
    assert len(glob.glob(str(logdir / "events.out.tfevents.*"))) == 1
    values = summary_values(logdir)
    assert [step for step, _ in values.pop("loss")] == [5]
    assert {tag: value.tensor.SerializeToString() for tag, [(_, value)] in values.items()} == expected
    assert sorted(tag for _, tag in read_logdir(logdir)) == sorted(calls)


def test_torch_tensors_through_torch_summary_writer(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter

    expected = samples_written(tmp_path / "numpy", everything_as(lambda a: a))
    tensors = everything_as(lambda a: torch.tensor(a, requires_grad=a.dtype.kind == "f"))
    check_summary_writer_target(SummaryWriter, tmp_path / "torch", tensors, expected)


def test_tensorboardx_summary_writer_holds_the_summaries_in_its_own_event_file(tmp_path):
    from tensorboardX import SummaryWriter

    expected = samples_written(tmp_path / "numpy", CASES)
    check_summary_writer_target(SummaryWriter, tmp_path / "x", CASES, expected)


def test_tensorboard_shows_the_tab_for_a_tensorboardx_logdir_written_through_the_writer(tmp_path):
    from tensorboardX import SummaryWriter

    target = SummaryWriter(str(tmp_path / "run"))
    target.add_scalar("loss", 1.0, global_step=0)
    writer = MeshWriter(target)
    writer.mesh("mesh", VERTICES, FACES, step=3, quantize="uint16")
    target.close()
    # Entering waits until TensorBoard lists the mesh3d plugin as active.
    with tensorboard_process.tensorboard(tmp_path) as server:
        with urllib.request.urlopen(f"{server.url}/data/plugin/mesh3d/tags") as response:
            listing = json.load(response)["runs"]["run"]["mesh"]
        assert (listing["kind"], listing["vertex_count"], listing["face_count"]) == ("mesh", N, F)
        with urllib.request.urlopen(f"{server.url}/data/plugin/mesh3d/mesh?run=run&tag=mesh&step=3") as response:
            _, buffers = wire.decode(response.read())
    np.testing.assert_array_equal(served_array(buffers, "faces"), FACES)
    assert served_array(buffers, "vertices").dtype == np.uint16 and served_array(buffers, "vertices").shape == (N, 3)


def test_cameras_of_both_writers_are_listed_as_cameras(both_ways):
    tags = make_client(both_ways).get("/data/plugin/mesh3d/tags").get_json()["runs"]
    for run in ("tf", "writer"):
        assert tags[run]["rig"]["camera"] is True and tags[run]["rig"]["kind"] == "lines"
        assert {tags[run][tag]["camera"] for tag in CASES if tag != "rig"} == {False}

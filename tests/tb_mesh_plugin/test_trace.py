"""tb_mesh_plugin.trace.record: traced graphics_ops calls written to real event files, read back by TensorBoard."""

import importlib
import inspect
import pkgutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

import graphics_ops
from graphics_ops.camera import Camera, camera
from graphics_ops.mesh import measures, normals
from graphics_ops.rendering import interpolate, rasterize
from graphics_ops.transformation import rotation_matrix_3d
from graphics_ops.util import trace_hook
from tb_mesh_plugin import trace
from tests.tb_mesh_plugin.logdir_reading import read_logdir

SIZE = 16
# A tetrahedron in front of the camera.
VERTICES = np.array([[-0.6, -0.5, 0.0], [0.6, -0.5, 0.0], [0.0, 0.6, 0.0], [0.0, 0.0, 0.5]], np.float32)
FACES = np.array([[0, 1, 2], [0, 3, 1], [1, 3, 2], [2, 3, 0]], np.int32)
COLORS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0]], np.float32)
CAMERA = Camera.from_look_at([0.0, 0.0, 3.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [20.0, 20.0], [7.5, 7.5], SIZE, SIZE)


def pipeline(vertices, angle, colors, watched=None):
    """rotate -> face areas (a mesh op) and to_clip -> rasterize -> interpolate; returns the loss and the
    op outputs. `watched` (a tape) watches the rotate output and the areas' own copy of it."""
    matrix = rotation_matrix_3d.from_euler(tf.stack([0.0, angle, 0.0]))
    rotated = rotation_matrix_3d.rotate(vertices, matrix)
    if watched is not None:
        watched.watch(rotated)
    area_input = tf.identity(rotated)
    if watched is not None:
        watched.watch(area_input)
    areas = measures.face_areas(area_input, FACES)
    rasterization = rasterize(CAMERA.to_clip(rotated, 1.0, 10.0)[None], FACES, (SIZE, SIZE))
    image = interpolate(colors, rasterization, FACES)
    camera.frustum_corners(CAMERA, 0.5, 1.0)  # a camera argument: drawn as frustums
    loss = tf.reduce_mean(tf.square(image - 0.5)) + 0.1 * tf.reduce_sum(areas)
    return loss, {"rotated": rotated, "area_input": area_input, "image": image}


def traced_step(step, angle, colors=COLORS, every=1):
    with trace.record(step=step, every=every):
        with tf.GradientTape() as tape:
            tape.watch(angle)
            loss, _ = pipeline(tf.constant(VERTICES), angle, tf.constant(colors))
        return tape.gradient(loss, angle)


def scalars_and_texts(logdir):
    accumulator = event_accumulator.EventAccumulator(str(logdir), size_guidance={event_accumulator.TENSORS: 0})
    accumulator.Reload()
    return {
        tag: {event.step: tf.make_ndarray(event.tensor_proto) for event in accumulator.Tensors(tag)}
        for tag in accumulator.Tags()["tensors"]
    }, accumulator


def array(sample, name):
    stored = sample.arrays[name]
    return np.frombuffer(stored.data, stored.dtype).reshape(stored.shape)


def write(logdir, steps):
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        steps()
    writer.close()


@pytest.fixture(scope="module")
def traced_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("traced")
    write(logdir, lambda: traced_step(3, tf.constant(0.3)))
    return logdir


def test_a_traced_step_writes_each_op_by_what_it_is(traced_logdir):
    tensors, accumulator = scalars_and_texts(traced_logdir)
    plugins = {tag: accumulator.SummaryMetadata(tag).plugin_data.plugin_name for tag in tensors}
    assert plugins["trace/rotation_matrix_3d_rotate"] == "mesh3d"  # [V, 3] points
    assert plugins["trace/mesh_face_areas/vertices"] == "mesh3d"  # vertices with faces: a mesh
    assert plugins["trace/camera_frustum_corners/camera"] == "mesh3d"  # a Camera: frustum lines
    for tag in ("triangle_id", "barycentrics", "depth"):
        assert plugins[f"trace/rasterize/{tag}"] == "images"
        assert list(tensors[f"trace/rasterize/{tag}"]) == [3]
    assert plugins["trace/interpolate"] == plugins["trace/interpolate/grad"] == "images"
    width, height = tensors["trace/rasterize/depth"][3][:2]
    assert (int(width), int(height)) == (SIZE, SIZE)
    for statistic in ("min", "max", "mean", "nonfinite"):
        assert plugins[f"trace/camera_to_clip/{statistic}"] == "scalars"  # [1, V, 4]: statistics only
    assert tensors["trace/rasterize/triangle_id/min"][3] == -1.0
    assert tensors["trace/rasterize/triangle_id/max"][3] == len(FACES) - 1
    assert tensors["trace/interpolate/nonfinite"][3] == 0
    assert "trace/alerts" not in tensors  # no NaN, no alert

    meshes = read_logdir(traced_logdir)
    (_, [(step, [mesh])]) = meshes[(".", "trace/mesh_face_areas/vertices")]
    assert step == 3 and mesh.kind == "mesh"
    np.testing.assert_array_equal(array(mesh, "faces"), FACES)
    (_, [(_, [frustums])]) = meshes[(".", "trace/camera_frustum_corners/camera")]
    assert frustums.kind == "lines" and array(frustums, "vertices").shape == (9, 3)


def test_vertices_with_integer_indices_are_a_mesh_too(tmp_path):
    def step():
        with trace.record(step=0):
            with tf.GradientTape() as tape:
                vertices = tf.constant(VERTICES)
                tape.watch(vertices)
                loss = tf.reduce_sum(normals.vertex_normals(vertices, FACES)[:, 2])
            tape.gradient(loss, vertices)

    write(tmp_path, step)
    (_, [(_, [mesh])]) = read_logdir(tmp_path)[(".", "trace/normals_vertex_normals/vertices")]
    assert mesh.kind == "mesh" and "attribute/grad" in mesh.arrays
    np.testing.assert_array_equal(array(mesh, "faces"), FACES)


def test_the_recorded_gradients_are_those_of_a_tape(traced_logdir):
    with tf.GradientTape(persistent=True) as tape:
        loss, outputs = pipeline(tf.constant(VERTICES), tf.constant(0.3), tf.constant(COLORS), watched=tape)
        tape.watch(outputs["image"])
    expected = {name: tape.gradient(loss, outputs[name]).numpy() for name in outputs}
    meshes = read_logdir(traced_logdir)
    for tag, name in (("trace/rotation_matrix_3d_rotate", "rotated"), ("trace/mesh_face_areas/vertices", "area_input")):
        (_, [(_, [sample])]) = meshes[(".", tag)]
        np.testing.assert_allclose(array(sample, "vertices"), outputs[name].numpy(), atol=1e-6)
        np.testing.assert_allclose(array(sample, "attribute/grad"), expected[name], atol=1e-6)
    tensors, _ = scalars_and_texts(traced_logdir)
    for statistic, reduce in (("min", np.min), ("max", np.max), ("mean", np.mean)):
        assert tensors[f"trace/interpolate/grad/{statistic}"][3] == pytest.approx(reduce(expected["image"]), abs=1e-7)
    assert np.abs(expected["rotated"]).max() > 0  # the gradients checked are not all zero


def test_a_nan_is_reported_as_the_op_that_made_it(tmp_path):
    colors = COLORS.copy()
    colors[2, 1] = np.nan  # interpolate's input: rotate, to_clip and rasterize before it stay finite
    write(tmp_path, lambda: traced_step(5, tf.constant(0.3), colors))
    tensors, accumulator = scalars_and_texts(tmp_path)
    assert accumulator.SummaryMetadata("trace/alerts").plugin_data.plugin_name == "text"
    alert = {field.decode(): value.decode() for field, value in tensors["trace/alerts"][5]}
    assert alert["op"] == "graphics_ops.rendering.interpolation.interpolate"
    assert alert["tag"] == "trace/interpolate"
    assert alert["step"] == "5" and alert["found in"] == "output"
    assert "attributes: " in alert["inputs"] and "NaN/Inf 1" in alert["inputs"]
    assert tensors["trace/interpolate/nonfinite"][5] > 0


def test_nothing_is_recorded_outside_the_context_nor_in_skipped_steps(tmp_path):
    def steps():
        pipeline(tf.constant(VERTICES), tf.constant(0.3), tf.constant(COLORS))  # outside: nothing
        for step in range(5):
            traced_step(step, tf.constant(0.3), every=2)
        assert trace_hook.installed() is None

    write(tmp_path, steps)
    tensors, _ = scalars_and_texts(tmp_path)
    assert tensors and all(sorted(steps) == [0, 2, 4] for steps in tensors.values())


def test_one_trace_of_a_tf_function_serves_every_step(tmp_path):
    angle = tf.Variable(0.3)
    step_function = tf.function(lambda step: traced_step(step, angle.read_value(), every=3))

    def steps():
        for step in range(7):
            step_function(tf.constant(step, tf.int64))

    write(tmp_path, steps)
    assert step_function.experimental_get_tracing_count() == 1
    tensors, _ = scalars_and_texts(tmp_path)
    assert sorted(tensors["trace/interpolate/grad/max"]) == [0, 3, 6]
    assert sorted(tensors["trace/rasterize/triangle_id"]) == [0, 3, 6]
    (_, steps) = read_logdir(tmp_path)[(".", "trace/mesh_face_areas/vertices")]  # meshes too, tags unchanged
    assert [step for step, _ in steps] == [0, 3, 6]


def test_under_a_mirrored_strategy_a_traced_step_is_written_once(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "tests.tb_mesh_plugin.trace_replicas", str(tmp_path)], capture_output=True, text=True
    )
    assert process.returncode == 0, process.stderr[-3000:]
    accumulator = event_accumulator.EventAccumulator(str(tmp_path), size_guidance={event_accumulator.TENSORS: 0})
    accumulator.Reload()
    assert [event.step for event in accumulator.Tensors("trace/rotation_matrix_3d_rotate/max")] == [0, 2]


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"step": 1, "every": 0}, ValueError, "every must be >= 1"),
        ({"step": 1, "every": 2.0}, TypeError, "every must be a Python int"),
        ({"step": 1, "every": True}, TypeError, "every must be a Python int"),
        ({"step": 1.5}, TypeError, "step must be an integer"),
        ({"step": tf.constant(1.0)}, TypeError, "step must be an integer"),
        ({"step": "3"}, TypeError, "step must be an integer"),
        ({"step": 1, "max_vertices": 0}, ValueError, "max_vertices must be >= 1"),
        ({"step": 1, "max_samples": 1.0}, TypeError, "max_samples must be a Python int"),
        ({"step": 1, "camera_far": 0.0}, ValueError, "camera_far must be a Python number > 0"),
    ],
)
def test_bad_arguments_are_named(arguments, error, message):
    with pytest.raises(error, match=message):
        trace.record(**arguments)


@pytest.mark.parametrize("outer_step", [0, 1, np.int64(3)])  # recorded, skipped (every=2), a NumPy integer
def test_tracing_inside_tracing_is_refused(tmp_path, outer_step):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(), trace.record(step=outer_step, every=2):
        with pytest.raises(ValueError, match="cannot be nested"):
            with trace.record(step=0):
                pass
    assert trace_hook.installed() is None
    with trace.record(step=0):  # closed again
        pass


def test_ops_in_a_function_traced_inside_an_eager_record_are_not_recorded_and_say_so(tmp_path, caplog):
    rotate = tf.function(lambda: rotation_matrix_3d.rotate(tf.constant(VERTICES), tf.eye(3)))
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(), trace.record(step=0):
        rotate()
    writer.close()
    assert "enter trace.record inside that function" in caplog.text
    tensors, _ = scalars_and_texts(tmp_path)
    assert not tensors


@pytest.mark.parametrize("function", [tf.function, lambda f: f])
def test_empty_and_large_point_sets_are_skipped_and_strided(tmp_path, function):
    points = tf.random.stateless_normal([1000, 3], seed=[0, 1])

    @function
    def step(count):
        with trace.record(step=0, max_vertices=300):
            rotation_matrix_3d.rotate(points[:count], tf.eye(3), name="some")
            rotation_matrix_3d.rotate(points, tf.eye(3), name="all")

    write(tmp_path, lambda: step(tf.constant(0)))
    clouds = read_logdir(tmp_path)
    assert (".", "trace/some") not in clouds
    (_, [(_, [sample])]) = clouds[(".", "trace/all")]
    np.testing.assert_array_equal(array(sample, "vertices"), points.numpy()[::4])  # ceil(1000 / 300) = 4


def test_without_a_default_writer_nothing_is_traced():
    with trace.record(step=0):
        assert trace_hook.installed() is None
        rotation_matrix_3d.rotate(tf.constant(VERTICES), tf.eye(3))


def test_every_public_op_carries_the_hook():
    """Every public function (and public method of a public class) taking `name=` is decorated."""
    checked, missing = 0, []
    for info in pkgutil.walk_packages(graphics_ops.__path__, "graphics_ops."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or info.name.startswith("graphics_ops.util"):
            continue
        module = importlib.import_module(info.name)
        candidates = [(name, value) for name, value in vars(module).items() if not name.startswith("_")]
        for class_name, cls in list(candidates):
            if inspect.isclass(cls) and cls.__module__ == module.__name__:
                candidates += [
                    (f"{class_name}.{name}", value) for name, value in vars(cls).items() if not name.startswith("_")
                ]
        for name, value in candidates:
            function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
            if not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            if "name" in inspect.signature(function).parameters:
                checked += 1
                if not getattr(function, "graphics_op", False):
                    missing.append(f"{module.__name__}.{name}")
    assert not missing
    assert checked > 200

"""Writing what `trace.record` saw in one step: each traced value as what it is, statistics, and the alert.

A traced value is written by what it is (`write_call`): a `Camera` as frustums, `[N, 3]` or `[B, N, 3]`
floats as a point cloud, `[B, H, W]` or `[B, H, W, C]` (C <= 4) as images in false colour, and the vertex
input of an op that takes `faces` as a mesh. Gradients go with them: as the `grad` attribute of meshes and
point clouds, as `<tag>/grad` images. Every tensor also gets statistics `<tag>/min`, `max`, `mean` (of its
finite entries) and `nonfinite` (the count of NaN and Inf) as scalars.
"""

import functools
import typing

import tensorflow as tf

from graphics_ops.camera import camera as camera_lib
from tb_mesh_plugin import summary
from tb_mesh_plugin.alerts import ALERTS_TAG

# The smallest height and width (pixels) of a tensor written as images, so that `[B, V, 4]` clip
# coordinates or `[B, 3, 3]` matrices are not.
_MIN_IMAGE_SIDE = 8
# Points per sample below which `[..., N, 3]` is not a point set (a rotation matrix is `[3, 3]`).
_MIN_POINTS = 4
# A few stops of viridis, for single-channel images.
_VIRIDIS = [
    [0.267, 0.005, 0.329],
    [0.231, 0.322, 0.546],
    [0.128, 0.567, 0.551],
    [0.369, 0.789, 0.383],
    [0.993, 0.906, 0.144],
]


class Budget(typing.NamedTuple):
    """How much of a large tensor is written: vertices or points per sample, samples of a batch, frustum depth."""

    max_vertices: int
    max_samples: int
    camera_far: float


class Traced(typing.NamedTuple):
    """A traced value: its tag, the value (a tensor or a `Camera`), and the faces if it is a mesh's vertices."""

    tag: str
    value: typing.Any
    faces: typing.Any = None


class Call(typing.NamedTuple):
    """One op call: its qualified name, tag, tensor inputs `[(argument, tensor)]`, traced values, and
    the gradients of the loss w.r.t. them `{tag: tensor}` (filled in when the tape computes them)."""

    op: str
    tag: str
    inputs: list
    values: list
    gradients: dict


def is_float(value):
    return tf.is_tensor(value) and value.dtype.is_floating


def statistics(tensor):
    """min, max and mean of the finite entries of a tensor (float32 scalars), and its count of NaN and Inf (int64)."""
    values = tf.reshape(tf.cast(tensor, tf.float32), [-1])
    finite = tf.math.is_finite(values)
    finite_count = tf.reduce_sum(tf.cast(finite, tf.int64))
    low = tf.reduce_min(tf.where(finite, values, float("inf")))
    high = tf.reduce_max(tf.where(finite, values, float("-inf")))
    mean = tf.reduce_sum(tf.where(finite, values, 0.0)) / tf.cast(finite_count, tf.float32)
    return low, high, mean, tf.size(values, tf.int64) - finite_count


def nonfinite(tensor):
    """Whether a tensor holds a NaN or an Inf (a bool scalar); False for integers."""
    if not is_float(tensor):
        return tf.constant(False)
    return tf.logical_not(tf.reduce_all(tf.math.is_finite(tensor)))


def write_call(call, step, budget):
    """Writes the statistics and the summaries of every traced value of `call` (and of its gradients)."""
    for traced in call.values:
        gradient = call.gradients.get(traced.tag)
        if tf.is_tensor(traced.value):
            _write_statistics(traced.tag, traced.value, step)
        if gradient is not None:
            _write_statistics(f"{traced.tag}/grad", gradient, step)
        _write_value(traced, gradient, step, budget)


def _write_statistics(tag, tensor, step):
    for name, value in zip(("min", "max", "mean", "nonfinite"), statistics(tensor)):
        tf.summary.scalar(f"{tag}/{name}", value, step=step)


def _write_value(traced, gradient, step, budget):
    value, shape = traced.value, getattr(traced.value, "shape", None)
    if isinstance(value, camera_lib.Camera):
        if value.batch_shape.is_fully_defined():  # as summary.camera needs
            summary.camera(traced.tag, value, near=0.0, far=budget.camera_far, step=step)
    elif traced.faces is not None:
        _write_points(traced, gradient, step, budget)
    elif is_float(value) and shape.rank in (2, 3) and shape[-1] == 3 and (shape[-2] or _MIN_POINTS) >= _MIN_POINTS:
        _write_points(traced, gradient, step, budget)
    elif _image_shape(shape):
        images = value[: budget.max_samples]
        tf.summary.image(traced.tag, _false_colour(images), step=step, max_outputs=budget.max_samples)
        if gradient is not None:
            gradient = gradient[: budget.max_samples]
            gradient = tf.norm(gradient, axis=-1) if shape.rank == 4 else gradient
            tf.summary.image(f"{traced.tag}/grad", _false_colour(gradient), step=step, max_outputs=budget.max_samples)


def _image_shape(shape):
    if shape is None or shape.rank not in (3, 4) or (shape.rank == 4 and (shape[-1] or 5) > 4):
        return False
    return all((side or _MIN_IMAGE_SIDE) >= _MIN_IMAGE_SIDE for side in shape[1:3])


def _write_points(traced, gradient, step, budget):
    """A mesh (vertices with faces) or a point cloud, the first `max_samples` of a batch, with the gradient
    as the `grad` attribute; more than `max_vertices` vertices are written as an evenly strided point cloud,
    none (summaries refuse empty arrays) not at all."""
    batch = slice(None, budget.max_samples) if traced.value.shape.rank == 3 else slice(None)
    positions = _finite(traced.value[batch])
    attributes = {}
    if gradient is not None:
        attributes = {"grad": _finite(gradient[batch])}
        attributes["grad_norm"] = tf.norm(attributes["grad"], axis=-1)
    count = positions.shape[-2]
    if traced.faces is not None and count is not None and count <= budget.max_vertices:
        write = functools.partial(summary.mesh, traced.tag, positions, traced.faces, attributes=attributes, step=step)
    else:
        stride = tf.cast(tf.math.ceil(tf.shape(positions)[-2] / budget.max_vertices), tf.int32)
        kept = tf.range(0, tf.shape(positions)[-2], tf.maximum(stride, 1))
        axis = positions.shape.rank - 2
        attributes = {name: tf.gather(values, kept, axis=axis) for name, values in attributes.items()}
        points = tf.gather(positions, kept, axis=axis)
        write = functools.partial(summary.point_cloud, traced.tag, points, attributes=attributes, step=step)
    if count != 0:
        tf.cond(tf.size(positions) > 0, _at_root(write), lambda: tf.constant(False))


def _at_root(function):
    """`function` called in the root name scope (summary tags are absolute; a `tf.cond` branch adds `cond/`)."""

    def at_root():
        with tf.name_scope(""):
            return function()

    return at_root


def _finite(tensor):
    """The tensor as float32 with NaN and Inf replaced by 0 (summaries refuse them; the statistics count them)."""
    tensor = tf.cast(tensor, tf.float32)
    return tf.where(tf.math.is_finite(tensor), tensor, tf.zeros_like(tensor))


def _false_colour(images):
    """`[B, H, W]` or `[B, H, W, C]` values as `[B, H, W, 3 or 4]` colours in [0, 1] for `tf.summary.image`.

    Integers (triangle ids) get a colour per value (black for negative ones); one float channel (depth)
    goes through viridis over its finite range; floats already in [0, 1] (barycentrics, renders) are kept,
    others scaled to their finite range. Two channels get a zero third one.
    """
    if not images.dtype.is_floating:
        ids = tf.cast(images, tf.float32)
        hue = tf.math.floormod(ids * 0.618034, 1.0)[..., None]
        colours = 0.5 + 0.5 * tf.cos(6.283185 * (hue + tf.constant([0.0, 1 / 3, 2 / 3])))
        return tf.where(ids[..., None] < 0, tf.zeros_like(colours), colours)
    images = _finite(images)
    if images.shape.rank == 3:
        images = images[..., None]
    low, high = tf.reduce_min(images), tf.reduce_max(images)
    in_unit_range = tf.logical_and(low >= 0.0, high <= 1.0)
    scaled = tf.where(in_unit_range, images, (images - low) / tf.maximum(high - low, 1e-12))
    if images.shape[-1] == 1:
        position = scaled[..., 0] * (len(_VIRIDIS) - 1)
        lower = tf.minimum(tf.cast(tf.floor(position), tf.int32), len(_VIRIDIS) - 2)
        weight = (position - tf.cast(lower, tf.float32))[..., None]
        stops = tf.constant(_VIRIDIS)
        return (1.0 - weight) * tf.gather(stops, lower) + weight * tf.gather(stops, lower + 1)
    if images.shape[-1] == 2:
        return tf.concat([scaled, tf.zeros_like(scaled[..., :1])], axis=-1)
    return scaled


def write_alert(calls, step):
    """Writes the first call of the step whose output or gradient holds a NaN or an Inf, if any, as text.

    The order is the step's: outputs in the order the ops finished, then gradients in the order the
    backward pass computed them (the reverse), so the op where a NaN first appeared is named, not the
    ones it spread to. The text is a 2-column table (field, value): op, tag, step, found in, inputs.
    """
    if not calls:
        return
    in_output = tf.stack([tf.reduce_any([nonfinite(t.value) for t in call.values] or [False]) for call in calls])
    in_gradient = tf.stack(
        [tf.reduce_any([nonfinite(g) for g in call.gradients.values()] or [False]) for call in calls]
    )
    order = tf.range(len(calls))
    first_output = tf.reduce_min(tf.where(in_output, order, len(calls)))
    last_gradient = tf.reduce_max(tf.where(in_gradient, order, -1))
    found_in_output = tf.reduce_any(in_output)
    index = tf.where(found_in_output, first_output, last_gradient)

    def write():
        inputs = tf.stack([_describe_inputs(call.inputs) for call in calls])
        rows = [
            ("op", tf.gather([call.op for call in calls], index)),
            ("tag", tf.gather([call.tag for call in calls], index)),
            ("step", tf.strings.as_string(step)),
            ("found in", tf.where(found_in_output, "output", "gradient")),
            ("inputs", tf.gather(inputs, index)),
        ]
        table = tf.stack([tf.stack([tf.constant(field), value]) for field, value in rows])
        return tf.summary.text(ALERTS_TAG, table, step=step)

    tf.cond(tf.reduce_any(in_output | in_gradient), _at_root(write), lambda: tf.constant(False))


def _describe_inputs(inputs):
    """One line of statistics of the tensor inputs of a call (a string scalar)."""
    parts = [
        tf.strings.format(f"{argument}: min {{}}, max {{}}, mean {{}}, NaN/Inf {{}}", statistics(tensor))
        for argument, tensor in inputs
    ]
    return tf.strings.reduce_join(parts, separator="; ") if parts else tf.constant("no tensor inputs")

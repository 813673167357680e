"""Tracing graphics_ops calls: what every op computed in a step, and the gradient of the loss w.r.t. it.

    with trace.record(step=step, every=10):  # records every 10th step
        with tf.GradientTape() as tape:
            ...graphics_ops calls...
            loss = ...
        gradients = tape.gradient(loss, variables)

Every public `graphics_ops` op called inside (a function taking `name=`) is recorded under a tag named
after the ops' names, `trace/<name scope>/<op>[/<op>...]/<output>`: ops called by ops nest
(`trace/render/rasterize/depth`), a repeated call in the step gets `_1`, `_2`, ... in call order, and an
output that is a tuple or named tuple gets its field name or index (`/triangle_id`, `/0`). What is written
depends on the value (`_trace_writing`): cameras (outputs, and arguments as `<op>/<argument>`) as frustums,
`[N, 3]` or `[B, N, 3]` floats as point clouds, the `vertices` input `[V, 3]` or `[B, V, 3]` of an op that
also takes `faces` (e.g. `render`) or integer `indices` `[F, 3]` (`vertex_normals`) as a mesh
`<op>/vertices`, `[B, H, W]` and `[B, H, W, C]` tensors
(C <= 4) as images in false colour, and every tensor's min, max, mean (of finite entries) and NaN/Inf count
as scalars (`<tag>/min`, ...). The gradient of the loss w.r.t. each float output is captured by an identity
whose gradient is recorded: it becomes the `grad` (and `grad_norm`) attribute of meshes and point clouds, a
`<tag>/grad` image, and `<tag>/grad/min`, ... statistics. The first call of the step whose output (in the
order the ops finished) or else gradient (in the order the backward pass ran) holds a NaN or Inf is written
as an alert: a text summary `trace/alerts` (a table of op, tag, step, found in, input statistics).

Budget: at most `max_vertices` vertices or points per sample (meshes above it are written as strided
point clouds, point clouds strided) and the first `max_samples` samples of a batch (images, meshes,
point clouds); statistics always cover the whole tensor.

Eagerly, a step that is not recorded installs nothing: the ops cost one check of a global. Inside
`tf.function` with a tensor `step`, one trace serves every step: the writes run in a `tf.cond` on
`step % every == 0`, and the identities stay in the graph. Put `record` inside the function that calls
the ops (inside `tf.function`, not around it): ops called inside a `tf.function` traced under an eager
`record`, and inside `tf.cond` or `tf.while_loop` bodies, are not recorded. Under a `tf.distribute`
strategy only replica 0 records and writes (`record` is a no-op in the other replicas). Not supported
inside `jit_compile=True` (summaries cannot be compiled): `record` raises there.

Without a default summary writer nothing is written, as with `tf.summary` (eagerly, no op is traced either).
"""

import inspect
import itertools
import logging
import numbers

import tensorflow as tf

from graphics_ops.camera import camera as camera_lib
from graphics_ops.util import trace_hook, xla
from tb_mesh_plugin import _trace_writing

logger = logging.getLogger(__name__)
# Whether a `record` is open (recording or not), so that nesting is refused whatever the steps.
_open = False


def record(step, every=1, *, max_vertices=65536, max_samples=4, camera_far=1.0):
    """Records the graphics_ops calls of the steps that are multiples of `every` (module docstring).

    Args:
      step: the step, a Python integer, or an integer tensor or variable (e.g. a `tf.function` argument).
      every: a Python int >= 1: record steps that are multiples of it.
      max_vertices: a Python int >= 1: the most vertices or points written per sample and tag.
      max_samples: a Python int >= 1: the most samples of a batch written per tag.
      camera_far: a Python float > 0: the depth to which cameras' frustums are drawn, in world units.

    Returns:
      A context manager.

    Raises:
      TypeError: if `step` is not an integer (or integer tensor), or `every`, `max_vertices` or
        `max_samples` is not a Python int.
      ValueError: if `every`, `max_vertices`, `max_samples` or `camera_far` is out of range, on
        entering inside another `record` or inside `jit_compile=True`.
    """
    if isinstance(step, bool) or not (
        isinstance(step, numbers.Integral) or (tf.is_tensor(step) and step.dtype.is_integer)
    ):
        raise TypeError(f"step must be an integer or an integer tensor, got {step!r}")
    for argument, value in (("every", every), ("max_vertices", max_vertices), ("max_samples", max_samples)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{argument} must be a Python int, got {value!r}")
        if value < 1:
            raise ValueError(f"{argument} must be >= 1, got {value}")
    if isinstance(camera_far, bool) or not isinstance(camera_far, (int, float)) or not camera_far > 0:
        raise ValueError(f"camera_far must be a Python number > 0, got {camera_far!r}")
    return _Recording(step, every, _trace_writing.Budget(max_vertices, max_samples, float(camera_far)))


class _Recording:
    """The context manager of `record`, and the tracer that `graphics_ops.util.trace_hook` calls."""

    def __init__(self, step, every, budget):
        self._step, self._every, self._budget = step, every, budget
        self._active = self._opened = self._warned = False

    @tf.autograph.experimental.do_not_convert
    def __enter__(self):
        global _open
        if _replica_id() not in (None, 0):
            return self
        if _open:
            raise ValueError("trace.record cannot be nested inside another trace.record")
        if xla.inside_xla():
            raise ValueError("trace.record cannot be used inside tf.function(jit_compile=True)")
        _open = self._opened = True
        if tf.executing_eagerly() and not tf.summary.should_record_summaries():
            return self
        if isinstance(self._step, numbers.Integral) or tf.executing_eagerly():
            self._decision = int(self._step) % self._every == 0  # known now: record or not at all
            if not self._decision:
                return self
        else:
            self._decision = tf.equal(tf.math.floormod(self._step, tf.cast(self._every, self._step.dtype)), 0)
        self._graph = None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()
        self._calls, self._parents, self._counts = [], [], {}
        self._active = True
        trace_hook.install(self)
        return self

    @tf.autograph.experimental.do_not_convert
    def __exit__(self, *exception):
        global _open
        if self._opened:
            _open = self._opened = False
        if not self._active:
            return
        trace_hook.install(None)
        self._active = False
        if exception[0] is None:
            step = tf.cast(self._step, tf.int64)
            if self._decision is True:
                self._write(step)
            else:
                tf.cond(self._decision, lambda: self._write(step), lambda: tf.constant(False))

    def _write(self, step):
        with tf.name_scope(""):  # the tags are absolute
            for call in self._calls:
                _trace_writing.write_call(call, step, self._budget)
            _trace_writing.write_alert(self._calls, step)
        return tf.constant(True)

    def call(self, function, args, kwargs):
        """Calls the op `function`, recording its outputs when called in this step's graph by replica 0."""
        here = None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()
        if here is not self._graph and not self._parents and not self._warned:
            self._warned = True
            logger.warning(
                "trace.record: %s was called in another graph than the one trace.record was entered in (a "
                "tf.function traced inside an eager record, or a tf.cond or tf.while_loop body): such calls are not "
                "recorded; enter trace.record inside that function",
                function.__qualname__,
            )
        if here is not self._graph or _replica_id() not in (None, 0):
            return function(*args, **kwargs)
        arguments = inspect.signature(function).bind(*args, **kwargs)
        arguments.apply_defaults()
        tag = self._tag(arguments.arguments.get("name") or function.__name__)
        call = _trace_writing.Call(f"{function.__module__}.{function.__qualname__}", tag, [], [], {})
        for argument, value in arguments.arguments.items():
            call.inputs.extend((argument, tensor) for tensor in _tensors(value))
            if isinstance(value, camera_lib.Camera) and argument != "self":  # e.g. render's camera
                call.values.append(_trace_writing.Traced(f"{tag}/{argument}", value))
        faces = _mesh_faces(arguments.arguments)
        if faces is not None:
            traced = _trace_writing.Traced(f"{tag}/vertices", arguments.arguments["vertices"], faces)
            arguments.arguments["vertices"] = self._capture(call, traced)
        self._parents.append(tag)
        try:
            result = function(*arguments.args, **arguments.kwargs)
        finally:
            self._parents.pop()
        result = _map_leaves(result, tag, lambda path, value: self._capture(call, _trace_writing.Traced(path, value)))
        self._calls.append(call)
        return result

    def _tag(self, name):
        """The tag of a call of an op named `name`: under its parent op's, `_1`, `_2`, ... for repeats."""
        parent = self._parents[-1] if self._parents else "/".join(filter(None, ["trace", tf.get_current_name_scope()]))
        base = f"{parent}/{name}"
        count = self._counts[base] = self._counts.get(base, -1) + 1
        return f"{base}_{count}" if count else base

    def _capture(self, call, traced):
        """Records `traced`; returns its value, through an identity whose gradient is recorded if it is float."""
        call.values.append(traced)
        if not _trace_writing.is_float(traced.value):
            return traced.value

        @tf.custom_gradient
        def identity(value):
            def gradient(upstream):
                call.gradients[traced.tag] = tf.convert_to_tensor(upstream)
                return upstream

            return tf.identity(value), gradient

        return identity(traced.value)


def _replica_id():
    """The static replica id within its sync group, or None outside a strategy's replica or if unknown."""
    context = tf.distribute.get_replica_context()
    return None if context is None else tf.get_static_value(context.replica_id_in_sync_group)


def _tensors(value):
    return [leaf for leaf in tf.nest.flatten(value) if tf.is_tensor(leaf) and leaf.dtype != tf.string]


def _mesh_faces(arguments):
    """The faces `[F, 3]` if the op's arguments are a mesh, else None: `vertices` `[V, 3]` or `[B, V, 3]`
    floats and `faces`, or integer `indices` `[F, 3]` (TensorFlow Graphics' name in `mesh.normals`)."""
    vertices = arguments.get("vertices")
    if not (_trace_writing.is_float(vertices) and vertices.shape.rank in (2, 3) and vertices.shape[-1] == 3):
        return None
    faces, indices = arguments.get("faces"), arguments.get("indices")
    if _shape(faces).rank == 2:
        return faces
    dtype = getattr(indices, "dtype", None)
    if _shape(indices).rank == 2 and _shape(indices)[-1] == 3 and dtype is not None and tf.as_dtype(dtype).is_integer:
        return indices
    return None


def _shape(value):
    return tf.TensorShape(getattr(value, "shape", None))


def _map_leaves(value, path, function):
    """`value` with each tensor or `Camera` leaf replaced by `function(path, leaf)`; tuples, named tuples,
    lists and dicts add their field, index or key to the path."""
    if tf.is_tensor(value) or isinstance(value, camera_lib.Camera):
        return function(path, value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_map_leaves(v, f"{path}/{k}", function) for k, v in zip(value._fields, value)))
    if isinstance(value, (tuple, list)):
        return type(value)(_map_leaves(v, f"{path}/{i}", function) for i, v in zip(itertools.count(), value))
    if isinstance(value, dict):
        return {k: _map_leaves(v, f"{path}/{k}", function) for k, v in value.items()}
    return value

"""`MeshWriter`: the summaries of `tb_mesh_plugin.summary` from PyTorch, JAX or NumPy, without TensorFlow.

    with MeshWriter("runs/exp") as writer:  # or MeshWriter(torch.utils.tensorboard.SummaryWriter(...))
        writer.mesh("prediction", vertices, faces, colors, step=step)  # [N, 3], [F, 3], [N, C]

Its methods take the arguments of `summary.mesh`, `point_cloud`, `lines` and `camera` (see
`summary.py` for shapes and dtypes), with a required integer `step`, and check them with the same
code and messages (`_arguments.py`): bad input raises `ValueError` naming the argument and writes
nothing. Arrays may be NumPy arrays, or anything with `.numpy()` or `__array__`: torch tensors (also
ones that require grad), JAX arrays, TensorFlow tensors. Python lists become arrays of the dtypes
TensorFlow gives them (float32, int32). The stored samples are byte for byte those the TensorFlow
summaries store (`_samples.py`).

Importing this module does not import TensorFlow. Writing to a logdir path uses TensorBoard's own
event writer, which uses TensorFlow for file access when it is installed and its own stub otherwise.
`camera` takes a `graphics_ops.camera.Camera`, which is made of TensorFlow tensors.
"""

import os
import sys
import time

import numpy as np
from tensorboard.compat.proto import event_pb2, summary_pb2

from tb_mesh_plugin import _arguments, _samples

# Python values (not arrays) are converted as `tf.convert_to_tensor` converts them.
_PYTHON_DTYPES = {np.dtype("float64"): np.float32, np.dtype("int64"): np.int32}


class _NumPyOps:
    """The array functions of `_arguments` and `_samples` on NumPy arrays (see `_arguments`)."""

    all = staticmethod(np.all)
    isfinite = staticmethod(np.isfinite)
    min = staticmethod(np.min)
    max = staticmethod(np.max)
    sum = staticmethod(np.sum)
    sqrt = staticmethod(np.sqrt)
    round = staticmethod(np.round)
    clip = staticmethod(np.clip)
    where = staticmethod(np.where)
    ones_like = staticmethod(np.ones_like)
    concat = staticmethod(np.concatenate)
    stack = staticmethod(np.stack)
    shape = staticmethod(np.shape)

    @staticmethod
    def convert(value):
        """A NumPy array of `value`: a torch tensor is detached and moved to the CPU first."""
        for method in ("detach", "cpu", "numpy"):
            if not isinstance(value, np.ndarray) and callable(getattr(value, method, None)):
                value = getattr(value, method)()
        if isinstance(value, (list, tuple, int, float, bool)):
            array = np.asarray(value)
            dtype = _PYTHON_DTYPES.get(array.dtype)
            if dtype is not None and (dtype is np.float32 or np.abs(array).max(initial=0) < 2**31):
                return array.astype(dtype)
            return array
        return np.asarray(value)

    @staticmethod
    def static(array):
        dtype = array.dtype
        kinds = {"f": "float", "i": "int", "u": "int", "b": "bool", "c": "complex"}
        # bfloat16 (JAX's, from ml_dtypes) is a NumPy "void" kind.
        kind = "float" if dtype.name == "bfloat16" else kinds.get(dtype.kind, "other")
        return array.shape, "string" if dtype.kind in "SUO" else dtype.name, kind

    @staticmethod
    def eager():
        return True

    @staticmethod
    def cast(array, dtype):
        return np.asarray(array).astype(dtype)


NUMPY = _NumPyOps()


class MeshWriter:
    """Writes mesh, point cloud, line and camera summaries of the `mesh3d` plugin, without TensorFlow.

    Args:
      target: a logdir path (a new event file is written there), or a `torch.utils.tensorboard`
        or tensorboardX `SummaryWriter`, whose event file then holds these summaries beside its own.
      max_queue, flush_secs: for a logdir path: how many summaries are buffered, and how often they
        are flushed, as in `SummaryWriter`.
    """

    def __init__(self, target, *, max_queue=10, flush_secs=120):
        self._summary_writer = None
        if hasattr(target, "_get_file_writer"):
            self._summary_writer = target
        elif isinstance(target, (str, bytes)) or hasattr(target, "__fspath__"):
            from tensorboard.summary.writer.event_file_writer import EventFileWriter

            logdir = os.fsdecode(target)
            self._event_file_writer = EventFileWriter(logdir, max_queue_size=max_queue, flush_secs=flush_secs)
        else:
            raise TypeError(
                "target must be a logdir path, or a torch.utils.tensorboard or tensorboardX SummaryWriter, "
                f"got {type(target).__name__}"
            )

    def mesh(
        self,
        name,
        vertices,
        faces=None,
        colors=None,
        *,
        attributes=None,
        face_attributes=None,
        face_colors=None,
        quantize=None,
        step,
        description=None,
    ):
        """Writes a triangle mesh, as `summary.mesh`: vertices `[N, 3]` or `[B, N, 3]`, faces `[F, 3]`."""
        arrays = _arguments.mesh_arrays(faces, face_colors, attributes, face_attributes)
        self._write("mesh", name, step, description, quantize, "vertices", vertices, colors=colors, **arrays)

    def point_cloud(self, name, points, colors=None, *, attributes=None, quantize=None, step, description=None):
        """Writes a point cloud, as `summary.point_cloud`: points `[N, 3]` or `[B, N, 3]`."""
        attributes = _arguments.attribute_args(attributes, None)
        self._write(
            "point_cloud", name, step, description, quantize, "points", points, colors=colors, attributes=attributes
        )

    def lines(self, name, vertices, segments, colors=None, *, attributes=None, quantize=None, step, description=None):
        """Writes line segments, as `summary.lines`: vertices `[N, 3]` or `[B, N, 3]`, segments `[E, 2]`."""
        attributes = _arguments.attribute_args(attributes, None)
        self._write(
            "lines",
            name,
            step,
            description,
            quantize,
            "vertices",
            vertices,
            indices=segments,
            colors=colors,
            attributes=attributes,
        )

    def camera(self, name, camera, *, near=0.0, far=1.0, step, description=None):
        """Writes the view frustums of a `graphics_ops.camera.Camera`, as `summary.camera` (needs TensorFlow)."""
        _arguments.check_camera(camera, near, far)
        from tb_mesh_plugin import summary  # A Camera holds tensors: TensorFlow is there.

        vertices, segments = summary.frustum_lines(camera, near, far)
        self._write("lines", name, step, description, None, "vertices", vertices, camera=True, indices=segments)

    def flush(self):
        """Writes buffered summaries to the event file."""
        self._file_writer().flush()

    def close(self):
        """Flushes and closes the event file (of a logdir path; a `SummaryWriter` target is left to its owner)."""
        if self._summary_writer is None:
            self._event_file_writer.close()
        else:
            self._summary_writer.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _file_writer(self):
        if self._summary_writer is not None:
            return self._summary_writer._get_file_writer()
        return self._event_file_writer

    def _write(self, kind, name, step, description, quantize, positions_arg, positions, camera=False, **arrays):
        """Checks, encodes and writes one summary; `arrays` are the keyword arguments of `_arguments.check_inputs`.

        `camera` marks lines that hold camera frustums (`metadata.create_summary_metadata`).
        """
        _arguments.check_options(name, description, step, quantize, _arguments.check_integer_step)
        inputs = _arguments.check_inputs(NUMPY, kind, positions_arg, positions, **arrays)
        summary_metadata, version = inputs.summary_metadata(quantize, description, camera)
        _arguments.check_tag(name)
        checks = _arguments.ValueChecks(NUMPY)
        with np.errstate(all="ignore"):  # Overflows and NaN are checked, and reported by name.
            _arguments.require_valid_values(checks, inputs)
            stored = _samples.stored_arrays(checks, inputs, quantize)
        blobs = _samples.encode_samples(kind, stored, inputs.describe_attributes(), version)
        value = summary_pb2.Summary.Value(tag=name, metadata=summary_metadata, tensor=_samples.blob_sequence(blobs))
        event = event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary_pb2.Summary(value=[value]))
        if self._summary_writer is None:
            self._event_file_writer.add_event(event)
        else:  # the event file of the user's other summaries
            file_writer = self._summary_writer._get_file_writer()
            # tensorboardX writes its own copy of the Event message (torch uses TensorBoard's), beside
            # its FileWriter: the summary is passed in that class (fields it does not know are kept).
            event_class = sys.modules[type(file_writer).__module__].event_pb2.Event
            if not isinstance(event, event_class):
                event = event_class.FromString(event.SerializeToString())
            file_writer.add_event(event, int(step))

"""Summaries of TensorBoard's built-in mesh plugin, read through the data provider.

`tensorboard.plugins.mesh.summary_v2.mesh` (and `torch.utils.tensorboard`'s and tensorboardX's
`add_mesh`) write one tensor summary per component of a mesh, under plugin name "mesh": tags
`NAME_VERTEX` (`[B, N, 3]` float), `NAME_FACE` (`[B, F, 3]` int) and `NAME_COLOR` (`[B, N, 3]` uint8),
each with a `MeshPluginData` naming the mesh (`name`), the component and a JSON `json_config` of
three.js classes (camera, lights, material). This module groups them back into meshes and converts
one step of one sample into the arrays of our wire format: float32 and uint32 little-endian, once.

Tensor summaries come back whole: `read_tensors` returns every kept step of a tag, so reading one
step costs reading them all. The kept steps of each mesh are cached per listing (until the tag grows),
so listing the tags again reads no tensors.
"""

import dataclasses
import json
import logging
import threading

import numpy as np
from google.protobuf import message
from tensorboard.data import provider
from tensorboard.plugins.mesh import plugin_data_pb2

from tb_mesh_plugin import schema

logger = logging.getLogger(__name__)

PLUGIN_NAME = "mesh"
_TYPES = plugin_data_pb2.MeshPluginData
VERTEX, FACE, COLOR = _TYPES.VERTEX, _TYPES.FACE, _TYPES.COLOR
# Content type -> the array it becomes (sent in that array's usual dtype).
_ARRAYS = {
    _TYPES.VERTEX: schema.ARRAYS["vertices"],
    _TYPES.FACE: schema.ARRAYS["faces"],
    _TYPES.COLOR: schema.ARRAYS["colors"],
}
# How deep a `json_config` may nest: three.js configs nest 3 levels; TensorBoard's JSON encoder recurses.
MAX_CONFIG_DEPTH = 32


class CorruptMeshError(ValueError):
    """A stored built-in mesh step cannot be served."""


@dataclasses.dataclass(frozen=True)
class BuiltinMesh:
    """One mesh of the built-in plugin in one run: its component tags and what they say about it."""

    name: str  # the mesh's name, as `summary_v2.mesh` was given it (with name scopes)
    instance_tags: dict  # content type -> tag of that component's tensor summary
    description: str
    config: dict  # the parsed `json_config` ({} if absent, unreadable or too deep)
    shape: tuple  # the vertex tensor's shape, [B, N, 3]; dimensions may be -1 when unknown
    face_count: object  # F, or None without faces
    max_step: int
    max_wall_time: float
    config_error: object = None  # why `json_config` was not served, or None


def _parse(content):
    try:
        return _TYPES.FromString(content)
    except message.DecodeError:
        return None


def _depth(value):
    """How deeply a parsed JSON value nests lists and dicts (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _config(text):
    """`(config, error)`: the parsed `json_config` dict, or {} and why it cannot be served (None if absent)."""
    try:
        config = json.loads(text) if text else {}
    except RecursionError:
        return {}, f"its config_dict nests deeper than {MAX_CONFIG_DEPTH} levels"
    except ValueError:
        return {}, None
    if not isinstance(config, dict):
        return {}, None
    if _depth(config) > MAX_CONFIG_DEPTH:
        return {}, f"its config_dict nests deeper than {MAX_CONFIG_DEPTH} levels"
    return config, None


def group_meshes(listing):
    """Groups `list_tensors(plugin_name="mesh")` output into `{run: {name: BuiltinMesh}}`."""
    meshes = {}
    for run, tags in listing.items():
        parts = {}
        for tag, series in tags.items():
            data = _parse(series.plugin_content)
            if data is None or data.content_type not in _ARRAYS:
                logger.warning("mesh3d: run %r tag %r: unreadable built-in mesh metadata", run, tag)
                continue
            parts.setdefault(data.name, {})[data.content_type] = (tag, series, data)
        for name, components in parts.items():
            if _TYPES.VERTEX not in components:
                continue
            tag, series, data = components[_TYPES.VERTEX]
            face = components.get(_TYPES.FACE)
            config, config_error = _config(data.json_config)
            if config_error:
                logger.warning("mesh3d: run %r built-in mesh %r: %s", run, name, config_error)
            meshes.setdefault(run, {})[name] = BuiltinMesh(
                name=name,
                instance_tags={content_type: c[0] for content_type, c in components.items()},
                description=series.description or "",
                config=config,
                shape=tuple(data.shape),
                face_count=face[2].shape[1] if face and len(face[2].shape) == 3 else None,
                max_step=max(c[1].max_step for c in components.values()),
                max_wall_time=max(c[1].max_wall_time for c in components.values()),
                config_error=config_error,
            )
    return meshes


class BuiltinMeshReader:
    """Lists and reads built-in mesh summaries; keeps each mesh's kept steps until it grows."""

    def __init__(self, data_provider, downsample):
        self._provider = data_provider
        self._downsample = downsample
        self._steps = {}  # (run, vertex tag) -> ((max_step, max_wall_time), [(step, wall_time)])
        self._lock = threading.Lock()

    def list(self, ctx, experiment):
        """`{run: {name: BuiltinMesh}}` of every built-in mesh."""
        return group_meshes(self._provider.list_tensors(ctx, experiment_id=experiment, plugin_name=PLUGIN_NAME))

    def kept_steps(self, ctx, experiment, run, mesh):
        """The kept `(step, wall_time)` pairs of a mesh's vertices, ascending by step."""
        tag = mesh.instance_tags[_TYPES.VERTEX]
        version = (mesh.max_step, mesh.max_wall_time)
        with self._lock:
            cached = self._steps.get((run, tag))
        if cached and cached[0] == version:
            return cached[1]
        data = self._read(ctx, experiment, run, [tag]).get(tag, [])
        steps = sorted((d.step, d.wall_time) for d in data)
        with self._lock:
            self._steps[(run, tag)] = (version, steps)
        return steps

    def _read(self, ctx, experiment, run, tags):
        result = self._provider.read_tensors(
            ctx,
            experiment_id=experiment,
            plugin_name=PLUGIN_NAME,
            downsample=self._downsample,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=tags),
        )
        return result.get(run, {})

    def read_step(self, ctx, experiment, run, mesh, step, sample):
        """One sample of one step: `(wall_time, num_samples, {name: (dtype, shape, bytes)})`, or None.

        None means the step was not kept. Raises `IndexError` for a sample out of range and
        `CorruptMeshError` for tensors that do not form a mesh.
        """
        tags = mesh.instance_tags
        data = self._read(ctx, experiment, run, list(tags.values()))
        found = {}
        for content_type, tag in tags.items():
            datum = next((d for d in data.get(tag, []) if d.step == step), None)
            if datum is not None:
                found[content_type] = datum
        if _TYPES.VERTEX not in found:
            return None
        vertices = found[_TYPES.VERTEX].numpy
        if vertices.ndim != 3 or vertices.shape[-1] != 3:
            raise CorruptMeshError(f"vertices have shape {list(vertices.shape)}, not [B, N, 3]")
        num_samples = vertices.shape[0]
        if sample >= num_samples:
            raise IndexError(f"sample {sample} is out of range: step {step} holds {num_samples}")
        arrays = {}
        for content_type, datum in found.items():
            name, wire_dtype = _ARRAYS[content_type].name, _ARRAYS[content_type].wire_dtype
            values = datum.numpy
            if values.ndim != 3 or values.shape[0] != num_samples or values.shape[-1] != 3:
                raise CorruptMeshError(f"{name} have shape {list(values.shape)}, not [{num_samples}, R, 3]")
            if content_type == _TYPES.FACE and values.size and (values.min() < 0 or values.max() >= vertices.shape[1]):
                raise CorruptMeshError("faces hold indices out of range of the vertices")
            if content_type == _TYPES.COLOR and values.shape[1] != vertices.shape[1]:
                raise CorruptMeshError("colors do not have one row per vertex")
            converted = np.ascontiguousarray(values[sample], dtype=wire_dtype.numpy)
            arrays[name] = (wire_dtype.name, converted.shape, converted.data.cast("B"))
        return found[_TYPES.VERTEX].wall_time, num_samples, arrays

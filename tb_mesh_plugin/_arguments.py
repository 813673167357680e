"""Checks of the arguments of a summary, shared by `summary.py` (TensorFlow) and `writer.py` (NumPy); no TensorFlow.

Static problems (type, rank, known sizes, dtype, names) raise `ValueError` naming the argument before
anything is computed. Value problems (NaN or Inf, index ranges, and the sizes of dimensions unknown
inside `tf.function`) are checked by `ValueChecks`: eagerly it raises `ValueError`, in a TensorFlow
graph it adds assert ops that raise `tf.errors.InvalidArgumentError` before anything is written.

The checks run on the arrays of either library through an `ops` object (`_checks.TENSORFLOW`,
`writer.NUMPY`) with the few functions they need: `convert(value)` (raises `TypeError` or
`ValueError`), `static(values)` (the static shape, a tuple with None for unknown sizes or None for an
unknown rank, and the dtype's name and kind: "float", "int", "bool", "complex" or "other"),
`eager()`, `assert_op(condition, message)`, `shape(values)` (the run-time sizes, int64),
`all`, `isfinite`, `cast(values, dtype name)`, and those `_samples.stored_arrays` uses.
Shapes and dtypes follow `schema.ARRAYS`.
"""

import collections.abc
import dataclasses
import re
import sys
from typing import Optional

import numpy as np

from tb_mesh_plugin import metadata, schema

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_ATTRIBUTE_NAME_LENGTH = 100
# The longest tag (the name with its name scopes): its step URL stays far below the 64 KiB request
# line TensorBoard's server accepts, even when every character is percent-encoded from 4 UTF-8 bytes.
MAX_TAG_LENGTH = 1024


@dataclasses.dataclass(frozen=True)
class Input:
    """A checked array argument.

    Attributes:
      arg: the argument's name, for messages ("vertices", "attributes['grad']").
      values: the tensor or NumPy array.
      shape: its static shape, a tuple (None for sizes unknown until a `tf.function` runs).
      layout: its expected shape, for messages ("[N, 3] or [B, N, 3]").
      width: the size its last axis must have when the summary runs, if fixed (3 for positions).
    """

    arg: str
    values: object
    shape: tuple
    layout: str
    width: Optional[int] = None


@dataclasses.dataclass(frozen=True)
class Attribute:
    """A checked attribute: values `[B, N, K]` per vertex, or `[F, K]` per face (shared by the batch)."""

    arg: str
    name: str
    placement: str
    values: object
    components: int

    def describe(self):
        """Its description in the summary metadata and sample manifests."""
        return {"name": self.name, "placement": self.placement, "components": self.components}


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The checked arguments of one summary, and the counts known statically (None if unknown).

    `positions` are `[B, N, 3]` (`batched` says whether they were given with a batch axis); `indices`
    are the faces or segments; `colors` are `[N, C]` or `[B, N, C]`.
    """

    kind: str
    positions: Input
    batched: bool
    indices: Optional[Input]
    colors: Optional[Input]
    face_colors: Optional[Input]
    attributes: list
    samples: Optional[int]
    vertex_count: Optional[int]
    index_count: Optional[int]

    def describe_attributes(self):
        return [a.describe() for a in self.attributes]

    def summary_metadata(self, quantize, description, camera=False):
        """The `SummaryMetadata` of the summary (`metadata.create_summary_metadata`) and its format version."""
        face_color_channels = 0 if self.face_colors is None else self.face_colors.shape[-1]
        proto = metadata.create_summary_metadata(
            self.kind,
            vertex_count=self.vertex_count,
            index_count=self.index_count,
            samples=self.samples,
            color_channels=0 if self.colors is None else self.colors.shape[-1],
            description=description,
            attributes=self.describe_attributes(),
            quantize=quantize,
            face_color_channels=face_color_channels,
            camera=camera,
        )
        return proto, metadata.format_version(quantize, face_color_channels)


def _check_text(text, what):
    """Rejects text that cannot be stored as UTF-8 (lone surrogates, e.g. from undecodable file names)."""
    match = _LONE_SURROGATE.search(text)
    if match:
        raise ValueError(
            f"{what} must be valid Unicode text, got a lone surrogate {match.group()!r} at index {match.start()}"
        )


def check_name(name):
    if not isinstance(name, str):
        raise ValueError(f"name must be a str, got {type(name).__name__}")
    if not name.strip():
        raise ValueError("name must not be empty or only whitespace")
    if _CONTROL_CHARACTERS.search(name):
        raise ValueError(f"name must not contain control characters, got {name!r}")
    _check_text(name, "name")
    if '"' in name or "\\" in name:
        # RustBoard (`--load_fast=true`) cannot read back blobs of tags that need JSON escapes.
        raise ValueError(
            f"name must not contain '\"' or '\\', which TensorBoard's fast loader cannot read, got {name!r}"
        )


def check_tag(tag):
    """Checks the tag a name becomes within its name scopes: short enough that its steps can be fetched."""
    if len(tag) > MAX_TAG_LENGTH:
        raise ValueError(
            f"name must be at most {MAX_TAG_LENGTH} characters with its name scopes (so that the viewer's "
            f"requests stay within URL limits), got {len(tag)}: {tag[:40]!r}..."
        )


def check_description(description):
    if description is not None and not isinstance(description, str):
        raise ValueError(f"description must be a str or None, got {type(description).__name__}")
    if description is not None:
        _check_text(description, "description")


def check_integer_step(step):
    """Accepts a Python or NumPy integer (not a bool)."""
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise ValueError(f"step must be an integer, got {step!r} ({type(step).__name__})")


def check_quantize(quantize):
    if quantize not in metadata.QUANTIZATIONS:
        raise ValueError(f"quantize must be None, 'float16' or 'uint16', got {quantize!r}")


def check_options(name, description, step, quantize, check_step):
    """Checks the Python-value arguments of a summary, in the order both writers check them."""
    check_name(name)
    check_description(description)
    check_step(step)
    check_quantize(quantize)


def mesh_arrays(faces, face_colors, attributes, face_attributes):
    """Checks that face arrays come with faces; returns the `check_inputs` keyword arguments of a mesh."""
    if face_attributes and faces is None:
        raise ValueError("face_attributes need faces: pass the faces of the mesh")
    if face_colors is not None and faces is None:
        raise ValueError("face_colors need faces: pass the faces of the mesh")
    return dict(indices=faces, face_colors=face_colors, attributes=attribute_args(attributes, face_attributes))


def check_camera(camera, near, far):
    """Checks the arguments of a camera summary: a `graphics_ops.camera.Camera` and its frustum depths."""
    # A Camera exists only once its module (and TensorFlow) is imported: no need to import them here.
    camera_module = sys.modules.get("graphics_ops.camera.camera")
    if camera_module is None or not isinstance(camera, camera_module.Camera):
        raise ValueError(f"camera must be a graphics_ops.camera.Camera, got {type(camera).__name__}")
    if not camera.batch_shape.is_fully_defined():
        raise ValueError(f"camera must have a statically known batch shape, got {camera.batch_shape}")
    for value, arg in ((near, "near"), (far, "far")):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"{arg} must be a finite Python number, got {value!r}")
    if not 0 <= near < far:
        raise ValueError(f"near and far must satisfy 0 <= near < far, got near={near}, far={far}")


def _check_attribute_name(arg, name):
    if not isinstance(name, str):
        raise ValueError(f"names in {arg} must be str, got {name!r} ({type(name).__name__})")
    if not name.strip():
        raise ValueError(f"names in {arg} must not be empty or only whitespace, got {name!r}")
    if _CONTROL_CHARACTERS.search(name):
        raise ValueError(f"names in {arg} must not contain control characters, got {name!r}")
    _check_text(name, f"names in {arg}")
    if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
        raise ValueError(f"names in {arg} must be at most {MAX_ATTRIBUTE_NAME_LENGTH} characters, got {len(name)}")


def _convert(ops, value, arg):
    """`value` as a tensor or array of `ops`, with its static shape, dtype name and kind."""
    try:
        values = ops.convert(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{arg} cannot be converted to a tensor: {e}") from None
    return (values, *ops.static(values))


def _check_rank_and_last_dim(shape, arg, ranks, last_dims, layout):
    if shape is None:
        raise ValueError(f"{arg} must have a statically known rank; expected {layout}")
    if len(shape) not in ranks:
        raise ValueError(f"{arg} must have shape {layout}, got rank {len(shape)} (shape {shape})")
    if shape[-1] not in last_dims:
        raise ValueError(f"{arg} must have shape {layout}, got shape {shape}")
    if 0 in shape:
        raise ValueError(f"{arg} must not be empty, got shape {shape}")


def _static_size(a, b, arg_a, arg_b, what):
    """Checks two static sizes agree where both are known; returns the known one (or None)."""
    if a is not None and b is not None and a != b:
        raise ValueError(f"{arg_a} and {arg_b} disagree on {what}: {a} vs {b}")
    return a if a is not None else b


def _positions(ops, arg, value):
    positions, shape, dtype, kind = _convert(ops, value, arg)
    if kind != "float":
        raise ValueError(f"{arg} must be a float tensor, got dtype {dtype}")
    (width,) = schema.ARRAYS["vertices"].components
    layout = f"[N, {width}] or [B, N, {width}]"
    _check_rank_and_last_dim(shape, arg, (2, 3), (width, None), layout)
    batched = len(shape) == 3
    if not batched:
        positions, shape = positions[None], (1, *shape)
    return Input(arg, positions, shape, layout, width), batched


def _indices(ops, kind, value):
    array = schema.INDICES[kind]
    indices, shape, dtype, dtype_kind = _convert(ops, value, array.name)
    if dtype_kind != "int":
        raise ValueError(f"{array.name} must be an integer tensor, got dtype {dtype}")
    (width,) = array.components
    _check_rank_and_last_dim(shape, array.name, (2,), (width, None), array.shape)
    return Input(array.name, indices, shape, array.shape, width)


def _colors(ops, arg, value, batched_positions):
    """Per-vertex `colors` (`[N, C]`, or `[B, N, C]` with batched positions) or per-face `face_colors` (`[F, C]`)."""
    array = schema.ARRAYS[arg]
    colors, shape, dtype, kind = _convert(ops, value, arg)
    if dtype != "uint8" and kind != "float":
        raise ValueError(f"{arg} must be uint8 or float, got dtype {dtype}")
    channels = "{" + ", ".join(map(str, array.components)) + "}"
    shapes = f"{array.shape} or [B, {array.shape[1:]}" if array.batchable else array.shape
    layout = f"{shapes} with C in {channels}"
    _check_rank_and_last_dim(shape, arg, (2, 3) if array.batchable else (2,), (*array.components, None), layout)
    if len(shape) == 3 and not batched_positions:
        raise ValueError(f"{arg} has a batch dimension (shape {shape}) but the positions do not")
    if shape[-1] is None:
        raise ValueError(f"{arg} must have a statically known last dimension (3 or 4)")
    return Input(arg, colors, shape, layout)


def attribute_args(attributes, face_attributes):
    """Checks the attribute dicts and their names; returns `[(arg, name, placement, value)]`."""
    found = []
    given = (("attributes", schema.VERTEX, attributes), ("face_attributes", schema.FACE, face_attributes))
    for dict_arg, placement, mapping in given:
        if mapping is None:
            continue
        if not isinstance(mapping, collections.abc.Mapping):
            raise ValueError(f"{dict_arg} must be a dict of name -> tensor, got {type(mapping).__name__}")
        for name, value in mapping.items():
            _check_attribute_name(dict_arg, name)
            found.append((f"{dict_arg}[{name!r}]", name, placement, value))
    vertex_names = set(attributes or ())
    for _, name, placement, _ in found:
        if placement == schema.FACE and name in vertex_names:
            raise ValueError(f"attribute names must be unique: {name!r} is in both attributes and face_attributes")
    return found


def _shape_text(shape):
    return str(list(shape)) if shape is not None else "of unknown rank"


def _attribute(ops, arg, name, placement, value, *, batched, samples, rows, positions_arg):
    """Checks one attribute's dtype and static shape; `rows` is `(letter, static count or None, noun)`."""
    values, shape, dtype, kind = _convert(ops, value, arg)
    if kind not in ("float", "int"):
        raise ValueError(f"{arg} must be a float or integer tensor, got dtype {dtype}")
    letter, count, noun = rows
    outer = 2 if batched else 1  # the rank of a scalar attribute
    prefix = "B, " if batched else ""
    layout = (
        f"[{prefix}{letter}] or [{prefix}{letter}, K] (K from 1 to {schema.MAX_ATTRIBUTE_COMPONENTS}) with {letter} = "
        + (f"{count} {noun}" if count is not None else f"the number of {noun}")
    )
    rank = None if shape is None else len(shape)
    if rank not in (outer, outer + 1):
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(shape)}")
    if rank == outer + 1 and shape[-1] not in schema.ATTRIBUTE_COMPONENTS:
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(shape)}")
    if count is not None and shape[outer - 1] not in (None, count):
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(shape)}")
    if 0 in shape:
        raise ValueError(f"{arg} must not be empty, got shape {_shape_text(shape)}")
    if batched:
        _static_size(samples, shape[0], positions_arg, arg, "the batch size")
    if rank == outer:
        values = values[..., None]
    if placement == schema.VERTEX and not batched:
        values = values[None]
    return Attribute(arg, name, placement, values, 1 if rank == outer else shape[-1])


def check_inputs(ops, kind, positions_arg, positions, *, indices=None, colors=None, face_colors=None, attributes=()):
    """Checks a summary's arrays statically; `attributes` as returned by `attribute_args`. Returns `Inputs`."""
    positions, batched = _positions(ops, positions_arg, positions)
    indices = None if indices is None else _indices(ops, kind, indices)
    colors = None if colors is None else _colors(ops, "colors", colors, batched)
    face_colors = None if face_colors is None else _colors(ops, "face_colors", face_colors, batched)

    samples, vertex_count = positions.shape[0], positions.shape[1]
    if colors is not None:
        vertex_count = _static_size(vertex_count, colors.shape[-2], positions_arg, "colors", "the number of vertices")
        if len(colors.shape) == 3:
            samples = _static_size(samples, colors.shape[0], positions_arg, "colors", "the batch size")
    index_count = None if indices is None else indices.shape[0]
    if face_colors is not None:
        _static_size(index_count, face_colors.shape[0], "faces", "face_colors", "the number of faces")
    vertex_rows = ("N", vertex_count, "points" if kind == "point_cloud" else "vertices")
    checked_attributes = [
        _attribute(
            ops,
            arg,
            name,
            placement,
            value,
            batched=batched and placement == schema.VERTEX,
            samples=samples,
            rows=vertex_rows if placement == schema.VERTEX else ("F", index_count, "faces"),
            positions_arg=positions_arg,
        )
        for arg, name, placement, value in attributes
    ]
    return Inputs(
        kind, positions, batched, indices, colors, face_colors, checked_attributes, samples, vertex_count, index_count
    )


class ValueChecks:
    """Value checks: raise `ValueError` eagerly, or collect assert ops (`asserts`) inside a TensorFlow graph."""

    def __init__(self, ops):
        self.ops = ops
        self.asserts = []

    def require(self, condition, message):
        if self.ops.eager():
            if not bool(condition):
                raise ValueError(message)
        else:
            self.asserts.append(self.ops.assert_op(condition, message))

    def require_shape(self, checked):
        """Checks what the static checks could not: that no axis is empty and the last has its width."""
        if None not in checked.shape:
            return
        sizes = self.ops.shape(checked.values)
        self.require(self.ops.all(sizes > 0), f"{checked.arg} must not be empty")
        if checked.width is not None and checked.shape[-1] is None:
            self.require(sizes[-1] == checked.width, f"{checked.arg} must have shape {checked.layout}")


def require_valid_values(checks, inputs):
    """Adds the checks of `inputs`' values and run-time sizes to `checks` (colour ranges are checked by `_samples`)."""
    ops = checks.ops
    positions = inputs.positions
    for checked in (positions, inputs.indices, inputs.colors, inputs.face_colors):
        if checked is not None:
            checks.require_shape(checked)
    positions_shape = ops.shape(positions.values)
    samples, vertex_count = positions_shape[0], positions_shape[1]
    checks.require(
        ops.all(ops.isfinite(ops.cast(positions.values, "float32"))),
        f"{positions.arg} must be finite (no NaN or Inf, and within float32 range)",
    )
    if inputs.indices is not None:
        indices = inputs.indices
        wide = ops.cast(indices.values, "int64")
        checks.require(ops.all(wide >= 0), f"{indices.arg} must not hold negative indices")
        checks.require(
            ops.all(wide < vertex_count),
            f"{indices.arg} hold indices out of range: every index must be below the number of vertices of "
            f"{positions.arg}",
        )
    if inputs.colors is not None:
        color_shape = ops.shape(inputs.colors.values)
        checks.require(color_shape[-2] == vertex_count, f"colors must have one row per vertex of {positions.arg}")
        if len(inputs.colors.shape) == 3:
            checks.require(color_shape[0] == samples, f"colors and {positions.arg} must have the same batch size")
    index_count = None if inputs.indices is None else ops.shape(inputs.indices.values)[0]
    if inputs.face_colors is not None:
        rows = ops.shape(inputs.face_colors.values)[0]
        checks.require(rows == index_count, "face_colors must have one row per face")
    for attribute in inputs.attributes:
        checks.require(
            ops.all(ops.isfinite(ops.cast(attribute.values, "float32"))),
            f"{attribute.arg} must be finite (no NaN or Inf, and within float32 range)",
        )
        values_shape = ops.shape(attribute.values)
        if attribute.placement == schema.VERTEX:
            checks.require(
                values_shape[1] == vertex_count, f"{attribute.arg} must have one row per vertex of {positions.arg}"
            )
            checks.require(
                values_shape[0] == samples, f"{attribute.arg} and {positions.arg} must have the same batch size"
            )
        else:
            checks.require(values_shape[0] == index_count, f"{attribute.arg} must have one row per face")

"""Checks of the summary ops' arguments (`summary.py`): static ones when a summary is traced, value ones when it runs.

Static problems (type, rank, known sizes, dtype, names) raise `ValueError` naming the argument while
the summary is traced. What is known only when it runs (sizes of unknown dimensions inside
`tf.function`, NaN or Inf, index and colour ranges) is checked by `ValueChecks`: eagerly it raises
`ValueError`, in a graph it adds assert ops that raise `tf.errors.InvalidArgumentError` before anything
is written. Shapes and dtypes follow `schema.ARRAYS`.
"""

import collections.abc
import dataclasses
import re
from typing import Optional

import numpy as np
import tensorflow as tf

from tb_mesh_plugin import metadata, schema

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_ATTRIBUTE_NAME_LENGTH = 100
# The longest tag (the name with its name scopes): its step URL stays far below the 64 KiB request
# line TensorBoard's server accepts, even when every character is percent-encoded from 4 UTF-8 bytes.
MAX_TAG_LENGTH = 1024


@dataclasses.dataclass(frozen=True)
class Input:
    """A checked tensor argument.

    Attributes:
      arg: the argument's name, for messages ("vertices", "attributes['grad']").
      values: the tensor.
      layout: its expected shape, for messages ("[N, 3] or [B, N, 3]").
      width: the size its last axis must have when the summary runs, if fixed (3 for positions).
    """

    arg: str
    values: tf.Tensor
    layout: str
    width: Optional[int] = None


@dataclasses.dataclass(frozen=True)
class Attribute:
    """A checked attribute: values `[B, N, K]` per vertex, or `[F, K]` per face (shared by the batch)."""

    arg: str
    name: str
    placement: str
    values: tf.Tensor

    def describe(self):
        """Its description in the summary metadata and sample manifests."""
        return {"name": self.name, "placement": self.placement, "components": self.values.shape[-1]}


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The checked arguments of one summary, and the counts known when it is traced (None if unknown).

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


def check_step(step):
    """Accepts None (the default step), an integer, or an int64 tensor or variable (as `tf.summary.write`)."""
    if step is None:
        return
    if isinstance(step, (tf.Tensor, tf.Variable)):
        if step.dtype != tf.int64:
            raise ValueError(f"step must be an integer or an int64 tensor, got a tensor of dtype {step.dtype.name}")
        return
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise ValueError(f"step must be an integer, got {step!r} ({type(step).__name__})")


def check_quantize(quantize):
    if quantize not in metadata.QUANTIZATIONS:
        raise ValueError(f"quantize must be None, 'float16' or 'uint16', got {quantize!r}")


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


def _to_tensor(value, arg):
    try:
        return tf.convert_to_tensor(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{arg} cannot be converted to a tensor: {e}") from None


def _check_rank_and_last_dim(tensor, arg, ranks, last_dims, layout):
    rank = tensor.shape.rank
    if rank is None:
        raise ValueError(f"{arg} must have a statically known rank; expected {layout}")
    if rank not in ranks:
        raise ValueError(f"{arg} must have shape {layout}, got rank {rank} (shape {tensor.shape})")
    if tensor.shape[-1] not in last_dims:
        raise ValueError(f"{arg} must have shape {layout}, got shape {tensor.shape}")
    if 0 in tensor.shape:
        raise ValueError(f"{arg} must not be empty, got shape {tensor.shape}")


def _static_size(a, b, arg_a, arg_b, what):
    """Checks two static sizes agree where both are known; returns the known one (or None)."""
    if a is not None and b is not None and a != b:
        raise ValueError(f"{arg_a} and {arg_b} disagree on {what}: {a} vs {b}")
    return a if a is not None else b


def _positions(arg, value):
    positions = _to_tensor(value, arg)
    if not positions.dtype.is_floating:
        raise ValueError(f"{arg} must be a float tensor, got dtype {positions.dtype.name}")
    (width,) = schema.ARRAYS["vertices"].components
    layout = f"[N, {width}] or [B, N, {width}]"
    _check_rank_and_last_dim(positions, arg, (2, 3), (width, None), layout)
    batched = positions.shape.rank == 3
    return Input(arg, positions if batched else positions[tf.newaxis], layout, width), batched


def _indices(kind, value):
    array = schema.INDICES[kind]
    indices = _to_tensor(value, array.name)
    if not indices.dtype.is_integer:
        raise ValueError(f"{array.name} must be an integer tensor, got dtype {indices.dtype.name}")
    (width,) = array.components
    _check_rank_and_last_dim(indices, array.name, (2,), (width, None), array.shape)
    return Input(array.name, indices, array.shape, width)


def _colors(arg, value, batched_positions):
    """Per-vertex `colors` (`[N, C]`, or `[B, N, C]` with batched positions) or per-face `face_colors` (`[F, C]`)."""
    array = schema.ARRAYS[arg]
    colors = _to_tensor(value, arg)
    if colors.dtype != tf.uint8 and not colors.dtype.is_floating:
        raise ValueError(f"{arg} must be uint8 or float, got dtype {colors.dtype.name}")
    channels = "{" + ", ".join(map(str, array.components)) + "}"
    shapes = f"{array.shape} or [B, {array.shape[1:]}" if array.batchable else array.shape
    layout = f"{shapes} with C in {channels}"
    _check_rank_and_last_dim(colors, arg, (2, 3) if array.batchable else (2,), (*array.components, None), layout)
    if colors.shape.rank == 3 and not batched_positions:
        raise ValueError(f"{arg} has a batch dimension (shape {colors.shape}) but the positions do not")
    if colors.shape[-1] is None:
        raise ValueError(f"{arg} must have a statically known last dimension (3 or 4)")
    return Input(arg, colors, layout)


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


def _shape_text(tensor):
    return str(tensor.shape.as_list()) if tensor.shape.rank is not None else "of unknown rank"


def _attribute(arg, name, placement, value, *, batched, samples, rows, positions_arg):
    """Checks one attribute's dtype and static shape; `rows` is `(letter, static count or None, noun)`."""
    tensor = _to_tensor(value, arg)
    if tensor.dtype.is_bool or tensor.dtype.is_complex or not (tensor.dtype.is_floating or tensor.dtype.is_integer):
        raise ValueError(f"{arg} must be a float or integer tensor, got dtype {tensor.dtype.name}")
    letter, count, noun = rows
    outer = 2 if batched else 1  # the rank of a scalar attribute
    prefix = "B, " if batched else ""
    layout = (
        f"[{prefix}{letter}] or [{prefix}{letter}, K] (K from 1 to {schema.MAX_ATTRIBUTE_COMPONENTS}) with {letter} = "
        + (f"{count} {noun}" if count is not None else f"the number of {noun}")
    )
    rank = tensor.shape.rank
    if rank not in (outer, outer + 1):
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(tensor)}")
    if rank == outer + 1 and tensor.shape[-1] not in schema.ATTRIBUTE_COMPONENTS:
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(tensor)}")
    if count is not None and tensor.shape[outer - 1] not in (None, count):
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(tensor)}")
    if 0 in tensor.shape:
        raise ValueError(f"{arg} must not be empty, got shape {_shape_text(tensor)}")
    if batched:
        _static_size(samples, tensor.shape[0], positions_arg, arg, "the batch size")
    values = tensor if rank == outer + 1 else tensor[..., tf.newaxis]
    if placement == schema.VERTEX and not batched:
        values = values[tf.newaxis]
    return Attribute(arg, name, placement, values)


def check_inputs(kind, positions_arg, positions, *, indices=None, colors=None, face_colors=None, attributes=()):
    """Checks a summary's tensors statically; `attributes` as returned by `attribute_args`. Returns `Inputs`."""
    positions, batched = _positions(positions_arg, positions)
    indices = None if indices is None else _indices(kind, indices)
    colors = None if colors is None else _colors("colors", colors, batched)
    face_colors = None if face_colors is None else _colors("face_colors", face_colors, batched)

    samples, vertex_count = positions.values.shape[0], positions.values.shape[1]
    if colors is not None:
        vertex_count = _static_size(
            vertex_count, colors.values.shape[-2], positions_arg, "colors", "the number of vertices"
        )
        if colors.values.shape.rank == 3:
            samples = _static_size(samples, colors.values.shape[0], positions_arg, "colors", "the batch size")
    index_count = None if indices is None else indices.values.shape[0]
    if face_colors is not None:
        _static_size(index_count, face_colors.values.shape[0], "faces", "face_colors", "the number of faces")
    vertex_rows = ("N", vertex_count, "points" if kind == "point_cloud" else "vertices")
    checked_attributes = [
        _attribute(
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
    """Value checks: raise `ValueError` eagerly, or collect assert ops inside a graph."""

    def __init__(self):
        self.ops = []

    def require(self, condition, message):
        if tf.executing_eagerly():
            if not bool(condition):
                raise ValueError(message)
        else:
            self.ops.append(tf.debugging.Assert(condition, [message]))

    def require_shape(self, checked):
        """Checks what the static checks could not: that no axis is empty and the last has its width."""
        shape = checked.values.shape
        if shape.is_fully_defined():
            return
        sizes = tf.shape(checked.values, out_type=tf.int64)
        self.require(tf.reduce_all(sizes > 0), f"{checked.arg} must not be empty")
        if checked.width is not None and shape[-1] is None:
            self.require(tf.equal(sizes[-1], checked.width), f"{checked.arg} must have shape {checked.layout}")


def require_valid_values(checks, inputs):
    """Adds the checks of `inputs`' values and run-time sizes to `checks` (colour ranges are checked by `_encode`)."""
    positions = inputs.positions
    for checked in (positions, inputs.indices, inputs.colors, inputs.face_colors):
        if checked is not None:
            checks.require_shape(checked)
    shape = tf.shape(positions.values, out_type=tf.int64)
    samples, vertex_count = shape[0], shape[1]
    checks.require(
        tf.reduce_all(tf.math.is_finite(tf.cast(positions.values, tf.float32))),
        f"{positions.arg} must be finite (no NaN or Inf, and within float32 range)",
    )
    if inputs.indices is not None:
        indices = inputs.indices
        wide = tf.cast(indices.values, tf.int64)
        checks.require(tf.reduce_all(wide >= 0), f"{indices.arg} must not hold negative indices")
        checks.require(
            tf.reduce_all(wide < vertex_count),
            f"{indices.arg} hold indices out of range: every index must be below the number of vertices of "
            f"{positions.arg}",
        )
    if inputs.colors is not None:
        color_shape = tf.shape(inputs.colors.values, out_type=tf.int64)
        checks.require(
            tf.equal(color_shape[-2], vertex_count), f"colors must have one row per vertex of {positions.arg}"
        )
        if inputs.colors.values.shape.rank == 3:
            checks.require(
                tf.equal(color_shape[0], samples), f"colors and {positions.arg} must have the same batch size"
            )
    if inputs.face_colors is not None:
        rows = tf.shape(inputs.face_colors.values, out_type=tf.int64)[0]
        checks.require(tf.equal(rows, _index_count(inputs)), "face_colors must have one row per face")
    for attribute in inputs.attributes:
        checks.require(
            tf.reduce_all(tf.math.is_finite(tf.cast(attribute.values, tf.float32))),
            f"{attribute.arg} must be finite (no NaN or Inf, and within float32 range)",
        )
        values_shape = tf.shape(attribute.values, out_type=tf.int64)
        if attribute.placement == schema.VERTEX:
            checks.require(
                tf.equal(values_shape[1], vertex_count),
                f"{attribute.arg} must have one row per vertex of {positions.arg}",
            )
            checks.require(
                tf.equal(values_shape[0], samples), f"{attribute.arg} and {positions.arg} must have the same batch size"
            )
        else:
            checks.require(
                tf.equal(values_shape[0], _index_count(inputs)), f"{attribute.arg} must have one row per face"
            )


def _index_count(inputs):
    return tf.shape(inputs.indices.values, out_type=tf.int64)[0]

"""The stored samples of a summary (docs/wire-format.md), from checked inputs (`_arguments.Inputs`); no TensorFlow.

Arrays are converted to their stored dtypes (`schema.ARRAYS`): positions to float32 (or quantised),
indices to int32, colours to uint8; each attribute gets its float32 values and its ranges. The
conversion runs on tensors or NumPy arrays through the `ops` of the checks (`_arguments`), so both
writers store the same values. Each sample of the batch becomes one serialized string `TensorProto`:
a JSON manifest (`manifest`), then one serialized `TensorProto` per array, preceded by a checksum
field (`storage.checksummed`, `storage.checksummed_bytes`); `_encode.encode_samples` builds it in
TensorFlow ops, `encode_samples` here from NumPy arrays.
"""

import dataclasses
import json

import numpy as np
from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2

from tb_mesh_plugin import schema, storage


@dataclasses.dataclass(frozen=True)
class Stored:
    """An array as stored: `per_sample` arrays have a leading batch axis split into one array per sample."""

    name: str
    values: object
    per_sample: bool


def _stored_dtype(name):
    return schema.ARRAYS[name].dtypes[0]


def _as_uint8_colors(checks, arg, colors):
    """Colours as stored: uint8 as given, floats checked to lie in [0, 1] and scaled to 0–255."""
    ops = checks.ops
    if ops.static(colors)[1] == "uint8":
        return colors
    checks.require(ops.all((colors >= 0) & (colors <= 1)), f"float {arg} must lie in [0, 1] (and not be NaN)")
    return ops.cast(ops.round(ops.cast(colors, "float32") * 255.0), _stored_dtype(arg))


def _positions(checks, arg, positions, quantize):
    """Positions `[B, N, 3]` float32 as stored, quantised as asked (docs/wire-format.md)."""
    ops = checks.ops
    if quantize is None:
        return [Stored("vertices", positions, True)]
    if quantize == "float16":
        half = ops.cast(positions, "float16")
        checks.require(
            ops.all(ops.isfinite(half)),
            f"{arg} must lie within float16's range (|x| <= 65504) with quantize='float16'; use quantize='uint16'",
        )
        exact = ops.cast(half, "float32")
        bounds = ops.stack([ops.min(exact, axis=-2), ops.max(exact, axis=-2)], axis=-2)
        return [Stored("vertices", half, True), Stored("position_bounds", bounds, True)]
    low = ops.min(positions, axis=-2, keepdims=True)
    span = ops.max(positions, axis=-2, keepdims=True) - low
    checks.require(ops.all(ops.isfinite(span)), f"{arg} span more than float32's range on an axis")
    scale = ops.where(span > 0, span / 65535.0, ops.ones_like(span))
    codes = ops.cast(ops.clip(ops.round((positions - low) / scale), 0.0, 65535.0), "uint16")
    high = low + 65535.0 * scale
    bounds = ops.concat([low, ops.where(span > 0, high, low)], axis=-2)
    return [
        Stored("vertices", codes, True),
        Stored("position_offset", low[:, 0], True),
        Stored("position_scale", scale[:, 0], True),
        Stored("position_bounds", bounds, True),
    ]


def _attribute(checks, attribute):
    """An attribute's float32 values and its `[K + 1, 2]` ranges.

    The ranges are the (min, max) of each component, then the (min, max) of the magnitude (the
    Euclidean norm of a row).
    """
    ops = checks.ops
    values = ops.cast(attribute.values, schema.ATTRIBUTE_DTYPE)
    squared = ops.sum(values * values, axis=-1, keepdims=True)  # squared magnitudes [..., R, 1]
    lowest = ops.concat([ops.min(values, axis=-2), ops.sqrt(ops.min(squared, axis=-2))], axis=-1)
    highest = ops.concat([ops.max(values, axis=-2), ops.sqrt(ops.max(squared, axis=-2))], axis=-1)
    checks.require(
        ops.all(ops.isfinite(highest)) | ~ops.all(ops.isfinite(values)),
        f"{attribute.arg} must have magnitudes below 1.8e19 (their squares must fit in float32)",
    )
    ranges = ops.stack([lowest, highest], axis=-1)
    values_name, ranges_name = schema.attribute_array_names(attribute.name)
    per_sample = attribute.placement == schema.VERTEX
    return [Stored(values_name, values, per_sample), Stored(ranges_name, ranges, per_sample)]


def stored_arrays(checks, inputs, quantize):
    """The arrays `inputs` (`_arguments.Inputs`) are stored as, in stored order; adds value checks to `checks`."""
    ops = checks.ops
    positions = inputs.positions
    stored = _positions(checks, positions.arg, ops.cast(positions.values, _stored_dtype("vertices")), quantize)
    if inputs.indices is not None:
        indices = inputs.indices
        stored.append(Stored(indices.arg, ops.cast(indices.values, _stored_dtype(indices.arg)), False))
    if inputs.colors is not None:
        colors = inputs.colors
        stored.append(Stored("colors", _as_uint8_colors(checks, "colors", colors.values), len(colors.shape) == 3))
    if inputs.face_colors is not None:
        stored.append(Stored("face_colors", _as_uint8_colors(checks, "face_colors", inputs.face_colors.values), False))
    for attribute in inputs.attributes:
        stored += _attribute(checks, attribute)
    return stored


def manifest(kind, stored, attributes, version):
    """The JSON manifest that starts each sample: format version, kind, array names in stored order, attributes."""
    return json.dumps({"version": version, "kind": kind, "arrays": [s.name for s in stored], "attributes": attributes})


def _serialize(array):
    """A NumPy array as a serialized `TensorProto`, byte for byte as `tf.io.serialize_tensor` writes it."""
    proto = tensor_pb2.TensorProto(dtype=schema.DTYPES[array.dtype.name].proto)
    _set_shape(proto, array.shape)
    proto.tensor_content = np.ascontiguousarray(array, array.dtype.newbyteorder("<")).tobytes()
    return proto.SerializeToString()


def _set_shape(proto, shape):
    proto.tensor_shape.SetInParent()
    proto.tensor_shape.dim.extend(tensor_shape_pb2.TensorShapeProto.Dim(size=size) for size in shape)


def encode_samples(kind, stored, attributes, version):
    """Encodes each sample from NumPy `stored` arrays (`[Stored]`, in stored order); returns `[bytes]`, one a sample."""
    text = manifest(kind, stored, attributes, version).encode("utf-8")
    shared = {s.name: _serialize(s.values) for s in stored if not s.per_sample}
    samples = next(len(s.values) for s in stored if s.per_sample)
    blobs = []
    for index in range(samples):
        serialized = {**shared, **{s.name: _serialize(s.values[index]) for s in stored if s.per_sample}}
        outer = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING)
        _set_shape(outer, [len(stored) + 1])
        outer.string_val.extend([text] + [serialized[s.name] for s in stored])
        blobs.append(storage.checksummed_bytes(outer.SerializeToString()))
    return blobs


def blob_sequence(blobs):
    """The `[B]` string `TensorProto` a summary of samples `blobs` holds (what `tf.summary.write` stores)."""
    proto = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING)
    _set_shape(proto, [len(blobs)])
    proto.string_val.extend(blobs)
    return proto

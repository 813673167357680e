"""Encoding of checked summary inputs (`_checks.Inputs`) into the stored samples of docs/wire-format.md.

Arrays are converted to their stored dtypes (`schema.ARRAYS`): positions to float32 (or quantised),
indices to int32, colours to uint8; each attribute gets its float32 values and its ranges. Each sample
of the batch becomes one serialized string tensor: a JSON manifest, then one serialized `TensorProto`
per array, preceded by a checksum field (`storage.checksummed`).
"""

import dataclasses
import json

import tensorflow as tf

from tb_mesh_plugin import schema, storage


@dataclasses.dataclass(frozen=True)
class Stored:
    """An array as stored: `per_sample` arrays have a leading batch axis split into one array per sample."""

    name: str
    values: tf.Tensor
    per_sample: bool


def _stored_dtype(name):
    return tf.as_dtype(schema.ARRAYS[name].dtypes[0])


def _as_uint8_colors(checks, arg, colors):
    """Colours as stored: uint8 as given, floats checked to lie in [0, 1] and scaled to 0–255."""
    if colors.dtype == tf.uint8:
        return colors
    checks.require(tf.reduce_all((colors >= 0) & (colors <= 1)), f"float {arg} must lie in [0, 1] (and not be NaN)")
    return tf.cast(tf.round(tf.cast(colors, tf.float32) * 255.0), _stored_dtype(arg))


def _positions(checks, arg, positions, quantize):
    """Positions `[B, N, 3]` float32 as stored, quantised as asked (docs/wire-format.md)."""
    if quantize is None:
        return [Stored("vertices", positions, True)]
    if quantize == "float16":
        half = tf.cast(positions, tf.float16)
        checks.require(
            tf.reduce_all(tf.math.is_finite(half)),
            f"{arg} must lie within float16's range (|x| <= 65504) with quantize='float16'; use quantize='uint16'",
        )
        exact = tf.cast(half, tf.float32)
        bounds = tf.stack([tf.reduce_min(exact, axis=-2), tf.reduce_max(exact, axis=-2)], axis=-2)
        return [Stored("vertices", half, True), Stored("position_bounds", bounds, True)]
    low = tf.reduce_min(positions, axis=-2, keepdims=True)
    span = tf.reduce_max(positions, axis=-2, keepdims=True) - low
    checks.require(tf.reduce_all(tf.math.is_finite(span)), f"{arg} span more than float32's range on an axis")
    scale = tf.where(span > 0, span / 65535.0, tf.ones_like(span))
    codes = tf.cast(tf.clip_by_value(tf.round((positions - low) / scale), 0.0, 65535.0), tf.uint16)
    high = low + 65535.0 * scale
    bounds = tf.concat([low, tf.where(span > 0, high, low)], axis=-2)
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
    values = tf.cast(attribute.values, tf.as_dtype(schema.ATTRIBUTE_DTYPE))
    squared = tf.reduce_sum(tf.square(values), axis=-1, keepdims=True)  # squared magnitudes [..., R, 1]
    lowest = tf.concat([tf.reduce_min(values, axis=-2), tf.sqrt(tf.reduce_min(squared, axis=-2))], axis=-1)
    highest = tf.concat([tf.reduce_max(values, axis=-2), tf.sqrt(tf.reduce_max(squared, axis=-2))], axis=-1)
    checks.require(
        tf.logical_or(
            tf.reduce_all(tf.math.is_finite(highest)), tf.logical_not(tf.reduce_all(tf.math.is_finite(values)))
        ),
        f"{attribute.arg} must have magnitudes below 1.8e19 (their squares must fit in float32)",
    )
    ranges = tf.stack([lowest, highest], axis=-1)
    values_name, ranges_name = schema.attribute_array_names(attribute.name)
    per_sample = attribute.placement == schema.VERTEX
    return [Stored(values_name, values, per_sample), Stored(ranges_name, ranges, per_sample)]


def stored_arrays(checks, inputs, quantize):
    """The arrays `inputs` (`_checks.Inputs`) are stored as, in stored order; adds value checks to `checks`."""
    positions = inputs.positions
    stored = _positions(checks, positions.arg, tf.cast(positions.values, _stored_dtype("vertices")), quantize)
    if inputs.indices is not None:
        indices = inputs.indices
        stored.append(Stored(indices.arg, tf.cast(indices.values, _stored_dtype(indices.arg)), False))
    if inputs.colors is not None:
        colors = inputs.colors
        stored.append(
            Stored("colors", _as_uint8_colors(checks, "colors", colors.values), colors.values.shape.rank == 3)
        )
    if inputs.face_colors is not None:
        stored.append(Stored("face_colors", _as_uint8_colors(checks, "face_colors", inputs.face_colors.values), False))
    for attribute in inputs.attributes:
        stored += _attribute(checks, attribute)
    return stored


def encode_samples(kind, stored, attributes, version):
    """Encodes each sample as a serialized string tensor; returns a `[B]` string tensor.

    Args:
      kind: the summary's kind.
      stored: `[Stored]`, in the order they are stored.
      attributes: the attribute descriptions of the manifest.
      version: the format version of the manifest.
    """
    manifest = json.dumps(
        {"version": version, "kind": kind, "arrays": [s.name for s in stored], "attributes": attributes}
    )
    shared = {s.name: tf.io.serialize_tensor(s.values) for s in stored if not s.per_sample}
    split = [s for s in stored if s.per_sample]

    def encode_one(per_sample):
        serialized = dict(shared)
        for s, value in zip(split, per_sample):
            serialized[s.name] = tf.io.serialize_tensor(value)
        parts = [tf.constant(manifest)] + [serialized[s.name] for s in stored]
        return storage.checksummed(tf.io.serialize_tensor(tf.stack(parts)))

    return tf.map_fn(encode_one, tuple(s.values for s in split), fn_output_signature=tf.TensorSpec([], tf.string))

"""Decoding of one stored sample (one blob of a blob-sequence summary), without TensorFlow.

A sample is a serialized rank-1 string `TensorProto`: a JSON manifest, then one serialized
`TensorProto` per array in the manifest's order (see docs/wire-format.md). Samples of format
versions 1 to 3 are read; version 1 has no attributes, version 3 adds quantised positions and
per-face colours.

Samples written since checksums were added begin with a checksum field (`checksummed`): a fixed64
field of the outer `TensorProto` numbered 2^29 - 1, which protobuf readers skip as unknown, holding
the FarmHash Fingerprint64 of the rest of the sample. TensorFlow computes it in the graph
(`tf.fingerprint`), so summaries written inside `tf.function` carry it; the plugin verifies it with
`pyfarmhash`, the same function, before serving a step. Samples without the field (older logs) are
read as before.
"""

import ctypes
import dataclasses
import json
import math

import farmhash
import numpy as np
from tensorboard.compat.proto import types_pb2

from tb_mesh_plugin import metadata, schema, tensor_proto

# The checksum field's key: field number 2^29 - 1 (the largest protobuf allows), wire type 1 (fixed64),
# as a varint; then the 8-byte little-endian fingerprint.
_CHECKSUM_KEY = bytes([0xF9, 0xFF, 0xFF, 0xFF, 0x0F])
_CHECKSUM_SIZE = len(_CHECKSUM_KEY) + 8
# What `tf.io.serialize_tensor` writes first for a string tensor: field 1 (dtype) = DT_STRING.
_UNCHECKED_START = bytes([0x08, types_pb2.DT_STRING])
# Identifies the checksum in use (FarmHash Fingerprint64), for cache validators.
CHECKSUM_VERSION = 1


class CorruptSampleError(ValueError):
    """A stored sample cannot be decoded."""


class ChecksumMismatchError(CorruptSampleError):
    """A stored sample's bytes differ from those written: its checksum does not match."""


def checksummed(serialized):
    """Prepends the checksum field to serialized samples, in TensorFlow ops (graph or eager).

    Args:
      serialized: a string tensor of serialized samples, any shape.

    Returns:
      A string tensor of the same shape: each element is its checksum field followed by its bytes.
    """
    import tensorflow as tf  # Only writers need TensorFlow; reading a sample does not.

    flat = tf.reshape(serialized, [-1])
    fingerprints = tf.fingerprint(flat)  # [n, 8] uint8: each Fingerprint64, little-endian
    single_bytes = tf.constant([bytes([i]) for i in range(256)])
    fields = tf.strings.reduce_join(tf.gather(single_bytes, tf.cast(fingerprints, tf.int32)), axis=-1)
    joined = tf.strings.join([tf.constant(_CHECKSUM_KEY), fields, flat])
    return tf.reshape(joined, tf.shape(serialized))


def checksummed_bytes(serialized):
    """Prepends the checksum field to one serialized sample (bytes), without TensorFlow: as `checksummed` does."""
    return _CHECKSUM_KEY + farmhash.fingerprint64(serialized).to_bytes(8, "little") + serialized


def _fingerprint64_of_buffer():
    """FarmHash Fingerprint64 of any contiguous buffer without copying it, or None where it cannot be had.

    `farmhash.fingerprint64` takes only `bytes`, so hashing the part of a blob after its checksum field
    would copy the whole sample. Its extension module also exports the C++ function it wraps,
    `util::Fingerprint64(const char *, size_t)`; called through ctypes (which releases the GIL) it reads
    the buffer in place. It is used only if it agrees with `farmhash.fingerprint64`.
    """
    try:
        function = ctypes.CDLL(farmhash.__file__)["_ZN4util13Fingerprint64EPKcm"]
    except (OSError, AttributeError, TypeError):
        return None
    function.restype, function.argtypes = ctypes.c_uint64, (ctypes.c_void_p, ctypes.c_size_t)

    def fingerprint64(buffer):
        array = np.frombuffer(buffer, np.uint8)
        return function(array.ctypes.data, array.size)

    probe = bytes(range(256)) * 5
    return fingerprint64 if fingerprint64(memoryview(probe)[3:]) == farmhash.fingerprint64(probe[3:]) else None


_FINGERPRINT64 = _fingerprint64_of_buffer() or (lambda buffer: farmhash.fingerprint64(bytes(buffer)))


def _verified(blob):
    """The serialized sample inside a stored blob (bytes-like), its checksum verified if it has one.

    Returns a view of `blob`, never a copy.
    """
    blob = memoryview(blob).cast("B") if not isinstance(blob, memoryview) or blob.format != "B" else blob
    if blob[: len(_CHECKSUM_KEY)] == _CHECKSUM_KEY:
        if len(blob) < _CHECKSUM_SIZE:
            raise CorruptSampleError(f"sample of {len(blob)} bytes is shorter than its checksum field")
        stored = int.from_bytes(blob[len(_CHECKSUM_KEY) : _CHECKSUM_SIZE], "little")
        payload = blob[_CHECKSUM_SIZE:]
        if _FINGERPRINT64(payload) != stored:
            raise ChecksumMismatchError(
                "its checksum does not match: the stored bytes were changed after they were written "
                "(a damaged disk or file); log the step again"
            )
        return payload
    if blob[: len(_UNCHECKED_START)] != _UNCHECKED_START:
        raise CorruptSampleError("sample starts with neither a checksum nor a string tensor")
    return blob


@dataclasses.dataclass(frozen=True)
class StoredArray:
    """A raw little-endian array: dtype name, shape and its bytes (a view into the stored blob)."""

    dtype: str
    shape: tuple
    data: bytes


@dataclasses.dataclass(frozen=True)
class Sample:
    """One decoded sample: its kind, named arrays in stored order, and attribute descriptions.

    `attributes` lists `{"name", "placement", "components"}` dicts; each attribute's values and
    ranges are the arrays named by `schema.attribute_array_names`.
    """

    kind: str
    arrays: dict
    attributes: list = dataclasses.field(default_factory=list)


def _parse_tensor(raw, what):
    try:
        return tensor_proto.parse_tensor(raw)
    except tensor_proto.ProtoError as e:
        raise CorruptSampleError(f"{what} is not a serialized TensorProto: {e}") from None


def _decode_array(name, raw):
    proto = _parse_tensor(raw, f"array {name!r}")
    dtype = schema.DTYPES_BY_PROTO.get(proto.dtype)
    if dtype is None:
        raise CorruptSampleError(f"array {name!r} has unsupported dtype {proto.dtype}")
    if any(size < 0 for size in proto.shape):
        raise CorruptSampleError(f"array {name!r} has a negative dimension in shape {list(proto.shape)}")
    expected = math.prod(proto.shape) * dtype.item_size
    if len(proto.content) != expected:
        raise CorruptSampleError(
            f"array {name!r} holds {len(proto.content)} bytes; shape {list(proto.shape)} needs {expected}"
        )
    return StoredArray(dtype.name, proto.shape, proto.content)


def _check_against_schema(name, array):
    """Rejects an array of the schema with another dtype, rank or last axis (names it does not know pass)."""
    entry = schema.ARRAYS.get(name)
    if entry is not None and not (
        array.dtype in entry.dtypes and len(array.shape) == entry.rank and array.shape[-1] in entry.components
    ):
        raise CorruptSampleError(
            f"array {name!r} is {array.dtype} {list(array.shape)}, not {' or '.join(entry.dtypes)} {entry.shape}"
        )


def decode_sample(blob):
    """Decodes one stored sample (bytes) into a `Sample`; raises `CorruptSampleError`.

    Raises `ChecksumMismatchError` (a `CorruptSampleError`) if the sample has a checksum and its bytes
    do not match it.
    """
    outer = _parse_tensor(_verified(blob), "sample")
    if outer.dtype != types_pb2.DT_STRING or not outer.strings:
        raise CorruptSampleError("sample is not a non-empty string tensor")
    parts = outer.strings
    try:
        manifest = json.loads(bytes(parts[0]).decode("utf-8"))
        names = manifest["arrays"]
        kind = manifest["kind"]
        version = manifest["version"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError) as e:
        raise CorruptSampleError(f"sample manifest is unreadable: {e!r}") from None
    if version not in metadata.READABLE_VERSIONS:
        raise CorruptSampleError(f"sample has format version {version!r}; readable: {metadata.READABLE_VERSIONS}")
    if kind not in metadata.KINDS:
        raise CorruptSampleError(f"sample has unknown kind {kind!r}")
    if not isinstance(names, list) or len(names) != len(parts) - 1:
        raise CorruptSampleError("sample manifest does not match its arrays")
    attributes = metadata.check_attributes(manifest.get("attributes", []), CorruptSampleError)
    arrays = {name: _decode_array(name, raw) for name, raw in zip(names, parts[1:])}
    for name, array in arrays.items():
        _check_against_schema(name, array)
    for attribute in attributes:
        values, ranges = (arrays.get(n) for n in schema.attribute_array_names(attribute["name"]))
        components = attribute["components"]
        if not (
            values is not None
            and ranges is not None
            and values.dtype == ranges.dtype == schema.ATTRIBUTE_DTYPE
            and values.shape[-1:] == (components,)
            and ranges.shape == (components + 1, 2)
        ):
            raise CorruptSampleError(f"attribute {attribute['name']!r} does not match its stored arrays")
    return Sample(kind, arrays, attributes)

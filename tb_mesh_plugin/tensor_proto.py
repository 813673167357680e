"""A zero-copy reader of the few `TensorProto` fields a stored sample uses.

Parsing a serialized `TensorProto` with protobuf copies every bytes field, and a 1M-vertex step holds
tens of megabytes of them (the outer string tensor, then each array's `tensor_content`). This reader
walks the protobuf wire format and returns `memoryview` slices of the input instead: dtype (field
1), shape (field 2: `TensorShapeProto`, its dims' sizes), `tensor_content` (field 4) and `string_val`
(field 8). Other fields are skipped by their wire type.
"""

import dataclasses


class ProtoError(ValueError):
    """The bytes are not a well-formed serialized message."""


@dataclasses.dataclass(frozen=True)
class Tensor:
    dtype: int
    shape: tuple
    content: memoryview
    strings: list  # memoryviews of the string_val entries


def _varint(data, position):
    result, shift = 0, 0
    while True:
        if position >= len(data):
            raise ProtoError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise ProtoError("varint too long")


def _fields(data):
    """Yields `(field number, wire type, value)`: an int for varints, a memoryview for bytes."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, position = _varint(data, position)
        elif wire_type == 2:
            length, position = _varint(data, position)
            if position + length > len(data):
                raise ProtoError("length-delimited field runs past the end")
            value, position = data[position : position + length], position + length
        elif wire_type in (1, 5):
            position += 8 if wire_type == 1 else 4
            value = None
        else:
            raise ProtoError(f"unsupported wire type {wire_type}")
        if position > len(data):
            raise ProtoError("field runs past the end")
        yield number, wire_type, value


def _shape(data):
    sizes = []
    for number, wire_type, dim in _fields(data):
        if number == 2 and wire_type == 2:
            size = next((v for n, t, v in _fields(dim) if n == 1 and t == 0), 0)
            sizes.append(size - 2**64 if size >= 2**63 else size)
    return tuple(sizes)


def parse_tensor(raw):
    """Reads a serialized `TensorProto` (bytes-like) without copying; raises `ProtoError`."""
    data = memoryview(raw).cast("B") if not isinstance(raw, memoryview) or raw.format != "B" else raw
    dtype, shape, content, strings = 0, (), data[0:0], []
    for number, wire_type, value in _fields(data):
        if number == 1 and wire_type == 0:
            dtype = value
        elif number == 2 and wire_type == 2:
            shape = _shape(value)
        elif number == 4 and wire_type == 2:
            content = value
        elif number == 8 and wire_type == 2:
            strings.append(value)
    return Tensor(dtype, shape, content, strings)


def bytes_field(raw, number):
    """A view of bytes field `number` of a serialized message (the last one, as protobuf reads it), or b"".

    Raises `ProtoError`.
    """
    data = memoryview(raw).cast("B") if not isinstance(raw, memoryview) or raw.format != "B" else raw
    found = data[0:0]
    for field, wire_type, value in _fields(data):
        if field == number and wire_type == 2:
            found = value
    return found

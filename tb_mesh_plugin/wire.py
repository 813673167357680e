"""The binary format the `mesh` route answers with (docs/wire-format.md), version 1."""

import json
import struct

from tb_mesh_plugin import schema

MAGIC = b"TBM3"
VERSION = 1
_PREFIX = struct.Struct("<4sII")  # magic, version, header length
_ALIGN = 4


def _aligned(n):
    return -(-n // _ALIGN) * _ALIGN


def encode_parts(header, buffers):
    """Encodes a header dict and buffers into the parts of one response body, without copying the buffers.

    Args:
      header: JSON-serialisable dict of header fields (without "buffers").
      buffers: list of `(name, dtype, shape, data)` where `data` is bytes-like (a flat byte buffer) and
        `dtype` is one of `schema.WIRE_DTYPES`.

    Returns:
      A list of bytes-like parts whose concatenation is the body: the prefix and JSON header, then each
      buffer's data (the objects given) at a 4-byte-aligned offset, after its padding.
    """
    # The offsets are part of the header, so its length and the offsets are solved together.
    data_start = _aligned(_PREFIX.size)
    while True:
        entries, offset = [], data_start
        for name, dtype, shape, data in buffers:
            entries.append(
                {"name": name, "dtype": dtype, "shape": list(shape), "offset": offset, "byte_length": len(data)}
            )
            offset = _aligned(offset + len(data))
        header_bytes = json.dumps({**header, "buffers": entries}, separators=(",", ":")).encode("utf-8")
        needed = _aligned(_PREFIX.size + len(header_bytes))
        if needed == data_start:
            break
        data_start = needed
    parts = [_PREFIX.pack(MAGIC, VERSION, len(header_bytes)) + header_bytes]
    position = _PREFIX.size + len(header_bytes)
    for entry, (_, _, _, data) in zip(entries, buffers):
        if entry["offset"] > position:
            parts.append(b"\0" * (entry["offset"] - position))
        parts.append(data)
        position = entry["offset"] + len(data)
    return parts


def encode(header, buffers):
    """Encodes a header dict and buffers (as for `encode_parts`) into one response body (bytes)."""
    return b"".join(encode_parts(header, buffers))


def decode(body):
    """Decodes a response body into `(header, {name: (dtype, shape, memoryview)})`, for tools and tests.

    Raises:
      ValueError: if the body is not a well-formed version-1 message.
    """
    body = memoryview(body)
    if len(body) < _PREFIX.size:
        raise ValueError(f"body of {len(body)} bytes is shorter than the {_PREFIX.size}-byte prefix")
    magic, version, header_length = _PREFIX.unpack_from(body)
    if magic != MAGIC or version != VERSION:
        raise ValueError(f"not a version-{VERSION} {MAGIC.decode()} body (magic {magic!r}, version {version})")
    if _PREFIX.size + header_length > len(body):
        raise ValueError("header runs past the end of the body")
    header = json.loads(bytes(body[_PREFIX.size : _PREFIX.size + header_length]))
    buffers = {}
    for entry in header["buffers"]:
        offset, length = entry["offset"], entry["byte_length"]
        count = 1
        for size in entry["shape"]:
            count *= size
        if (
            offset % _ALIGN
            or offset + length > len(body)
            or length != count * schema.WIRE_DTYPES[entry["dtype"]].item_size
        ):
            raise ValueError(f"buffer {entry['name']!r} is misplaced or mis-sized")
        buffers[entry["name"]] = (entry["dtype"], tuple(entry["shape"]), body[offset : offset + length])
    return header, buffers

"""Damaging stored bytes in real event files the way a bad disk would, behind the loaders' backs."""

import struct

from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c


def _records(data):
    """Yields `(start, end)` of each TFRecord's payload in an event file's bytes."""
    position = 0
    while position + 12 <= len(data):
        (length,) = struct.unpack_from("<Q", data, position)
        start = position + 12
        yield start, start + length
        position = start + length + 4


def flip_byte_after(event_file, pattern, distance=0):
    """Flips the bits of the byte `distance` bytes after the first `pattern` in a record's payload.

    The record's own CRC is recomputed, so a loader that checks it (the Python loader; RustBoard
    with `--checksum`) reads the damaged record as written, as RustBoard by default reads any.
    """
    data = bytearray(event_file.read_bytes())
    for start, end in _records(data):
        found = data.find(pattern, start, end)
        if found >= 0:
            data[found + distance] ^= 0xFF
            struct.pack_into("<I", data, end, masked_crc32c(bytes(data[start:end])))
            event_file.write_bytes(bytes(data))
            return
    raise AssertionError(f"no record of {event_file} holds {pattern!r}")

"""Every array a summary stores and the `mesh` route sends: its name, placement, dtypes and shape rules.

This is the one table of the stored and wire formats (docs/wire-format.md). The summary writer, the
storage decoder (which rejects a sample whose arrays break these rules), the plugin, the previews
and the built-in reader look dtypes, placements and component counts up here;
`tests/tb_mesh_plugin/test_schema.py` checks the browser decoder's table (frontend/src/wire.js)
against it. Adding a per-vertex array is one entry in `ARRAYS`, its argument in `summary.py` and
`writer.py` (checked in `_arguments.py`, converted in `_samples.py`) and its use in the viewer.

Placement says what the rows of an array are: one per vertex (point), one per face, one per segment,
or `"none"` (a fixed-size array, such as a bounding box). Per-vertex arrays are strided by previews;
per-face and per-segment ones are dropped from them.
"""

import dataclasses

from tensorboard.compat.proto import types_pb2

VERTEX, FACE, SEGMENT, NONE = "vertex", "face", "segment", "none"
# Where an attribute lives: one row per vertex (point) or one row per face.
ATTRIBUTE_PLACEMENTS = (VERTEX, FACE)
# Attributes have 1 (scalar) to 4 components per row.
MAX_ATTRIBUTE_COMPONENTS = 4


@dataclasses.dataclass(frozen=True)
class DType:
    """A dtype of a stored array and how it is sent.

    Attributes:
      name: the stored dtype's name, as in NumPy ("int32").
      proto: its `types_pb2` enum, as in the stored `TensorProto`.
      wire: the dtype the `mesh` route sends it as: stored int32 indices are checked non-negative when
        written, so they are sent unchanged as uint32.
    """

    name: str
    proto: int
    wire: str

    @property
    def item_size(self):
        """Bytes per element, stored and on the wire."""
        return WIRE_DTYPES[self.wire].item_size


@dataclasses.dataclass(frozen=True)
class WireDType:
    """A dtype of the wire format: its little-endian NumPy dtype and element size in bytes."""

    name: str
    numpy: str
    item_size: int


WIRE_DTYPES = {
    d.name: d
    for d in (
        WireDType("float32", "<f4", 4),
        WireDType("uint32", "<u4", 4),
        WireDType("uint8", "u1", 1),
        WireDType("float16", "<f2", 2),  # IEEE half: quantised positions
        WireDType("uint16", "<u2", 2),  # 16-bit fixed point: quantised positions
    )
}
DTYPES = {
    d.name: d
    for d in (
        DType("float32", types_pb2.DT_FLOAT, "float32"),
        DType("int32", types_pb2.DT_INT32, "uint32"),
        DType("uint8", types_pb2.DT_UINT8, "uint8"),
        DType("float16", types_pb2.DT_HALF, "float16"),
        DType("uint16", types_pb2.DT_UINT16, "uint16"),
    )
}
DTYPES_BY_PROTO = {d.proto: d for d in DTYPES.values()}


@dataclasses.dataclass(frozen=True)
class Array:
    """One stored array.

    Attributes:
      name: its name in the stored sample and on the wire.
      placement: `VERTEX`, `FACE`, `SEGMENT` or `NONE` (what its rows are).
      dtypes: the stored dtypes it may have; the first is the one summaries store unless quantised.
      components: the sizes its last axis may have.
      shape: its stored shape, for error messages and docs.
      batchable: whether a batch may give each sample its own (True) or always shares one (False).
    """

    name: str
    placement: str
    dtypes: tuple
    components: tuple
    shape: str
    batchable: bool

    @property
    def rank(self):
        """The number of axes of its stored shape."""
        return self.shape.count(",") + 1

    @property
    def wire_dtypes(self):
        """The dtypes it may have on the wire."""
        return tuple(DTYPES[d].wire for d in self.dtypes)

    @property
    def wire_dtype(self):
        """The `WireDType` its usual stored dtype (the first of `dtypes`) is sent as."""
        return WIRE_DTYPES[DTYPES[self.dtypes[0]].wire]


ARRAYS = {
    a.name: a
    for a in (
        Array("vertices", VERTEX, ("float32", "float16", "uint16"), (3,), "[N, 3]", True),
        Array("position_offset", NONE, ("float32",), (3,), "[3]", True),
        Array("position_scale", NONE, ("float32",), (3,), "[3]", True),
        Array("position_bounds", NONE, ("float32",), (3,), "[2, 3]", True),
        Array("faces", FACE, ("int32",), (3,), "[F, 3]", False),
        Array("segments", SEGMENT, ("int32",), (2,), "[E, 2]", False),
        Array("colors", VERTEX, ("uint8",), (3, 4), "[N, C]", True),
        Array("face_colors", FACE, ("uint8",), (3, 4), "[F, C]", False),
    )
}
# The index array of each kind that has one.
INDICES = {"mesh": ARRAYS["faces"], "lines": ARRAYS["segments"]}

ATTRIBUTE_VALUES_PREFIX = "attribute/"
ATTRIBUTE_RANGES_PREFIX = "attribute_range/"
# Attribute values `[R, K]` (R rows at the attribute's placement, K components) and ranges `[K + 1, 2]`.
ATTRIBUTE_DTYPE = "float32"
ATTRIBUTE_COMPONENTS = tuple(range(1, MAX_ATTRIBUTE_COMPONENTS + 1))


def attribute_array_names(name):
    """The stored array names of attribute `name`: its values `[R, K]` and its ranges `[K + 1, 2]`."""
    return f"{ATTRIBUTE_VALUES_PREFIX}{name}", f"{ATTRIBUTE_RANGES_PREFIX}{name}"

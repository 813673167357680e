"""A decimated preview of one step: every k-th vertex, for `?max_points=N` (docs/http-api.md).

The viewer fetches a preview of a large step first and draws it as points while the full step loads.
Striding the stored arrays is a NumPy slice and one copy of the rows kept, so a preview costs a
fraction of the full step; faces, segments and per-face arrays are dropped (a strided subset of
vertices has no faces), per-vertex colours and attributes keep the same rows, and the stored ranges
(of the whole step) are kept, so colours mean the same in the preview and the full step.
"""

import numpy as np

# Arrays with one row per vertex, besides the vertex attributes' values.
_VERTEX_ROWS = ("vertices", "colors")
# Arrays that index or describe faces and segments.
_FACE_ROWS = ("faces", "segments", "face_colors")
_NUMPY_DTYPES = {"float32": "<f4", "uint32": "<u4", "uint8": "u1", "float16": "<f2", "uint16": "<u2"}


def stride_for(vertex_count, max_points):
    """The stride that keeps at most `max_points` (>= 1) of `vertex_count` vertices."""
    return max(1, -(-vertex_count // max_points))


def decimate(buffers, attributes, max_points):
    """Strides a step's buffers down to at most `max_points` vertices.

    Args:
      buffers: `[(name, dtype, shape, data)]` as for `wire.encode`.
      attributes: the step's attribute descriptions (`name`, `placement`, `values`, `ranges`).
      max_points: a positive int.

    Returns:
      `(buffers, attributes, preview)`: the strided buffers, the attributes still present (per-vertex
      ones), and the header's `preview` field `{"stride", "vertex_count"}`; or the inputs and None when
      the step already has at most `max_points` vertices.
    """
    shapes = {name: shape for name, _, shape, _ in buffers}
    vertex_count = shapes["vertices"][0]
    if vertex_count <= max_points:
        return buffers, attributes, None
    stride = stride_for(vertex_count, max_points)
    kept_attributes = [a for a in attributes if a["placement"] == "vertex"]
    vertex_rows = set(_VERTEX_ROWS) | {a["values"] for a in kept_attributes}
    dropped = set(_FACE_ROWS) | {a["values"] for a in attributes if a["placement"] != "vertex"}
    dropped |= {a["ranges"] for a in attributes if a["placement"] != "vertex"}
    out = []
    for name, dtype, shape, data in buffers:
        if name in dropped:
            continue
        if name in vertex_rows:
            rows = np.frombuffer(data, _NUMPY_DTYPES[dtype]).reshape(shape)[::stride]
            out.append((name, dtype, rows.shape, np.ascontiguousarray(rows).tobytes()))
        else:
            out.append((name, dtype, shape, data))
    return out, kept_attributes, {"stride": stride, "vertex_count": vertex_count}

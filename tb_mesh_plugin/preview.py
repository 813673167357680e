"""A decimated preview of one step: every k-th vertex, for `?max_points=N` (docs/http-api.md).

The viewer fetches a preview of a large step first and draws it as points while the full step loads.
Striding the stored arrays is a NumPy slice and one copy of the rows kept, so a preview costs a
fraction of the full step; faces, segments and per-face arrays are dropped (a strided subset of
vertices has no faces), per-vertex colours and attributes keep the same rows, and the stored ranges
(of the whole step) are kept, so colours mean the same in the preview and the full step.
"""

import numpy as np

from tb_mesh_plugin import schema


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
    kept_attributes = [a for a in attributes if a["placement"] == schema.VERTEX]
    placements = {name: array.placement for name, array in schema.ARRAYS.items()}
    placements.update({a["values"]: a["placement"] for a in attributes})
    # A dropped attribute's ranges go with it; a kept one's describe the whole step and stay as they are.
    dropped = {a["ranges"] for a in attributes if a["placement"] != schema.VERTEX}
    out = []
    for name, dtype, shape, data in buffers:
        placement = placements.get(name, schema.NONE)
        if placement in (schema.FACE, schema.SEGMENT) or name in dropped:
            continue
        if placement == schema.VERTEX:
            rows = np.frombuffer(data, schema.WIRE_DTYPES[dtype].numpy).reshape(shape)[::stride]
            out.append((name, dtype, rows.shape, np.ascontiguousarray(rows).tobytes()))
        else:
            out.append((name, dtype, shape, data))
    return out, kept_attributes, {"stride": stride, "vertex_count": vertex_count}

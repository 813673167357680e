"""Areas and angles of triangle meshes.

Vertices are `[A1, ..., An, V, 3]` and faces are integer vertex indices `[A1, ..., An, F, 3]`; the
batch dimensions broadcast, so faces `[F, 3]` are shared by every mesh of a batch. Degenerate
triangles have zero area, and values and gradients stay finite.

Not in TensorFlow Graphics, which has per-triangle `triangle.area` (see `graphics_ops.mesh.triangle`).
"""

import tensorflow as tf

from graphics_ops.mesh import _common, triangle
from graphics_ops.util import safe_ops, shape, trace_hook, vector


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def face_areas(vertices, faces, name="mesh_face_areas"):
    """Area of each triangle: `[A1, ..., An, F]`."""
    with tf.name_scope(name):
        v0, v1, v2 = _corners(vertices, faces)
        return 0.5 * safe_ops.norm(vector.cross(v1 - v0, v2 - v0), keepdims=False)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def surface_area(vertices, faces, name="mesh_surface_area"):
    """Total area of each mesh: `[A1, ..., An]`."""
    with tf.name_scope(name):
        return tf.reduce_sum(face_areas(vertices, faces), axis=-1)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def face_angles(vertices, faces, name="mesh_face_angles"):
    """Interior angle of each triangle at each of its corners, in radians (see `triangle.angles`).

    A tensor `[A1, ..., An, F, 3]`: the angles at the corners `faces[..., 0]`, `faces[..., 1]` and
    `faces[..., 2]`.
    """
    with tf.name_scope(name):
        return triangle._angles(*_corners(vertices, faces))


def _corners(vertices, faces):
    vertices, faces = shape.check_inputs(vertices=(vertices, ("V", 3)), faces=(faces, ("F", 3)), integer=("faces",))
    return tf.unstack(_common.gather_corners(vertices, faces), axis=-2)

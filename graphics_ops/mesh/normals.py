"""Face and vertex normals of meshes (TensorFlow Graphics' `geometry.representation.mesh.normals`).

Vertices are `[A1, ..., An, V, 3]` and faces are integer vertex indices `[A1, ..., An, F, M]`; the
batch dimensions broadcast, so faces `[F, M]` are shared by every mesh of a batch. Faces are
triangles (M = 3) or planar convex polygons (M > 3), which are split into triangles around their
first corner.

Degenerate faces (zero area, or a cross product at rounding level: see `triangle`) contribute
nothing; a vertex whose faces are all degenerate, or that no face uses, gets the zero normal.
Values and gradients stay finite.

Extra: `vertex_normals(..., weighting="angle")`.
"""

import tensorflow as tf

from graphics_ops.mesh import _common, triangle
from graphics_ops.util import safe_ops, shape, trace_hook

WEIGHTINGS = ("area", "angle")


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def gather_faces(vertices, indices, name="normals_gather_faces"):
    """The vertices (or any per-vertex attribute) of each face.

    Args:
      vertices: A tensor of shape `[A1, ..., An, V, D]`.
      indices: An integer tensor of shape `[A1, ..., An, F, M]`: M vertex indices per face.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, F, M, D]`, with the broadcast batch dimensions.
    """
    with tf.name_scope(name):
        vertices, indices = shape.check_inputs(
            vertices=(vertices, ("V", "D")), indices=(indices, ("F", "M")), integer=("indices",)
        )
        return _common.gather_corners(vertices, indices)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def face_normals(faces, clockwise=True, normalize=True, name="normals_face_normals"):
    """Normals of faces given by the positions of their corners; only the first three are used.

    With the default `clockwise=True` this is `(v1 - v0) × (v2 - v0)`, the outward normal of a mesh
    wound counterclockwise (OpenGL, trimesh); `clockwise=False` negates it. Degenerate faces get
    the zero vector when normalized.

    Args:
      faces: A tensor of shape `[A1, ..., An, M, 3]` with M >= 3: corner positions, for example from
        `gather_faces(vertices, indices)`.
      clockwise: A Python bool; False negates the normals.
      normalize: A Python bool; False returns cross products, whose length is twice the area.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        (faces,) = shape.check_inputs(faces=(faces, (None, 3)))
        if faces.shape[-2] is not None and faces.shape[-2] < 3:
            raise ValueError(f"faces must have shape [A1, ..., An, M, 3] with M >= 3, got {faces.shape.as_list()}")
        v0, v1, v2 = tf.unstack(faces[..., :3, :], axis=-2)
        return triangle._normal(v0, v1, v2, clockwise=clockwise, normalize=normalize)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def vertex_normals(vertices, indices, clockwise=True, weighting="area", name="normals_vertex_normals"):
    """Unit vertex normals: the normalized sum of the normals of the faces around each vertex.

    Args:
      vertices: A tensor of shape `[A1, ..., An, V, 3]`.
      indices: An integer tensor of shape `[A1, ..., An, F, M]` with M >= 3 known while tracing:
        vertex indices of each face, wound counterclockwise seen from outside for outward normals
        with `clockwise=True`.
      clockwise: A Python bool; False negates the normals (see `face_normals`).
      weighting: "area" (TensorFlow Graphics' weighting, by face area) or "angle" (by the interior
        angle of the face at the vertex, as trimesh does; independent of how a surface is split
        into triangles).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, V, 3]`, with the broadcast batch dimensions: unit vectors, or
      zero where every face around the vertex is degenerate (see `triangle`), or where the normals
      of the faces cancel (up to rounding: their sum is shorter than 16 eps times the sum of their
      lengths).

    Raises:
      ValueError: If `weighting` is not one of "area" and "angle", or for bad shapes.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    with tf.name_scope(name):
        vertices, indices = shape.check_inputs(
            vertices=(vertices, ("V", 3)), indices=(indices, ("F", "M")), integer=("indices",)
        )
        if indices.shape[-1] is None or indices.shape[-1] < 3:
            raise ValueError(
                "indices must have shape [A1, ..., An, F, M] with a statically known M >= 3, got "
                f"{indices.shape.as_list()}"
            )
        triangles = _common.fan_triangles(indices)
        corners = _common.gather_corners(vertices, triangles)
        v0, v1, v2 = tf.unstack(corners, axis=-2)
        weighted = _corner_normals(v0, v1, v2, weighting)
        if not clockwise:
            weighted = -weighted
        # The sum of the contributions' lengths rides along in a fourth channel: where the normals
        # around a vertex cancel, their sum is rounding noise, whose direction means nothing.
        contributions = tf.concat([weighted, safe_ops.norm(weighted)], axis=-1)
        summed, magnitude = tf.split(
            _common.scatter_corners(contributions, triangles, tf.shape(vertices)[-2]), [3, 1], -1
        )
        minimum_length = 16.0 * safe_ops.eps(summed.dtype) * magnitude + safe_ops.tiny(summed.dtype)
        return safe_ops.normalize(summed, minimum_length=minimum_length)


def _corner_normals(v0, v1, v2, weighting):
    """Weighted normals `[..., F, 3, 3]` each face contributes to its three corners."""
    cross = triangle._normal(v0, v1, v2, clockwise=True, normalize=False)
    # Degenerate triangles contribute nothing: their cross products are rounding noise.
    rounding_level = triangle._rounding_level(v0, v1, v2)[..., None]
    if weighting == "area":
        cross = tf.where(safe_ops.norm(cross) > rounding_level, cross, tf.zeros_like(cross))
        return tf.stack([cross, cross, cross], axis=-2)
    unit = safe_ops.normalize(cross, minimum_length=rounding_level)
    return triangle._angles(v0, v1, v2)[..., :, None] * unit[..., None, :]

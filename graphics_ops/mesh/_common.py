"""Private helpers of graphics_ops.mesh: gathers and scatters along faces."""

import tensorflow as tf

from graphics_ops.util import batch_dims, shape


def gather_corners(vertices, faces):
    """The vertices of each face: `[A1, ..., An, V, D]` and `[A1, ..., An, F, M]` to `[..., F, M, D]`.

    Shared faces `[F, M]` are gathered from every mesh of the batch without copying them.
    """
    if faces.shape.rank == 2:
        return tf.gather(vertices, faces, axis=-2)
    vertices, faces = shape.broadcast((vertices, 2), (faces, 2))
    return tf.gather(vertices, faces, axis=-2, batch_dims=faces.shape.rank - 2)


def scatter_corners(values, faces, num_vertices):
    """Sums per-corner values `[A1, ..., An, F, M, C]` into `[A1, ..., An, V, C]` along `faces`.

    The batch dimensions of `faces` broadcast to those of `values`. One unsorted segment sum over
    the flattened batch: each mesh of the batch gets its own block of V segments.
    """
    static_batch = values.shape[:-3]
    faces = tf.broadcast_to(faces, tf.concat([tf.shape(values)[:-3], tf.shape(faces)[-2:]], 0))
    values, batch = batch_dims.flatten(values, 3)
    faces, _ = batch_dims.flatten(faces, 2)
    meshes = tf.shape(values)[0]
    num_vertices = tf.cast(num_vertices, faces.dtype)
    offsets = tf.range(tf.cast(meshes, faces.dtype), dtype=faces.dtype) * num_vertices
    ids = tf.reshape(faces + offsets[:, None, None], [-1])
    channels = tf.shape(values)[-1]
    summed = tf.math.unsorted_segment_sum(
        tf.reshape(values, [-1, channels]), ids, tf.cast(meshes, faces.dtype) * num_vertices
    )
    summed = tf.reshape(summed, tf.stack([meshes, tf.cast(num_vertices, tf.int32), channels]))
    static_vertices = tf.get_static_value(num_vertices)
    summed.set_shape([None, None if static_vertices is None else int(static_vertices), values.shape[-1]])
    return batch_dims.unflatten(summed, batch, static_batch)


def fan_triangles(faces):
    """Splits polygons `[..., F, M]` (M >= 3) into triangles `[..., F * (M - 2), 3]` around corner 0."""
    corners = faces.shape[-1]
    if corners == 3:
        return faces
    triangles = [tf.gather(faces, [0, k, k + 1], axis=-1) for k in range(1, corners - 1)]
    return tf.concat(triangles, axis=-2)

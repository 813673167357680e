"""Private helpers of graphics_ops.mesh: batch flattening, gathers and scatters along faces."""

import functools

import tensorflow as tf

from graphics_ops.util import shape


def flatten_batch(tensor, inner_rank):
    """Reshapes `[A1, ..., An, *inner]` to `[A1 * ... * An, *inner]`; returns it and `[A1, ..., An]`."""
    batch = tf.shape(tensor)[: tensor.shape.rank - inner_rank]
    inner = tf.shape(tensor)[tensor.shape.rank - inner_rank :]
    flat = tf.reshape(tensor, tf.concat([[-1], inner], 0))
    static_inner = tensor.shape[tensor.shape.rank - inner_rank :]
    flat.set_shape([_static_product(tensor.shape[: tensor.shape.rank - inner_rank])] + static_inner.as_list())
    return flat, batch


def unflatten_batch(tensor, batch, static_batch):
    """Inverse of `flatten_batch`: `[B, *inner]` to `[A1, ..., An, *inner]`."""
    inner = tf.shape(tensor)[1:]
    result = tf.reshape(tensor, tf.concat([batch, inner], 0))
    result.set_shape(tf.TensorShape(static_batch).concatenate(tensor.shape[1:]))
    return result


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
    values, batch = flatten_batch(values, 3)
    faces, _ = flatten_batch(faces, 2)
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
    return unflatten_batch(summed, batch, static_batch)


def fan_triangles(faces):
    """Splits polygons `[..., F, M]` (M >= 3) into triangles `[..., F * (M - 2), 3]` around corner 0."""
    corners = faces.shape[-1]
    if corners == 3:
        return faces
    triangles = [tf.gather(faces, [0, k, k + 1], axis=-1) for k in range(1, corners - 1)]
    return tf.concat(triangles, axis=-2)


def _static_product(dims):
    sizes = dims.as_list() if isinstance(dims, tf.TensorShape) else list(dims)
    if any(size is None for size in sizes):
        return None
    return functools.reduce(lambda a, b: a * b, sizes, 1)

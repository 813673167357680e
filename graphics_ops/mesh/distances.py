"""Chamfer and Hausdorff distances between point sets, computed in tiles.

Point sets are `[A1, ..., An, N, D]` and `[A1, ..., An, M, D]`: batch dimensions broadcast, and the
sets may differ in size but not in dimension D. The definitions are those of TensorFlow Graphics'
`nn.loss.chamfer_distance.evaluate` (a sum of mean squared distances to the nearest point) and
`nn.loss.hausdorff_distance.evaluate` (directed; not squared).

Memory: the N × M table of distances is never built. Nearest neighbours are searched in tiles of
`chunk_size` rows of the first set against the whole second set, one tile at a time, so the peak is
a few tiles of `batch × chunk_size × M` distances (a tile is 40 MB for chunk_size = 1024 and
M = 10 000 in float32) plus O(batch × (N + M)); lower `chunk_size` to trade speed for memory. The
symmetric distances do not depend on the order of the sets: passing the larger one first makes
the tiles smaller.

Gradients: the search runs without gradients; the distances to the neighbours found are then
recomputed differentiably from the points, so the backward pass also needs only
O(batch × (N + M)) memory, and its gradients are the exact gradients of the distances (away from
ties, where nearest neighbours are not unique).

Empty point sets raise an error naming the argument: `ValueError` when the size is known while
tracing, `tf.errors.InvalidArgumentError` at run time. Under `jit_compile`, where run-time asserts
are not executed, an empty set found only at run time makes compilation fail with TensorFlow's own
`InvalidArgumentError`, which does not name the argument.

Not in TensorFlow Graphics: `nearest_neighbors`, `hausdorff_distance(..., symmetric=True)`,
the tiling.
"""

import tensorflow as tf

from graphics_ops.util import arguments, batch_dims, safe_ops, shape, trace_hook

DEFAULT_CHUNK_SIZE = 1024


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def nearest_neighbors(point_set_a, point_set_b, chunk_size=DEFAULT_CHUNK_SIZE, name="mesh_nearest_neighbors"):
    """For each point of `point_set_a`, its nearest point in `point_set_b` and their squared distance.

    Args:
      point_set_a: A tensor of shape `[A1, ..., An, N, D]`.
      point_set_b: A tensor of shape `[A1, ..., An, M, D]`.
      chunk_size: A Python int: rows of `point_set_a` per tile (see the module's notes on memory).
      name: A name for this op.

    Returns:
      A tuple `(squared_distances, indices)`: a float tensor of shape `[A1, ..., An, N]`,
      differentiable with respect to both sets, and an int32 tensor of shape `[A1, ..., An, N]`
      of indices into `point_set_b`.
    """
    with tf.name_scope(name):
        a, b = _check(point_set_a, point_set_b)
        (a, b), batch, static_batch = _flatten(a, b)
        indices, _ = _nearest_indices(a, b, chunk_size, both=False)
        distances = _squared_distances(a, b, indices)
        return (
            batch_dims.unflatten(distances, batch, static_batch),
            batch_dims.unflatten(indices, batch, static_batch),
        )


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def chamfer_distance(point_set_a, point_set_b, chunk_size=DEFAULT_CHUNK_SIZE, name="mesh_chamfer_distance"):
    """Symmetric Chamfer distance: mean over a of min over b of |a - b|², plus the same from b to a.

    Args:
      point_set_a: A tensor of shape `[A1, ..., An, N, D]`, N > 0.
      point_set_b: A tensor of shape `[A1, ..., An, M, D]`, M > 0.
      chunk_size: A Python int: rows of `point_set_a` per tile (see the module's notes on memory).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`.
    """

    def both_ways(a, b, a_to_b, b_to_a):
        return tf.reduce_mean(_squared_distances(a, b, a_to_b), -1) + tf.reduce_mean(
            _squared_distances(b, a, b_to_a), -1
        )

    with tf.name_scope(name):
        return _over_nearest(point_set_a, point_set_b, chunk_size, True, both_ways)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def hausdorff_distance(
    point_set_a, point_set_b, symmetric=False, chunk_size=DEFAULT_CHUNK_SIZE, name="mesh_hausdorff_distance"
):
    """Hausdorff distance: the largest distance from a point of a to its nearest point of b.

    Its gradient flows through the one pair of points that attains it; it is finite (zero) where
    that distance is zero.

    Args:
      point_set_a: A tensor of shape `[A1, ..., An, N, D]`, N > 0.
      point_set_b: A tensor of shape `[A1, ..., An, M, D]`, M > 0.
      symmetric: A Python bool: False for the directed distance from a to b (TensorFlow
        Graphics'), True for the larger of the two directed distances.
      chunk_size: A Python int: rows of `point_set_a` per tile (see the module's notes on memory).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`.
    """

    def largest(a, b, a_to_b, b_to_a):
        distance = tf.reduce_max(_distances(a, b, a_to_b), axis=-1)
        return tf.maximum(distance, tf.reduce_max(_distances(b, a, b_to_a), axis=-1)) if symmetric else distance

    with tf.name_scope(name):
        return _over_nearest(point_set_a, point_set_b, chunk_size, symmetric, largest)


def _over_nearest(point_set_a, point_set_b, chunk_size, both, reduce):
    """`reduce(a, b, a_to_b, b_to_a)` `[B]` of the checked point sets flattened to `[B, N, D]` and
    `[B, M, D]` and the indices of each point's nearest in the other set (b's only if `both`), shaped
    back to `[A1, ..., An]`."""
    a, b = _check(point_set_a, point_set_b)
    (a, b), batch, static_batch = _flatten(a, b)
    a_to_b, b_to_a = _nearest_indices(a, b, chunk_size, both=both)
    return batch_dims.unflatten(reduce(a, b, a_to_b, b_to_a), batch, static_batch)


def _check(point_set_a, point_set_b):
    a, b = shape.check_inputs(point_set_a=(point_set_a, ("N", "D")), point_set_b=(point_set_b, ("M", "D")))
    checks = []
    for name, tensor in (("point_set_a", a), ("point_set_b", b)):
        size = tensor.shape[-2]
        message = f"{name} must not be empty: a point set needs at least one point, got shape"
        if size == 0:
            raise ValueError(f"{message} {tensor.shape.as_list()}")
        if size is None:
            checks.append(tf.debugging.Assert(tf.shape(tensor)[-2] > 0, [message, tf.shape(tensor)]))
    if checks:
        with tf.control_dependencies(checks):
            a, b = tf.identity(a), tf.identity(b)
    return a, b


def _flatten(a, b):
    """Broadcasts the batch dimensions and flattens them: `[B, N, D]`, `[B, M, D]`."""
    a, b = shape.broadcast((a, 2), (b, 2))
    static_batch = a.shape[:-2]
    flat_a, batch = batch_dims.flatten(a, 2)
    flat_b, _ = batch_dims.flatten(b, 2)
    return (flat_a, flat_b), batch, static_batch


def _squared_distances(a, b, indices):
    """|a_i - b_indices[i]|² for `[B, N, D]`, `[B, M, D]` and int `[B, N]`: differentiable."""
    nearest = tf.gather(b, indices, axis=1, batch_dims=1)
    return tf.reduce_sum(tf.square(a - nearest), axis=-1)


def _distances(a, b, indices):
    nearest = tf.gather(b, indices, axis=1, batch_dims=1)
    return safe_ops.norm(a - nearest, keepdims=False)


def _nearest_indices(a, b, chunk_size, both):
    """Indices `[B, N]` of the nearest point of b to each point of a, and `[B, M]` the other way.

    Runs without gradients over tiles of `chunk` rows of a: |a|² + |b|² - 2 a·b as one matmul per
    tile, after moving both sets to their common centroid to limit cancellation. Each tile also
    yields, for every point of b, its nearest point among the tile's rows; the best over the tiles
    is picked at the end, from K = ceil(N / chunk) candidates per point of b.
    """
    chunk_size = arguments.check_positive_int(chunk_size, "chunk_size")
    a, b = tf.stop_gradient(a), tf.stop_gradient(b)
    count_a, count_b = tf.shape(a)[1], tf.shape(b)[1]
    total = tf.cast(count_a + count_b, a.dtype)
    center = (tf.reduce_sum(a, axis=1, keepdims=True) + tf.reduce_sum(b, axis=1, keepdims=True)) / total
    a, b = a - center, b - center
    squared_b = tf.reduce_sum(tf.square(b), axis=-1)
    if a.shape[1] is not None and a.shape[1] <= chunk_size:
        # One tile: no loop (cheaper to trace and compile).
        squared = tf.reduce_sum(tf.square(a), axis=-1)[:, :, None] + squared_b[:, None, :]
        squared -= 2.0 * tf.matmul(a, b, transpose_b=True)
        a_to_b = tf.argmin(squared, axis=-1, output_type=tf.int32)
        return a_to_b, tf.argmin(squared, axis=1, output_type=tf.int32) if both else None
    chunk = tf.minimum(chunk_size, count_a)
    tiles = (count_a + chunk - 1) // chunk
    padded = tf.pad(a, [[0, 0], [0, tiles * chunk - count_a], [0, 0]])
    meshes, dims = tf.shape(a)[0], tf.shape(a)[2]
    rows = tf.transpose(tf.reshape(padded, tf.stack([meshes, tiles, chunk, dims])), [1, 0, 2, 3])
    infinity = tf.constant(float("inf"), a.dtype)

    def tile(inputs):
        rows_a, first = inputs
        squared = tf.reduce_sum(tf.square(rows_a), axis=-1)[:, :, None] + squared_b[:, None, :]
        squared -= 2.0 * tf.matmul(rows_a, b, transpose_b=True)
        nearest_b = tf.argmin(squared, axis=-1, output_type=tf.int32)
        if not both:
            return nearest_b, tf.zeros([meshes, 0], a.dtype), tf.zeros([meshes, 0], tf.int32)
        valid = tf.range(chunk) + first < count_a
        squared = tf.where(valid[None, :, None], squared, infinity)
        return nearest_b, tf.reduce_min(squared, axis=1), tf.argmin(squared, axis=1, output_type=tf.int32) + first

    nearest_b, best, nearest_a = tf.map_fn(
        tile,
        (rows, tf.range(tiles) * chunk),
        fn_output_signature=(tf.int32, a.dtype, tf.int32),
        parallel_iterations=1,
    )
    a_to_b = tf.reshape(tf.transpose(nearest_b, [1, 0, 2]), tf.stack([meshes, -1]))[:, :count_a]
    if not both:
        return a_to_b, None
    best_tile = tf.argmin(best, axis=0, output_type=tf.int32)
    b_to_a = tf.gather(tf.transpose(nearest_a, [1, 2, 0]), best_tile, axis=2, batch_dims=2)
    return a_to_b, b_to_a

"""Neighbourhoods: mesh adjacency, k-nearest-neighbour graphs, and the two forms of `neighbors`.

The graph ops take neighbourhoods either as a `tf.sparse.SparseTensor` adjacency `[A1, ..., An, V, V]`
(TensorFlow Graphics' form) or as a pair of dense tensors `(edges, weights)`: `[A1, ..., An, E, 2]`
integer (i, j) pairs, rows [-1, -1] for padding, and `[A1, ..., An, E]` weights (the form Keras
layers take; see `graphics_ops.nn`). `sparse_to_edges` and `edges_to_sparse` convert between them.

- `adjacency_from_faces`: the vertex adjacency of a mesh, row-normalised (weights 1/deg),
  optionally with self loops, as FeaStNet expects. Not for `jit_compile` (its number of entries
  depends on the faces' values), like `graphics_ops.mesh.edges`.
- `k_nearest_neighbors` and `knn_graph`: the k nearest points of each point, searched in tiles of
  `chunk_size` rows, so memory stays at `B × chunk_size × N` distances however large N is (the
  tiling of `graphics_ops.mesh.distances`); they support `jit_compile`.
"""

import tensorflow as tf

from graphics_ops.mesh import edges as edges_lib
from graphics_ops.nn import _graph
from graphics_ops.util import arguments, batch_dims, shape, trace_hook

DEFAULT_CHUNK_SIZE = 1024


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def adjacency_from_faces(
    faces, num_vertices, self_loops=True, normalize=True, dtype=tf.float32, name="neighbourhood_adjacency_from_faces"
):
    """The vertex adjacency of a mesh: j is a neighbour of i when an edge of a face joins them.

    Args:
      faces: An integer tensor of shape `[F, M]`: vertex indices of each face (M = 3 for triangles),
        below `num_vertices`; edges join consecutive corners (`graphics_ops.mesh.edges.unique_edges`).
      num_vertices: V, a Python int or scalar integer tensor.
      self_loops: Whether each vertex is its own neighbour (entries (i, i)), as FeaStNet expects.
        Vertices in no face then have one neighbour, themselves.
      normalize: Whether the weights of each row are 1 / (its number of entries), so that rows sum
        to 1; otherwise every weight is 1.
      dtype: The floating dtype of the weights.
      name: A name for this op.

    Returns:
      A `tf.sparse.SparseTensor` of dense shape `[V, V]`, symmetric in its pattern, with entries in
      canonical (row-major) order.
    """
    with tf.name_scope(name):
        (faces,) = shape.check_inputs(faces=(faces, ("F", "M")), integer=("faces",), unbatched=("faces",))
        count = tf.cast(num_vertices, tf.int64)
        faces, _ = _graph.check_edges(tf.cast(faces, tf.int64), count, arg="faces")
        pairs = tf.cast(edges_lib.unique_edges(faces), tf.int64)
        rows, cols = [pairs[:, 0], pairs[:, 1]], [pairs[:, 1], pairs[:, 0]]
        if self_loops:
            rows.append(tf.range(count))
            cols.append(tf.range(count))
        rows, cols = tf.concat(rows, 0), tf.concat(cols, 0)
        order = tf.argsort(rows * count + cols)
        rows, cols = tf.gather(rows, order), tf.gather(cols, order)
        ones = tf.ones(tf.shape(rows), dtype)
        values = ones / tf.gather(tf.math.unsorted_segment_sum(ones, rows, count), rows) if normalize else ones
        return tf.sparse.SparseTensor(tf.stack([rows, cols], axis=-1), values, tf.stack([count, count]))


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def k_nearest_neighbors(
    points, k, include_self=True, chunk_size=DEFAULT_CHUNK_SIZE, name="neighbourhood_k_nearest_neighbors"
):
    """The indices of the k nearest points of each point (Euclidean), nearest first.

    Ties go to the lower index. Not differentiable (indices); gradients flow through whatever is
    gathered with them.

    Args:
      points: A float tensor of shape `[A1, ..., An, N, D]`: positions, or any features.
      k: A positive Python int, at most N (N - 1 without self).
      include_self: Whether a point counts as its own nearest neighbour (it then comes first,
        unless another point coincides with it and has a lower index).
      chunk_size: A positive Python int: rows of the distance table per tile.
      name: A name for this op.

    Returns:
      An int32 tensor of shape `[A1, ..., An, N, k]`.

    Raises:
      ValueError: If `k` or `chunk_size` is not a positive int, or `k` exceeds the points known
        while tracing.
      tf.errors.InvalidArgumentError: If `k` exceeds the number of points at run time.
    """
    arguments.check_positive_int(k, "k")
    arguments.check_positive_int(chunk_size, "chunk_size")
    with tf.name_scope(name):
        (points,) = shape.check_inputs(points=(points, ("N", "D")))
        candidates = k if include_self else k + 1
        message = f"k must be at most the number of points N{'' if include_self else ' - 1 (include_self=False)'}"
        if points.shape[-2] is not None and points.shape[-2] < candidates:
            raise ValueError(f"{message}, got k={k} for N={points.shape[-2]}")
        count = tf.shape(points)[-2]
        check = tf.debugging.Assert(count >= candidates, [f"{message}, got k={k} for N =", count])
        with tf.control_dependencies([check]):
            flat, batch = batch_dims.flatten(tf.stop_gradient(points), 2)
        flat -= tf.reduce_mean(flat, axis=1, keepdims=True)  # Less cancellation in |a|² + |b|² - 2 a·b.
        squared = tf.reduce_sum(tf.square(flat), axis=-1)
        search = _TileSearch(flat, squared, k, include_self)
        if points.shape[-2] is not None and points.shape[-2] <= chunk_size:
            nearest = search(flat, tf.constant(0))
        else:
            nearest = search.tiled(chunk_size, count)
        return batch_dims.unflatten(nearest, batch, points.shape[:-2])


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def knn_graph(points, k, include_self=True, chunk_size=DEFAULT_CHUNK_SIZE, name="neighbourhood_knn_graph"):
    """The k-nearest-neighbour graph of point sets, as `(edges, weights)` with row-normalised weights.

    Args:
      points: A float tensor of shape `[A1, ..., An, N, D]`.
      k: A positive Python int (see `k_nearest_neighbors`).
      include_self: Whether each point is among its own k neighbours.
      chunk_size: A positive Python int: rows of the distance table per tile.
      name: A name for this op.

    Returns:
      `edges`, an int32 tensor `[A1, ..., An, N * k, 2]` of (point, neighbour) pairs, point-major,
      and `weights`, `[A1, ..., An, N * k]` of 1 / k in the dtype of `points`.
    """
    with tf.name_scope(name):
        nearest = k_nearest_neighbors(points, k, include_self=include_self, chunk_size=chunk_size)
        receivers = tf.broadcast_to(tf.range(tf.shape(nearest)[-2])[:, None], tf.shape(nearest))
        edges = tf.reshape(tf.stack([receivers, nearest], axis=-1), tf.concat([tf.shape(nearest)[:-2], [-1, 2]], 0))
        weights = tf.fill(tf.shape(edges)[:-1], tf.constant(1.0 / k, points.dtype))
        return edges, weights


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def sparse_to_edges(neighbors, name="neighbourhood_sparse_to_edges"):
    """Converts a `tf.sparse.SparseTensor` adjacency to the dense `(edges, weights)` form.

    Batched adjacencies give each graph as many rows as the graph with the most entries, padding
    the others with rows [-1, -1] of weight 0. Not for `jit_compile` (E depends on the values).

    Args:
      neighbors: A `tf.sparse.SparseTensor` of dense shape `[A1, ..., An, V, V]`.
      name: A name for this op.

    Returns:
      `edges`, an int32 tensor `[A1, ..., An, E, 2]` of (row, column) pairs in the order of the
      entries, and `weights`, `[A1, ..., An, E]` of their values.
    """
    if not isinstance(neighbors, tf.sparse.SparseTensor):
        raise TypeError(f"neighbors must be a tf.sparse.SparseTensor, got {type(neighbors).__name__}")
    if neighbors.shape.rank is None or neighbors.shape.rank < 2:
        raise ValueError(f"neighbors must have dense shape [A1, ..., An, V, V], got rank {neighbors.shape.rank}")
    with tf.name_scope(name):
        pairs = tf.cast(neighbors.indices[:, -2:], tf.int32)
        if neighbors.shape.rank == 2:
            return pairs, neighbors.values
        batch = neighbors.dense_shape[:-2]
        strides = tf.math.cumprod(batch, exclusive=True, reverse=True)
        graph = tf.reduce_sum(neighbors.indices[:, :-2] * strides, axis=1)
        graphs = tf.reduce_prod(batch)
        order = tf.argsort(graph, stable=True)
        graph, pairs, values = tf.gather(graph, order), tf.gather(pairs, order), tf.gather(neighbors.values, order)
        counts = tf.math.unsorted_segment_sum(tf.ones_like(graph), graph, graphs)
        slot = tf.range(tf.size(graph, out_type=tf.int64)) - tf.gather(tf.math.cumsum(counts, exclusive=True), graph)
        where = tf.stack([graph, slot], axis=-1)
        padded = tf.stack([graphs, tf.reduce_max(tf.concat([counts, tf.zeros([1], counts.dtype)], 0))])
        edges = tf.scatter_nd(where, pairs + 1, tf.concat([padded, tf.constant([2], tf.int64)], 0)) - 1
        weights = tf.scatter_nd(where, values, padded)
        return (
            tf.reshape(edges, tf.concat([batch, tf.constant([-1, 2], tf.int64)], 0)),
            tf.reshape(weights, tf.concat([batch, tf.constant([-1], tf.int64)], 0)),
        )


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def edges_to_sparse(edges, weights, num_vertices, name="neighbourhood_edges_to_sparse"):
    """Converts `(edges, weights)` to a `tf.sparse.SparseTensor` adjacency, dropping padding rows.

    Not for `jit_compile` (the number of entries depends on the values). Repeated pairs stay
    repeated entries (the graph ops sum them).

    Args:
      edges: An integer tensor `[A1, ..., An, E, 2]` of (row, column) pairs, rows [-1, -1] for padding.
      weights: A float tensor `[A1, ..., An, E]`.
      num_vertices: V, a Python int or scalar integer tensor.
      name: A name for this op.

    Returns:
      A `tf.sparse.SparseTensor` of dense shape `[A1, ..., An, V, V]`, in canonical order.
    """
    with tf.name_scope(name):
        weights, edges = shape.check_inputs(weights=(weights, ("E",)), edges=(edges, ("E", 2)), integer=("edges",))
        weights, edges = shape.broadcast((weights, 1), (edges, 2))
        edges, padding = _graph.check_edges(tf.cast(edges, tf.int64), num_vertices)
        batch = tf.shape(edges, out_type=tf.int64)[:-2]
        keep = tf.where(~padding)
        indices = tf.concat([keep[:, :-1], tf.gather_nd(edges, keep)], axis=1)
        dense_shape = tf.concat([batch, tf.cast(tf.stack([num_vertices, num_vertices]), tf.int64)], 0)
        return tf.sparse.reorder(tf.sparse.SparseTensor(indices, tf.gather_nd(weights, keep), dense_shape))


class _TileSearch:
    """The k nearest of `points` `[B, N, D]` (with squared norms `[B, N]`) to tiles of rows."""

    def __init__(self, points, squared, k, include_self):
        self.points, self.squared, self.k, self.include_self = points, squared, k, include_self

    def __call__(self, rows, first):
        """Indices `[B, R, k]` for rows `[B, R, D]` that are points first, first + 1, ..."""
        distances = tf.reduce_sum(tf.square(rows), axis=-1)[:, :, None] + self.squared[:, None, :]
        distances -= 2.0 * tf.matmul(rows, self.points, transpose_b=True)
        if not self.include_self:
            own = tf.range(tf.shape(rows)[1])[:, None] + first
            is_self = tf.equal(own, tf.range(tf.shape(self.points)[1])[None, :])
            distances = tf.where(is_self[None], tf.constant(float("inf"), distances.dtype), distances)
        return tf.math.top_k(-distances, self.k, sorted=True).indices

    def tiled(self, chunk_size, count):
        """Runs over tiles of `chunk_size` rows in a loop (the last one padded); `[B, N, k]`."""
        tiles = (count + chunk_size - 1) // chunk_size
        padded = tf.pad(self.points, [[0, 0], [0, tiles * chunk_size - count], [0, 0]])
        shape_of = tf.shape(self.points)
        rows = tf.reshape(padded, tf.stack([shape_of[0], tiles, chunk_size, shape_of[2]]))
        nearest = tf.map_fn(
            lambda tile: self(tile[0], tile[1]),
            (tf.transpose(rows, [1, 0, 2, 3]), tf.range(tiles) * chunk_size),
            fn_output_signature=tf.int32,
            parallel_iterations=1,
        )
        return tf.reshape(tf.transpose(nearest, [1, 0, 2, 3]), tf.stack([shape_of[0], -1, self.k]))[:, :count]

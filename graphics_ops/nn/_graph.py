"""Private helpers of graphics_ops.nn: neighbourhoods as one flat edge list, and reductions over it.

A batch `[A1, ..., An]` of graphs with V vertices each is handled as the disjoint union of its
B = A1 * ... * An graphs: vertex v of graph b is row b * V + v of the flattened features. An entry
(i, j) of an adjacency, with weight w, sends the features of vertex j (its *sender*, a column) to
vertex i (its *receiver*, a row). Padding edges get receiver -1, which segment sums and maxima drop
(on CPU, GPU and under XLA), and sender 0, so that gathers stay in range.
"""

import typing

import tensorflow as tf

from graphics_ops.util import batch_dims, shape


class FlatGraph(typing.NamedTuple):
    """Features and edges of a batch of graphs, flattened.

    Attributes:
      data: `[B * V, C]` features of the senders' graph.
      receivers: `[E]` flat receiver rows, -1 for padding edges.
      senders: `[E]` flat sender rows, in range.
      weights: `[E]` edge weights.
      num_receivers: B * R, the number of flat receiver rows (R receivers per graph).
      batch: `[n]` int32 tensor, the batch shape `[A1, ..., An]`.
      static_batch: its static `tf.TensorShape`.
    """

    data: tf.Tensor
    receivers: tf.Tensor
    senders: tf.Tensor
    weights: tf.Tensor
    num_receivers: tf.Tensor
    batch: tf.Tensor
    static_batch: tf.TensorShape

    def gather_senders(self, values=None):
        """The rows `[E, ...]` of (flat) `values` (default: `data`) at each edge's sender."""
        return tf.gather(self.data if values is None else values, self.senders)

    def gather_receivers(self, values):
        """The rows `[E, ...]` of flat `values` (one per receiver) at each edge's receiver (row 0 for padding)."""
        return tf.gather(values, tf.maximum(self.receivers, 0))

    def sum(self, messages):
        """Sums `[E, D]` messages into their receivers: `[B * R, D]`, zero where none arrive."""
        return tf.math.unsorted_segment_sum(messages, self.receivers, self.num_receivers)

    def reduce(self, messages, reduction):
        """`sum` of the messages times the edge weights for "weighted", `max` (weights ignored) for "max"."""
        if reduction == "weighted":
            return self.sum(tf.cast(self.weights, messages.dtype)[:, None] * messages)
        return self.max(messages)

    def max(self, messages):
        """The largest of the `[E, D]` messages of each receiver, per channel: `[B * R, D]`, zero where none arrive."""
        largest = tf.math.unsorted_segment_max(messages, self.receivers, self.num_receivers)
        counts = tf.math.unsorted_segment_sum(tf.ones_like(self.receivers), self.receivers, self.num_receivers)
        return tf.where((counts > 0)[:, None], largest, tf.zeros_like(largest))

    def unflatten(self, values, rows):
        """`[B * rows, D]` back to `[A1, ..., An, rows, D]`."""
        per_graph = tf.reshape(values, tf.stack([-1, tf.cast(rows, tf.int32), tf.shape(values)[-1]]))
        per_graph.set_shape([None, _static(rows), values.shape[-1]])
        return batch_dims.unflatten(per_graph, self.batch, self.static_batch)


def check_data(data, inner=("V", "C"), **others):
    """`shape.check_inputs` for an op's features `data` and its unbatched parameters `others`."""
    return shape.check_inputs(data=(data, inner), **others, unbatched=tuple(others))


def flatten(arg, neighbors, data, num_receivers=None, transpose=False):
    """Flattens `data` `[A1, ..., An, V, C]` and its `neighbors` into one `FlatGraph`.

    Args:
      arg: The name of the neighbourhood argument, for errors.
      neighbors: A `tf.sparse.SparseTensor` of dense shape `[A1, ..., An, R, V]` and the dtype of
        `data`, or a pair `(edges, weights)` of an integer tensor `[A1, ..., An, E, 2]` of (receiver,
        sender) pairs, rows of -1 for padding, and a float tensor `[A1, ..., An, E]` (see
        `graphics_ops.nn`); their batch dimensions broadcast with those of `data`.
      data: A checked float tensor `[A1, ..., An, V, C]`: the senders' features.
      num_receivers: R, a Python int or scalar tensor; defaults to V. Only for a SparseTensor.
      transpose: Whether to use the SparseTensor transposed, of dense shape `[A1, ..., An, V, R]`.

    Returns:
      A `FlatGraph` and R.
    """
    if isinstance(neighbors, tf.sparse.SparseTensor):
        return _flatten_sparse(arg, neighbors, data, num_receivers, transpose)
    pairs_allowed = num_receivers is None and not transpose
    if pairs_allowed and isinstance(neighbors, (tuple, list)) and len(neighbors) == 2:
        return _flatten_edges(*neighbors, data)
    expected = "a tf.sparse.SparseTensor" + (" or a pair (edges, weights)" if pairs_allowed else "")
    raise TypeError(f"{arg} must be {expected}, got {type(neighbors).__name__}")


def _flatten_sparse(arg, neighbors, data, num_receivers, transpose):
    if neighbors.dtype != data.dtype:
        raise TypeError(f"{arg} must have dtype {data.dtype.name}, got {neighbors.dtype.name}")
    static = neighbors.shape
    num_senders = _size(data, -2)
    if num_receivers is None:
        num_receivers = num_senders
    inner = [num_senders, num_receivers] if transpose else [num_receivers, num_senders]
    expected = data.shape[:-2].concatenate([_static(size) for size in inner])
    if static.rank != expected.rank or not static.is_compatible_with(expected):
        raise ValueError(
            f"{arg} must have dense shape {_text(expected)} (the batch dimensions of data, then "
            f"{'V, R' if transpose else 'R, V'}), got {_text(static)}"
        )
    batch = tf.shape(data)[:-2]
    sizes = tf.concat([tf.cast(batch, tf.int64), tf.stack([tf.cast(size, tf.int64) for size in inner])], 0)
    indices = neighbors.indices
    check = tf.debugging.Assert(
        tf.reduce_all(tf.equal(neighbors.dense_shape, sizes)) & tf.reduce_all((indices >= 0) & (indices < sizes)),
        [f"{arg} must have indices in range and the dense shape", sizes, "got dense shape", neighbors.dense_shape],
    )
    with tf.control_dependencies([check]):
        indices = tf.identity(indices)
    strides = tf.math.cumprod(sizes[:-2], exclusive=True, reverse=True)
    graph = tf.reduce_sum(indices[:, :-2] * strides, axis=1)
    receiver, sender = (indices[:, -1], indices[:, -2]) if transpose else (indices[:, -2], indices[:, -1])
    graphs = tf.reduce_prod(sizes[:-2])
    receivers_per_graph = tf.cast(num_receivers, tf.int64)
    return FlatGraph(
        data=_rows(data),
        receivers=graph * receivers_per_graph + receiver,
        senders=graph * tf.cast(num_senders, tf.int64) + sender,
        weights=neighbors.values,
        num_receivers=graphs * receivers_per_graph,
        batch=batch,
        static_batch=data.shape[:-2],
    ), num_receivers


def _flatten_edges(edges, weights, data):
    data, edges, weights = shape.check_inputs(
        data=(data, ("V", None)), edges=(edges, ("E", 2)), weights=(weights, ("E",)), integer=("edges",)
    )
    data, edges, weights = shape.broadcast((data, 2), (edges, 2), (weights, 1))
    count = tf.cast(tf.shape(data)[-2], edges.dtype)
    edges, padding = check_edges(edges, count)
    flat_edges, batch = batch_dims.flatten(edges, 2)
    flat_padding, _ = batch_dims.flatten(padding, 1)
    flat_weights, _ = batch_dims.flatten(weights, 1)
    graphs = tf.shape(flat_edges, out_type=edges.dtype)[0]
    offsets = tf.range(graphs, dtype=edges.dtype)[:, None] * count
    receivers = tf.where(flat_padding, tf.constant(-1, edges.dtype), flat_edges[..., 0] + offsets)
    senders = tf.where(flat_padding, tf.zeros_like(offsets), flat_edges[..., 1] + offsets)
    return FlatGraph(
        data=_rows(data),
        receivers=tf.reshape(receivers, [-1]),
        senders=tf.reshape(senders, [-1]),
        weights=tf.reshape(flat_weights, [-1]),
        num_receivers=graphs * count,
        batch=batch,
        static_batch=data.shape[:-2],
    ), _size(data, -2)


def check_edges(edges, count, arg="edges"):
    """Asserts that `edges` `[..., E, K]` hold indices in [0, count) or padding rows of -1.

    Returns:
      `edges` (after the check) and the `[..., E]` bool mask of padding rows.
    """
    padding = tf.reduce_all(tf.equal(edges, -1), axis=-1)
    in_range = tf.reduce_all((edges >= 0) & (edges < tf.cast(count, edges.dtype)), axis=-1)
    check = tf.debugging.Assert(
        tf.reduce_all(in_range | padding),
        [f"{arg} must hold vertex indices in [0, V), or rows of -1 for padding; V is", count],
    )
    with tf.control_dependencies([check]):
        return tf.identity(edges), padding


def mask_sizes(values, sizes, arg="sizes", column=None):
    """Zeroes the rows of `values` `[A1, ..., An, V, D]` at and beyond `sizes` (None: no padding).

    `sizes` is an integer tensor `[A1, ..., An]`, or `[A1, ..., An, K]` with `column` picking one size.
    """
    if sizes is None:
        return values
    inner = () if column is None else (None,)
    (sizes,) = shape.check_inputs(**{arg: (sizes, inner)}, integer=(arg,))
    if column is not None:
        sizes = sizes[..., column]
    if sizes.shape.rank != values.shape.rank - 2:
        raise ValueError(
            f"{arg} must have the batch dimensions [A1, ..., An] of the data, got shape {sizes.shape.as_list()} "
            f"for data of shape {values.shape.as_list()}"
        )
    rows = tf.shape(values)[-2]
    check = tf.debugging.Assert(
        tf.reduce_all((sizes >= 0) & (sizes <= tf.cast(rows, sizes.dtype))),
        [f"{arg} must lie in [0, V], the number of vertices; V is", rows],
    )
    with tf.control_dependencies([check]):
        keep = tf.sequence_mask(sizes, rows)
    return tf.where(keep[..., None], values, tf.zeros_like(values))


def _rows(data):
    """`[A1, ..., An, V, C]` as `[A1 * ... * An * V, C]`."""
    channels = data.shape[-1]
    return tf.reshape(data, [-1, channels] if channels is not None else tf.stack([-1, tf.shape(data)[-1]]))


def _size(tensor, axis):
    """The size of one axis: a Python int where it is static, else a scalar int32 tensor."""
    static = tensor.shape[axis]
    return tf.shape(tensor)[axis] if static is None else static


def _static(size):
    """A Python int or scalar tensor as a static size, or None if unknown while tracing."""
    value = size if isinstance(size, int) else tf.get_static_value(size)
    return None if value is None else int(value)


def _text(static_shape):
    return "[" + ", ".join("None" if dim is None else str(dim) for dim in static_shape.as_list()) + "]"

"""Pooling between mesh resolutions: `pool`, `unpool` and `upsample_transposed_convolution`.

TensorFlow Graphics' `geometry.convolution.graph_pooling`, with its names and arguments. Letters:
V1 is the number of vertices of the fine graph, V2 that of the coarse one, and one `pool_map`, a
`tf.sparse.SparseTensor` of dense shape `[A1, ..., An, V2, V1]`, serves all three ops: entry
(v2, v1) puts fine vertex v1 in the pooling window of coarse vertex v2. `sizes` (None, or
`[A1, ..., An, 2]` integers) holds the real (V2, V1) counts of each graph of a padded batch, as in
`pool`; outputs of padded vertices are zero.

Like `graph_convolution`, the ops are gathers and segment reductions on the map's entries (any
number of batch dimensions, where TensorFlow Graphics' `unpool` took at most three): memory grows
with the number of entries, they run on GPU and compile with `jit_compile` (the map's dense shape
must then be static).
"""

import tensorflow as tf

from graphics_ops.nn import _graph
from graphics_ops.util import arguments, trace_hook

ALGORITHMS = ("max", "weighted")


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def pool(data, pool_map, sizes, algorithm="max", name="graph_pooling_pool"):
    """Pools fine vertices into coarse ones: the max, or weighted sum, over each pooling window.

    Args:
      data: A float tensor of shape `[A1, ..., An, V1, C]`.
      pool_map: A `tf.sparse.SparseTensor` of dense shape `[A1, ..., An, V2, V1]` and the dtype of
        `data`: the window of coarse vertex v2 is row v2.
      sizes: None, or an integer tensor `[A1, ..., An, 2]` of real (V2, V1) counts.
      algorithm: "max" for the largest feature over the window, per channel (the map's values are
        ignored), or "weighted" for the sum of the features times the map's values. Empty windows
        give zeros.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, V2, C]`.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
    with tf.name_scope(name):
        (data,) = _graph.check_data(data, inner=("V1", None))
        graph, coarse = _graph.flatten("pool_map", pool_map, data, num_receivers=_dense_size(pool_map, -2))
        reduction = "max" if algorithm == "max" else "weighted"
        pooled = graph.reduce(graph.gather_senders(), reduction)
        return _graph.mask_sizes(graph.unflatten(pooled, coarse), sizes, column=0)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def unpool(data, pool_map, sizes, name="graph_pooling_unpool"):
    """Upsamples by applying `pool_map` in reverse: each fine vertex gets its windows' coarse features.

    A fine vertex receives the average of the features of the coarse vertices whose windows contain
    it, weighted by the absolute values of the map's entries; when the windows partition the fine
    vertices, that is a copy of its one coarse vertex's features. Fine vertices in no window get zeros.

    Args:
      data: A float tensor of shape `[A1, ..., An, V2, C]`, e.g. the output of `pool`.
      pool_map: The `tf.sparse.SparseTensor` `[A1, ..., An, V2, V1]` given to `pool`.
      sizes: None, or the integer tensor `[A1, ..., An, 2]` given to `pool`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, V1, C]`.
    """
    with tf.name_scope(name):
        (data,) = _graph.check_data(data, inner=("V2", None))
        graph, fine = _graph.flatten(
            "pool_map", pool_map, data, num_receivers=_dense_size(pool_map, -1), transpose=True
        )
        weights = tf.abs(graph.weights)[:, None]
        totals = graph.sum(weights)
        summed = graph.sum(weights * graph.gather_senders())
        safe_totals = tf.where(totals > 0, totals, tf.ones_like(totals))
        unpooled = tf.where(totals > 0, summed / safe_totals, tf.zeros_like(summed))
        return _graph.mask_sizes(graph.unflatten(unpooled, fine), sizes, column=1)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def upsample_transposed_convolution(
    data, pool_map, sizes, kernel_size, transposed_convolution_op, name="graph_pooling_upsample_transposed_convolution"
):
    """Upsamples with a transposed convolution that maps each coarse vertex to `kernel_size` outputs.

    The outputs of coarse vertex v2 go, in order, to the fine vertices of its window (row v2 of
    `pool_map`, in the order of its entries): a window of fewer than `kernel_size` vertices gives
    its last one the remaining outputs, a longer window only its first `kernel_size` vertices. A fine
    vertex gets the mean of the outputs sent to it (windows should not overlap), or zeros if none.

    Args:
      data: A float tensor of shape `[A1, ..., An, V2, C]`.
      pool_map: The `tf.sparse.SparseTensor` `[A1, ..., An, V2, V1]` of `pool`, in canonical order.
      sizes: None, or the integer tensor `[A1, ..., An, 2]` of `pool`.
      kernel_size: A positive Python int: outputs per coarse vertex.
      transposed_convolution_op: A callable taking the flattened features `[1, 1, B * V2, C]` and
        returning `[1, 1, kernel_size * B * V2, D]`, output k * i + s being slot s of input i, e.g.
        `keras.layers.Conv2DTranspose(D, (1, kernel_size), strides=(1, kernel_size))`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, V1, D]`.
    """
    if not callable(transposed_convolution_op):
        raise TypeError(f"transposed_convolution_op must be callable, got {type(transposed_convolution_op).__name__}")
    arguments.check_positive_int(kernel_size, "kernel_size")
    with tf.name_scope(name):
        (data,) = _graph.check_data(data, inner=("V2", None))
        graph, fine = _graph.flatten(
            "pool_map", pool_map, data, num_receivers=_dense_size(pool_map, -1), transpose=True
        )
        upsampled = tf.convert_to_tensor(transposed_convolution_op(graph.data[None, None]))
        coarse_count = tf.shape(graph.data)[0]
        if upsampled.shape.rank != 4:
            raise ValueError(
                f"transposed_convolution_op must return [1, 1, K * B * V2, D], got {upsampled.shape.as_list()}"
            )
        upsampled = tf.reshape(upsampled, tf.stack([coarse_count * kernel_size, tf.shape(upsampled)[-1]]))
        # Entries by coarse vertex (stable: each window keeps its order); slot s of window c is entry
        # start[c] + min(s, count[c] - 1), and the slots of empty windows go to a last target, -1 (dropped).
        order = tf.argsort(graph.senders, stable=True)
        fine_vertices = tf.concat([tf.gather(graph.receivers, order), [tf.constant(-1, graph.receivers.dtype)]], 0)
        counts = tf.math.unsorted_segment_sum(
            tf.ones_like(graph.senders), graph.senders, tf.cast(coarse_count, graph.senders.dtype)
        )
        starts = tf.math.cumsum(counts, exclusive=True)
        entries = starts[:, None] + tf.minimum(tf.range(kernel_size, dtype=counts.dtype)[None, :], counts[:, None] - 1)
        entries = tf.where(counts[:, None] > 0, entries, tf.size(order, out_type=counts.dtype))
        targets = tf.reshape(tf.gather(fine_vertices, entries), [-1])
        summed = tf.math.unsorted_segment_sum(upsampled, targets, graph.num_receivers)
        hits = tf.math.unsorted_segment_sum(tf.ones_like(upsampled[:, :1]), targets, graph.num_receivers)
        averaged = summed / tf.maximum(hits, 1)
        return _graph.mask_sizes(graph.unflatten(averaged, fine), sizes, column=1)


def _dense_size(pool_map, axis):
    """One size of the map's dense shape: static where known (XLA needs it), else a tensor."""
    if not isinstance(pool_map, tf.sparse.SparseTensor):
        raise TypeError(f"pool_map must be a tf.sparse.SparseTensor, got {type(pool_map).__name__}")
    if pool_map.shape.rank is None or pool_map.shape.rank < 2:
        raise ValueError(f"pool_map must have dense shape [A1, ..., An, V2, V1], got rank {pool_map.shape.rank}")
    static = pool_map.shape[axis]
    return pool_map.dense_shape[axis] if static is None else static

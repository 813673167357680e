"""Graph convolutions: FeaStNet's feature-steered convolution, and a template for edge convolutions.

TensorFlow Graphics' `geometry.convolution.graph_convolution`, with the same names and arguments,
computed differently: each op gathers the features at the ends of the adjacency's entries and sums
(or maximises) the messages into their receivers with segment reductions. It never builds a dense
V × V matrix and never reshapes a `tf.sparse.SparseTensor` (TensorFlow Graphics flattens batches
with `tf.sparse.reshape`, which has no GPU kernel, and densifies along the way), so memory grows
with the number of edges E, the ops run on GPU, and they compile with `jit_compile`.

`neighbors` is either a `tf.sparse.SparseTensor` of dense shape `[A1, ..., An, V, V]`, as in
TensorFlow Graphics, or the pair `(edges, weights)` that `graphics_ops.nn` layers take (see the
package's notes on the Keras input convention). Entry (i, j) with weight w_ij makes vertex j a
neighbour of vertex i. Vertices without neighbours (isolated vertices, or all of a graph's
vertices when it has no edges) are allowed: their sums are zero. With `sizes`, the outputs of padded
vertices (at and beyond `sizes`) are zero, as in TensorFlow Graphics.
"""

import tensorflow as tf

from graphics_ops.nn import _graph
from graphics_ops.util import trace_hook

REDUCTIONS = ("weighted", "max")


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def feature_steered_convolution(
    data, neighbors, sizes, var_u, var_v, var_c, var_w, var_b, name="graph_convolution_feature_steered_convolution"
):
    """FeaStNet's graph convolution (Verma, Boyer and Verbeek, CVPR 2018).

    For each vertex i with neighbours j (weights w_ij):

        y_i = b + Σ_j w_ij Σ_m q_m(x_i, x_j) W_m^T x_j,
        q(x_i, x_j) = softmax over m of (u_m · x_i + v_m · x_j + c_m),

    so each edge spreads its message over the W weight matrices according to the features at its
    two ends. Translation invariance (q depending on x_j - x_i only) is `var_u = -var_v`. With
    `neighbors` row-normalised with self loops (`neighbourhood.adjacency_from_faces`) this is the
    paper's 1/|N_i| average; other weights are allowed.

    Memory: one gather of the senders' features (`[E, C]`) and a few temporaries of that size,
    plus `[E, W]` assignments and `[B * V, W * C]` sums; nothing grows with V².

    Args:
      data: A float tensor of shape `[A1, ..., An, V, C]`.
      neighbors: A `tf.sparse.SparseTensor` of dense shape `[A1, ..., An, V, V]` and the dtype of
        `data`, or a pair `(edges, weights)`: an integer tensor `[A1, ..., An, E, 2]` of (i, j)
        pairs, rows [-1, -1] for padding, and a float tensor `[A1, ..., An, E]` of the w_ij; their
        batch dimensions broadcast with those of `data` (a graph `[E, 2]` can serve a whole batch).
      sizes: None, or an integer tensor `[A1, ..., An]`: the number of real vertices of each graph
        of a padded batch; outputs of padded vertices are zero.
      var_u: A tensor of shape `[C, W]`.
      var_v: A tensor of shape `[C, W]`.
      var_c: A tensor of shape `[W]`.
      var_w: A tensor of shape `[W, C, D]`, with W known while tracing.
      var_b: A tensor of shape `[D]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, V, D]`.

    Raises:
      TypeError: If `neighbors` is neither form, or the dtypes differ.
      ValueError: If statically known shapes are invalid (errors name the argument).
      tf.errors.InvalidArgumentError: If indices of `neighbors` are out of range, or shapes known
        only at run time are invalid (not checked under `jit_compile`, where XLA clamps gathers).
    """
    with tf.name_scope(name):
        data, var_u, var_v, var_c, var_w, var_b = _graph.check_data(
            data,
            var_u=(var_u, ("C", "W")),
            var_v=(var_v, ("C", "W")),
            var_c=(var_c, ("W",)),
            var_w=(var_w, ("W", "C", "D")),
            var_b=(var_b, ("D",)),
        )
        num_matrices, channels = var_w.shape[0], var_w.shape[1]
        if num_matrices is None or channels is None:
            raise ValueError(f"var_w must have statically known W and C, got {var_w.shape.as_list()}")
        graph, rows = _graph.flatten("neighbors", neighbors, data)
        logits = graph.gather_receivers(tf.matmul(graph.data, var_u)) + graph.gather_senders(
            tf.matmul(graph.data, var_v)
        )
        assignments = tf.nn.softmax(logits + var_c, axis=-1) * graph.weights[:, None]
        sent = graph.gather_senders()
        # One [E, C] product per weight matrix rather than an [E, W, C] one: memory stays at O(E C).
        steered = tf.concat([graph.sum(assignments[:, m, None] * sent) for m in range(num_matrices)], axis=-1)
        output = tf.matmul(steered, tf.reshape(var_w, [num_matrices * channels, -1])) + var_b
        return _graph.mask_sizes(graph.unflatten(output, rows), sizes)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def edge_convolution_template(
    data,
    neighbors,
    sizes,
    edge_function,
    reduction,
    edge_function_kwargs,
    name="graph_convolution_edge_convolution_template",
):
    """A general edge convolution: y_i = Σ_j w_ij f(x_i, x_j), or max over j of f(x_i, x_j).

    With `edge_function=lambda x_i, x_j: x_j`, row-normalised weights and `reduction="weighted"`
    it is Laplacian smoothing; DGCNN's EdgeConv is f(x_i, x_j) = h(x_i, x_j - x_i) with "max".

    Args:
      data: A float tensor of shape `[A1, ..., An, V, C]`.
      neighbors: The neighbourhoods, in either form (see `feature_steered_convolution`).
      sizes: None, or an integer tensor `[A1, ..., An]` of real vertex counts of a padded batch.
      edge_function: A callable `f(x_i, x_j, **edge_function_kwargs)` of two `[E, C]` tensors (the
        features of the receiver and of the sender of each edge) returning `[E, D]`.
      reduction: "weighted" for Σ_j w_ij f(x_i, x_j), or "max" for the largest f(x_i, x_j) per
        channel, ignoring the weights. Vertices without neighbours get zeros either way.
      edge_function_kwargs: None or a dict of further keyword arguments of `edge_function`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, V, D]`.

    Raises:
      TypeError: If `edge_function` is not callable, or `neighbors` is neither form.
      ValueError: If `reduction` is unknown, shapes are invalid, or `edge_function` does not return
        one row per edge.
      tf.errors.InvalidArgumentError: If indices of `neighbors` are out of range (see
        `feature_steered_convolution`).
    """
    if not callable(edge_function):
        raise TypeError(f"edge_function must be callable, got {type(edge_function).__name__}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    with tf.name_scope(name):
        (data,) = _graph.check_data(data, inner=("V", None))
        graph, rows = _graph.flatten("neighbors", neighbors, data)
        messages = edge_function(
            graph.gather_receivers(graph.data), graph.gather_senders(), **(edge_function_kwargs or {})
        )
        messages = tf.convert_to_tensor(messages)
        if messages.shape.rank != 2 or not messages.shape[:1].is_compatible_with(graph.senders.shape):
            raise ValueError(
                f"edge_function must return one row per edge, [E, D] with E = {graph.senders.shape[0]}, "
                f"got {messages.shape.as_list()}"
            )
        return _graph.mask_sizes(graph.unflatten(graph.reduce(messages, reduction), rows), sizes)

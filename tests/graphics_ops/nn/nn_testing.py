"""Helpers for the graphics_ops.nn tests: random graphs and plain NumPy references of the formulas."""

import numpy as np
import tensorflow as tf


def random_adjacency(rng, num_vertices, density=0.4, isolated=(), rows=None):
    """A dense `[rows, V]` weight matrix with random positive weights; rows in `isolated` are empty."""
    rows = num_vertices if rows is None else rows
    mask = rng.uniform(size=(rows, num_vertices)) < density
    mask[list(isolated)] = False
    return np.where(mask, rng.uniform(0.2, 1.0, size=mask.shape), 0.0)


def to_sparse(dense, dtype=tf.float64):
    """A `tf.sparse.SparseTensor` (canonical order) of the nonzero entries of a dense array."""
    dense = np.asarray(dense)
    indices = np.argwhere(dense != 0)
    return tf.sparse.SparseTensor(indices, tf.constant(dense[dense != 0], dtype), dense.shape)


def to_edges(dense, padding=0):
    """The `(edges, weights)` form of a dense `[..., V, V]` matrix: as many rows per graph as the
    graph with the most entries has, plus `padding`, padded with [-1, -1] and weight 0."""
    dense = np.asarray(dense)
    batch = dense.shape[:-2]
    per_graph = [np.argwhere(matrix != 0) for matrix in dense.reshape((-1,) + dense.shape[-2:])]
    size = max(len(pairs) for pairs in per_graph) + padding
    edges = np.full((len(per_graph), size, 2), -1, np.int32)
    weights = np.zeros((len(per_graph), size))
    for index, (pairs, matrix) in enumerate(zip(per_graph, dense.reshape((-1,) + dense.shape[-2:]))):
        edges[index, : len(pairs)] = pairs
        weights[index, : len(pairs)] = matrix[pairs[:, 0], pairs[:, 1]]
    return edges.reshape(batch + (size, 2)), weights.reshape(batch + (size,))


def reference_feature_steered(data, adjacency, var_u, var_v, var_c, var_w, var_b):
    """FeaStNet's y_i = b + Σ_j w_ij Σ_m q_m(x_i, x_j) W_m^T x_j, one vertex and edge at a time."""
    output = np.tile(var_b, (len(data), 1)).astype(np.float64)
    for i, j in zip(*np.nonzero(adjacency)):
        logits = data[i] @ var_u + data[j] @ var_v + var_c
        q = np.exp(logits - logits.max())
        q /= q.sum()
        output[i] += adjacency[i, j] * sum(q[m] * data[j] @ var_w[m] for m in range(len(q)))
    return output


def reference_edge_convolution(data, adjacency, edge_function, reduction, channels):
    """Σ_j w_ij f(x_i, x_j) or max_j f(x_i, x_j) per vertex; zeros for vertices without neighbours."""
    output = np.zeros((adjacency.shape[0], channels))
    for i in range(adjacency.shape[0]):
        neighbours = np.nonzero(adjacency[i])[0]
        messages = [edge_function(data[i], data[j]) for j in neighbours]
        if not messages:
            continue
        if reduction == "max":
            output[i] = np.max(messages, axis=0)
        else:
            output[i] = sum(adjacency[i, j] * message for j, message in zip(neighbours, messages))
    return output


def per_copy(function):
    """`function` of unbatched arguments applied to each copy along a new leading axis (`tf.map_fn`).

    For `rotation_testing.jacobians`, which adds that axis to every input, with ops whose
    parameters (weights) take no batch dimensions.
    """

    def mapped(*inputs):
        return tf.map_fn(lambda args: function(*args), inputs, fn_output_signature=inputs[0].dtype)

    return mapped

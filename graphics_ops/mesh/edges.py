"""Edges of meshes, and TensorFlow Graphics' `geometry.representation.mesh.utils`.

Not differentiable (the outputs are indices), and not for `jit_compile`: the number of edges
depends on the values of `faces`, and XLA needs static shapes. `get_degree_based_edge_weights`
does compile, given edges of static shape.
"""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def unique_edges(faces, name="mesh_unique_edges"):
    """The undirected edges of a mesh, each once, as `[i, j]` with i < j, sorted.

    Edges join consecutive corners of each face, and the last corner to the first. An edge shared
    by several faces is listed once; an "edge" from a vertex to itself (a face that repeats an
    index) is left out. Unlike TensorFlow Graphics' `extract_unique_edges_from_triangular_mesh` in
    `mesh.utils_tf`, which keeps (i, j) and (j, i) when two faces use both, each edge appears once.

    Args:
      faces: An integer tensor of shape `[F, M]`: vertex indices of each face (M = 3 for triangles).
      name: A name for this op.

    Returns:
      A tensor of shape `[E, 2]`, of the dtype of `faces`, sorted lexicographically.
    """
    with tf.name_scope(name):
        (faces,) = shape.check_inputs(faces=(faces, ("F", "M")), integer=("faces",), unbatched=("faces",))
        return _unique_edges(faces)


def _unique_edges(faces):
    start = tf.reshape(tf.cast(faces, tf.int64), [-1])
    end = tf.reshape(tf.roll(tf.cast(faces, tf.int64), shift=-1, axis=1), [-1])
    low, high = tf.minimum(start, end), tf.maximum(start, end)
    proper = tf.not_equal(low, high)
    low, high = tf.boolean_mask(low, proper), tf.boolean_mask(high, proper)
    # Pairs as single int64 keys low * n + high, with n above every index: no overflow below 2**31.
    n = _max_or_zero(high) + 1
    keys, _ = tf.unique(low * n + high)
    keys = tf.sort(keys)
    return tf.cast(tf.stack([keys // n, keys % n], axis=-1), faces.dtype)


def _max_or_zero(values):
    return tf.reduce_max(tf.concat([values, tf.zeros([1], values.dtype)], 0))


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def extract_unique_edges_from_triangular_mesh(faces, directed_edges=False, name="mesh_extract_unique_edges"):
    """The edges of a triangle mesh, as TensorFlow Graphics' `mesh.utils` function of this name.

    Undirected (the default): `unique_edges(faces)`, each edge once as `[i, j]` with i < j.
    TensorFlow Graphics returns (i, j) and (j, i) both when two faces list the edge in opposite
    orders (as neighbouring faces of a consistently wound mesh do), so most edges came twice;
    here each comes once. Directed: both `[i, j]` and `[j, i]` of every edge, sorted. Takes and
    returns tensors (TensorFlow Graphics' takes and returns NumPy arrays; `np.asarray` converts).

    Args:
      faces: An integer tensor of shape `[F, 3]`.
      directed_edges: A Python bool.
      name: A name for this op.

    Returns:
      A tensor of shape `[E, 2]`, of the dtype of `faces`, sorted lexicographically.
    """
    with tf.name_scope(name):
        (faces,) = shape.check_inputs(faces=(faces, ("F", 3)), integer=("faces",), unbatched=("faces",))
        edges = _unique_edges(faces)
        if not directed_edges:
            return edges
        both = tf.concat([edges, tf.reverse(edges, axis=[1])], axis=0)
        order = tf.argsort(both[:, 1], stable=True)
        both = tf.gather(both, order)
        return tf.gather(both, tf.argsort(both[:, 0], stable=True))


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def get_degree_based_edge_weights(edges, dtype=tf.float32, name="mesh_get_degree_based_edge_weights"):
    """Weights 1 / deg(i) of edges `[i, j]`, deg(i) the number of edges starting at i; each vertex's sum to 1.

    As TensorFlow Graphics' `mesh.utils` function of this name, for directed edges (both
    directions listed, as `extract_unique_edges_from_triangular_mesh(faces, True)` gives them).

    Args:
      edges: An integer tensor of shape `[E, 2]`.
      dtype: A floating dtype (TensorFlow or NumPy) of the weights.
      name: A name for this op.

    Returns:
      A tensor of shape `[E]` of `dtype`.

    Raises:
      ValueError: If `dtype` is not a floating dtype, or for a bad shape of `edges`.
    """
    dtype = tf.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating dtype, got {dtype.name}")
    with tf.name_scope(name):
        (edges,) = shape.check_inputs(edges=(edges, ("E", 2)), integer=("edges",), unbatched=("edges",))
        start = edges[:, 0]
        degree = tf.math.unsorted_segment_sum(tf.ones_like(start), start, _max_or_zero(start) + 1)
        return 1.0 / tf.cast(tf.gather(degree, start), dtype)

"""Edges of meshes.

Not differentiable (the outputs are indices), and not for `jit_compile`: the number of edges
depends on the values of `faces`, and XLA needs static shapes.
"""

import tensorflow as tf

from graphics_ops.util import shape


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

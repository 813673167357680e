"""Uniform (graph) and cotangent Laplacians of meshes, as `tf.sparse.SparseTensor`.

Both are L = D - W: W holds the edge weights w_ij = w_ji (zero between vertices that share no
edge) and D the diagonal of the row sums, so L is symmetric positive semi-definite, its rows sum
to zero, and `(L f)_i = Σ_j w_ij (f_i - f_j)`. The uniform Laplacian has w_ij = 1 for every edge;
the cotangent Laplacian has w_ij = (cot α_ij + cot β_ij) / 2, the angles opposite the edge in its
two triangles, so -L is the usual discretization of the Laplace–Beltrami operator (without the
mass matrix), libigl's `cotmatrix`.

The matrices are assembled with gathers, sorts and segment sums, never as dense V × V tensors:
memory grows with the number of faces. Their entries are in canonical (row-major) order without
duplicates, as `tf.sparse` ops expect. `uniform` and `cotangent` cannot be compiled with
`jit_compile`: their number of entries depends on the values of `faces` (through `tf.unique`).
`cotangent_weights` and `apply` can, and `cotangent` is differentiable with respect to the
vertices through its values.

Not in TensorFlow Graphics.
"""

import tensorflow as tf

from graphics_ops.mesh import _common, edges, triangle
from graphics_ops.util import batch_dims, safe_ops, shape, trace_hook, vector


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def uniform(faces, num_vertices, dtype=tf.float32, name="laplacian_uniform"):
    """The graph Laplacian of a mesh: degree on the diagonal, -1 for each edge.

    Args:
      faces: An integer tensor of shape `[F, M]`: vertex indices of each face (M = 3 for
        triangles); edges join consecutive corners (see `edges.unique_edges`).
      num_vertices: The number of vertices V, a Python int or scalar integer tensor; greater than
        every index in `faces`.
      dtype: The floating dtype of the values.
      name: A name for this op.

    Returns:
      A `tf.sparse.SparseTensor` of dense shape `[V, V]`.
    """
    with tf.name_scope(name):
        (faces,) = shape.check_inputs(faces=(faces, ("F", "M")), integer=("faces",), unbatched=("faces",))
        pairs = tf.cast(edges._unique_edges(faces), tf.int64)
        first, second = pairs[:, 0], pairs[:, 1]
        rows = tf.concat([first, second, first, second], 0)
        cols = tf.concat([second, first, first, second], 0)
        ones = tf.ones(tf.shape(first), dtype)
        values = tf.concat([-ones, -ones, ones, ones], 0)
        return _assemble(rows, cols, values, num_vertices)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def cotangent(vertices, faces, name="laplacian_cotangent"):
    """The cotangent Laplacian of triangle meshes sharing their faces.

    Degenerate triangles (zero area, or so thin that their cotangents are rounding noise) add
    nothing, so values and gradients stay finite.

    Args:
      vertices: A tensor of shape `[A1, ..., An, V, 3]`.
      faces: An integer tensor of shape `[F, 3]`, shared by every mesh of the batch.
      name: A name for this op.

    Returns:
      A `tf.sparse.SparseTensor` of dense shape `[A1, ..., An, V, V]`: with batch dimensions, the
      same pattern of entries is repeated for each mesh. Use `apply` to multiply it with vectors
      (`tf.sparse.sparse_dense_matmul` takes only rank-2 matrices).
    """
    with tf.name_scope(name):
        vertices, faces = shape.check_inputs(
            vertices=(vertices, ("V", 3)), faces=(faces, ("F", 3)), integer=("faces",), unbatched=("faces",)
        )
        weights = _cotangent_weights(*tf.unstack(_common.gather_corners(vertices, faces), axis=-2))
        faces = tf.cast(faces, tf.int64)
        # The weight of corner k belongs to the opposite edge, from corner k + 1 to corner k + 2.
        first = tf.reshape(tf.gather(faces, [1, 2, 0], axis=1), [-1])
        second = tf.reshape(tf.gather(faces, [2, 0, 1], axis=1), [-1])
        rows = tf.concat([first, second, first, second], 0)
        cols = tf.concat([second, first, first, second], 0)
        flat = tf.reshape(weights, tf.concat([tf.shape(weights)[:-2], [-1]], 0))
        values = tf.concat([-flat, -flat, flat, flat], axis=-1)
        return _assemble(rows, cols, values, tf.shape(vertices)[-2])


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def cotangent_weights(vertices, faces, name="laplacian_cotangent_weights"):
    """Half the cotangent of each triangle's angle at each corner: the weight it gives the opposite edge.

    The cotangent Laplacian's weight w_ij of an edge sums this over the (usually two) triangles
    containing the edge. Degenerate triangles get zero weights. Dense: supports `jit_compile`.

    Args:
      vertices: A tensor of shape `[A1, ..., An, V, 3]`.
      faces: An integer tensor of shape `[A1, ..., An, F, 3]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, F, 3]`: at `[..., f, k]`, cot(angle at corner k of face f) / 2,
      the weight of the edge from corner k + 1 to corner k + 2 (mod 3).
    """
    with tf.name_scope(name):
        vertices, faces = shape.check_inputs(vertices=(vertices, ("V", 3)), faces=(faces, ("F", 3)), integer=("faces",))
        return _cotangent_weights(*tf.unstack(_common.gather_corners(vertices, faces), axis=-2))


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def apply(laplacian, values, name="laplacian_apply"):
    """Multiplies (batches of) sparse matrices with (batches of) dense vectors: `L @ values`.

    Differentiable with respect to `values` and to `laplacian.values`; supports `jit_compile`.

    Args:
      laplacian: A `tf.sparse.SparseTensor` of dense shape `[V, V]` or `[A1, ..., An, V, V]`, such as
        returned by `uniform` or `cotangent`.
      values: A tensor of shape `[A1, ..., An, V, C]`. With a `[V, V]` Laplacian, any batch
        dimensions; otherwise batch dimensions that broadcast to those of the Laplacian.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, V, C]`.
    """
    if not isinstance(laplacian, tf.sparse.SparseTensor):
        raise TypeError(f"laplacian must be a tf.sparse.SparseTensor, got {type(laplacian).__name__}")
    with tf.name_scope(name):
        (values,) = shape.check_inputs(values=(values, ("V", "C")))
        if laplacian.dtype != values.dtype:
            raise TypeError(f"laplacian must have dtype {values.dtype.name}, got {laplacian.dtype.name}")
        rank = laplacian.shape.rank
        if rank is None or rank < 2:
            raise ValueError(f"laplacian must have dense shape [A1, ..., An, V, V], got rank {rank}")
        size = laplacian.shape[-1]
        if size is not None and values.shape[-2] is not None and size != values.shape[-2]:
            raise ValueError(f"dimension V must agree: laplacian has V={size}, values has V={values.shape[-2]}")
        weights = laplacian.values
        rows, cols = laplacian.indices[:, -2], laplacian.indices[:, -1]
        if rank == 2:
            gathered = tf.gather(values, cols, axis=-2) * weights[:, None]
            return _common.scatter_corners(gathered[..., None, :], rows[:, None], tf.shape(values)[-2])
        dense_shape = laplacian.dense_shape
        batch = dense_shape[:-2]
        num_vertices = dense_shape[-1]
        values = tf.broadcast_to(values, tf.concat([tf.cast(batch, tf.int32), tf.shape(values)[-2:]], 0))
        strides = tf.math.cumprod(batch, exclusive=True, reverse=True)
        mesh = tf.reduce_sum(laplacian.indices[:, :-2] * strides, axis=1)
        flat_values = tf.reshape(values, tf.stack([-1, tf.shape(values)[-1]]))
        gathered = tf.gather(flat_values, mesh * num_vertices + cols) * weights[:, None]
        summed = tf.math.unsorted_segment_sum(gathered, mesh * num_vertices + rows, tf.reduce_prod(dense_shape[:-1]))
        return tf.reshape(summed, tf.shape(values))


def _cotangent_weights(v0, v1, v2):
    """cot(angle) / 2 at each corner, `[..., 3]`: dot / |cross| of the edges leaving the corner."""
    twice_area = safe_ops.norm(vector.cross(v1 - v0, v2 - v0), keepdims=False)
    edge0, edge1, edge2 = v1 - v0, v2 - v1, v0 - v2
    dots = tf.stack(
        [
            -vector.dot(edge0, edge2, keepdims=False),
            -vector.dot(edge1, edge0, keepdims=False),
            -vector.dot(edge2, edge1, keepdims=False),
        ],
        axis=-1,
    )
    # Below rounding level the cotangents are noise (and infinite at zero area): no weight.
    degenerate = twice_area <= triangle._rounding_level(v0, v1, v2)
    denominator = tf.where(degenerate, tf.ones_like(twice_area), twice_area)
    return tf.where(degenerate[..., None], tf.zeros_like(dots), 0.5 * dots / denominator[..., None])


def _assemble(rows, cols, values, num_vertices):
    """A SparseTensor `[A1, ..., An, V, V]` from int64 `rows`, `cols` `[E]` and `values` `[A1, ..., An, E]`.

    Entries with the same (row, col) are summed; the result is in canonical order.
    """
    num_vertices = tf.cast(num_vertices, tf.int64)
    # Deduplicate first, then sort only the distinct keys (TensorFlow's sort is slow).
    unique_keys, slots = tf.unique(rows * num_vertices + cols, out_idx=tf.int64)
    order = tf.argsort(unique_keys)
    unique_keys = tf.gather(unique_keys, order)
    slots = tf.gather(tf.math.invert_permutation(order), slots)
    static_batch = values.shape[:-1]
    flat, batch = batch_dims.flatten(values, 1)
    summed = tf.math.unsorted_segment_sum(tf.transpose(flat), slots, tf.shape(unique_keys, out_type=tf.int64)[0])
    summed = tf.transpose(summed)
    pairs = tf.stack([unique_keys // num_vertices, unique_keys % num_vertices], axis=-1)
    dense_shape = tf.concat([tf.cast(batch, tf.int64), tf.stack([num_vertices, num_vertices])], 0)
    if static_batch.rank == 0:
        return tf.sparse.SparseTensor(pairs, summed[0], dense_shape)
    meshes = tf.shape(flat, out_type=tf.int64)[0]
    mesh_indices = tf.transpose(tf.unravel_index(tf.range(meshes), tf.cast(batch, tf.int64)))
    count = tf.shape(pairs, out_type=tf.int64)[0]
    indices = tf.concat([tf.repeat(mesh_indices, count, axis=0), tf.tile(pairs, tf.stack([meshes, 1]))], axis=1)
    return tf.sparse.SparseTensor(indices, tf.reshape(summed, [-1]), dense_shape)

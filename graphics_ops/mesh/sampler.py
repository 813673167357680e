"""Random points on the surface of triangle meshes (TensorFlow Graphics' `geometry.representation.mesh.sampler`).

Faces are drawn with probability proportional to a weight (their area, for a uniform density on
the surface), then a point uniformly inside each drawn triangle, from barycentric coordinates
`(1 - √r1, √r1 (1 - r2), √r1 r2)` with r1, r2 uniform in [0, 1) (Osada et al., "Shape
distributions", 2002).

Reproducibility: with `stateless=True`, `seed` is a shape `[2]` integer tensor and the same seed
gives the same samples, in eager mode and in `tf.function`. Under `jit_compile` it also gives
the same samples every time, but not those of eager mode: XLA's kernels for TensorFlow's stateless
random ops produce other streams. The face and barycentric draws use two seeds split from `seed`
(TensorFlow Graphics reuses one seed for both). Otherwise `seed` is an optional Python int for
TensorFlow's stateful random ops.

Faces are drawn by inverting the cumulative weights (a binary search per sample), not with
`tf.random.categorical`, whose XLA kernel needs memory for num_samples × F numbers.

The sampled points are differentiable with respect to `vertex_attributes` (for fixed draws);
the draws themselves, and hence the areas that weigh them, are not.

Differences from TensorFlow Graphics: faces of zero weight (degenerate triangles) are never drawn
(TFG adds eps to every weight); if every weight of a mesh is zero, its faces are drawn uniformly;
batch dimensions broadcast, so faces `[F, 3]` can be shared by a batch of vertex sets; and
`return_barycentric_coordinates=True` also returns the barycentric coordinates of the points.
"""

import tensorflow as tf

from graphics_ops.mesh import measures, triangle
from graphics_ops.util import batch_dims, shape, trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def triangle_area(vertex0, vertex1, vertex2, name="triangle_area"):
    """Areas of triangles, as TensorFlow Graphics' `sampler.triangle_area` (see `triangle.area`).

    Args:
      vertex0, vertex1, vertex2: Tensors of shape `[A1, ..., An, 3]`: the corners.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`.
    """
    with tf.name_scope(name):
        return triangle.area(vertex0, vertex1, vertex2)[..., 0]


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def generate_random_face_indices(
    num_samples, face_weights, seed=None, stateless=False, name="generate_random_face_indices"
):
    """Draws face indices with probabilities proportional to `face_weights`.

    Args:
      num_samples: A Python int (or scalar int tensor, not under `jit_compile`): draws per mesh.
      face_weights: A tensor of shape `[A1, ..., An, F]`: non-negative, unnormalized.
      seed: A shape `[2]` integer tensor if `stateless`, else an optional Python int.
      stateless: A Python bool: whether to use stateless random ops.
      name: A name for this op.

    Returns:
      An int32 tensor of shape `[A1, ..., An, num_samples]`.
    """
    with tf.name_scope(name):
        (face_weights,) = shape.check_inputs(face_weights=(face_weights, "F"))
        face_weights = _checked_weights(face_weights)
        return _face_indices(num_samples, face_weights, _seeds(seed, stateless)[0], stateless)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def generate_random_barycentric_coordinates(
    sample_shape, dtype=tf.float32, seed=None, stateless=False, name="generate_random_barycentric_coordinates"
):
    """Draws barycentric coordinates of points uniformly distributed in a triangle.

    Args:
      sample_shape: A Python list or rank-1 int tensor `[A1, ..., An, num_samples]`.
      dtype: The floating dtype of the coordinates.
      seed: A shape `[2]` integer tensor if `stateless`, else an optional Python int.
      stateless: A Python bool: whether to use stateless random ops.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, num_samples, 3]`: non-negative, summing to 1.
    """
    with tf.name_scope(name):
        sample_shape = tf.convert_to_tensor(sample_shape, dtype_hint=tf.int32)
        if sample_shape.shape.rank != 1:
            raise ValueError(f"sample_shape must have shape [n + 1], got {sample_shape.shape.as_list()}")
        return _barycentric(sample_shape, dtype, _seeds(seed, stateless)[1], stateless)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def weighted_random_sample_triangle_mesh(
    vertex_attributes,
    faces,
    num_samples,
    face_weights,
    seed=None,
    stateless=False,
    return_barycentric_coordinates=False,
    name="weighted_random_sample_triangle_mesh",
):
    """Samples points on triangle meshes, drawing faces with probabilities proportional to `face_weights`.

    Args:
      vertex_attributes: A tensor of shape `[A1, ..., An, V, D]`: positions, or any attributes to
        interpolate at the sampled points.
      faces: An integer tensor of shape `[A1, ..., An, F, 3]`.
      num_samples: A Python int (or scalar int tensor, not under `jit_compile`): points per mesh.
      face_weights: A tensor of shape `[A1, ..., An, F]`: non-negative, unnormalized.
      seed: A shape `[2]` integer tensor if `stateless`, else an optional Python int.
      stateless: A Python bool: whether to use stateless random ops.
      return_barycentric_coordinates: A Python bool: whether to also return the coordinates.
      name: A name for this op.

    Returns:
      A tuple `(points, face_indices)`, or `(points, face_indices, barycentric_coordinates)`:
      points of shape `[A1, ..., An, num_samples, D]`, int32 face indices of shape
      `[A1, ..., An, num_samples]` and barycentric coordinates of shape
      `[A1, ..., An, num_samples, 3]`, weights of the corners `faces[face_indices]`.
    """
    with tf.name_scope(name):
        vertex_attributes, face_weights, faces = shape.check_inputs(
            vertex_attributes=(vertex_attributes, ("V", "D")),
            face_weights=(face_weights, "F"),
            faces=(faces, ("F", 3)),
            integer=("faces",),
        )
        face_weights = _checked_weights(face_weights)
        return _sample(
            vertex_attributes, faces, num_samples, face_weights, seed, stateless, return_barycentric_coordinates
        )


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def area_weighted_random_sample_triangle_mesh(
    vertex_attributes,
    faces,
    num_samples,
    vertex_positions=None,
    seed=None,
    stateless=False,
    return_barycentric_coordinates=False,
    name="area_weighted_random_sample_triangle_mesh",
):
    """Samples points uniformly on the surface of triangle meshes.

    Args:
      vertex_attributes: A tensor of shape `[A1, ..., An, V, D]`: attributes to interpolate at the
        sampled points; their first three components are the positions if `vertex_positions` is
        None (then D >= 3).
      faces: An integer tensor of shape `[A1, ..., An, F, 3]`.
      num_samples: A Python int (or scalar int tensor, not under `jit_compile`): points per mesh.
      vertex_positions: An optional tensor of shape `[A1, ..., An, V, 3]`.
      seed: A shape `[2]` integer tensor if `stateless`, else an optional Python int.
      stateless: A Python bool: whether to use stateless random ops.
      return_barycentric_coordinates: A Python bool: whether to also return the coordinates.
      name: A name for this op.

    Returns:
      As `weighted_random_sample_triangle_mesh`.
    """
    with tf.name_scope(name):
        if vertex_positions is None:
            (vertex_attributes,) = shape.check_inputs(vertex_attributes=(vertex_attributes, ("V", "D")))
            if vertex_attributes.shape[-1] is not None and vertex_attributes.shape[-1] < 3:
                raise ValueError(
                    "vertex_attributes must have shape [A1, ..., An, V, D] with D >= 3 when vertex_positions "
                    f"is None, got {vertex_attributes.shape.as_list()}"
                )
            vertex_positions = vertex_attributes[..., :3]
        vertex_attributes, vertex_positions, faces = shape.check_inputs(
            vertex_attributes=(vertex_attributes, ("V", "D")),
            vertex_positions=(vertex_positions, ("V", 3)),
            faces=(faces, ("F", 3)),
            integer=("faces",),
        )
        areas = tf.stop_gradient(measures.face_areas(vertex_positions, faces))
        return _sample(vertex_attributes, faces, num_samples, areas, seed, stateless, return_barycentric_coordinates)


def _checked_weights(face_weights):
    check = tf.debugging.assert_non_negative(face_weights, message="face_weights must be non-negative")
    with tf.control_dependencies([check]):
        return tf.identity(face_weights)


def _seeds(seed, stateless):
    """Seeds for the face draws and for the barycentric draws."""
    if not stateless:
        return seed, seed
    if seed is None:
        raise ValueError("seed must be given (a shape [2] integer tensor) when stateless=True")
    seed = tf.convert_to_tensor(seed)
    if seed.shape.as_list() != [2] or not seed.dtype.is_integer:
        raise ValueError(
            f"seed must be a shape [2] integer tensor when stateless=True, got {seed.shape} {seed.dtype.name}"
        )
    return tf.unstack(tf.random.experimental.stateless_split(seed, 2))


def _face_indices(num_samples, face_weights, seed, stateless):
    """Draws `[A1, ..., An, num_samples]` by inverting the cumulative weights `[A1, ..., An, F]`.

    A face of zero weight occupies an empty interval of the cumulative sum, so it is never drawn.
    The sum and the search are in float64: in float32, the rounding of a cumulative sum over a
    million faces would change the probability of each face by several percent.
    """
    weights = tf.cast(tf.stop_gradient(face_weights), tf.float64)
    flat, batch = batch_dims.flatten(weights, 1)
    faces = tf.shape(flat)[-1]
    positive = flat > 0
    # Meshes whose weights are all zero draw their faces uniformly.
    flat = tf.where(tf.reduce_any(positive, axis=-1, keepdims=True), flat, tf.ones_like(flat))
    cumulative = tf.cumsum(flat, axis=-1)
    draws_shape = tf.stack([tf.shape(flat)[0], tf.cast(num_samples, tf.int32)])
    uniform = _uniform(draws_shape, flat.dtype, seed, stateless) * cumulative[:, -1:]
    uniform.set_shape([flat.shape[0], num_samples if isinstance(num_samples, int) else None])
    draws = tf.searchsorted(cumulative, uniform, side="right", out_type=tf.int32)
    # Rounding can put a draw at the total weight: it belongs to the last face of nonzero weight.
    last = faces - 1 - tf.argmax(tf.reverse(tf.cast(flat > 0, tf.int32), axis=[-1]), axis=-1, output_type=tf.int32)
    draws = tf.minimum(draws, last[:, None])
    return batch_dims.unflatten(draws, batch, face_weights.shape[:-1])


def _uniform(draws_shape, dtype, seed, stateless):
    if stateless:
        return tf.random.stateless_uniform(draws_shape, seed=seed, dtype=dtype, alg="philox")
    return tf.random.uniform(draws_shape, dtype=dtype, seed=seed)


def _barycentric(sample_shape, dtype, seed, stateless):
    uniform = _uniform(tf.concat([tf.cast(sample_shape, tf.int32), [2]], 0), dtype, seed, stateless)
    root = tf.sqrt(uniform[..., 0])
    share = uniform[..., 1]
    return tf.stack([1.0 - root, root * (1.0 - share), root * share], axis=-1)


def _sample(vertex_attributes, faces, num_samples, face_weights, seed, stateless, return_barycentric):
    face_seed, barycentric_seed = _seeds(seed, stateless)
    vertex_attributes, faces, face_weights = shape.broadcast((vertex_attributes, 2), (faces, 2), (face_weights, 1))
    batch_rank = faces.shape.rank - 2
    face_indices = _face_indices(num_samples, face_weights, face_seed, stateless)
    corners = tf.gather(faces, face_indices, axis=-2, batch_dims=batch_rank)
    corner_attributes = tf.gather(vertex_attributes, corners, axis=-2, batch_dims=batch_rank)
    barycentric = _barycentric(tf.shape(face_indices), vertex_attributes.dtype, barycentric_seed, stateless)
    barycentric.set_shape(face_indices.shape.concatenate([3]))
    points = tf.reduce_sum(barycentric[..., None] * corner_attributes, axis=-2)
    if return_barycentric:
        return points, face_indices, barycentric
    return points, face_indices

"""Summary ops that log meshes, point clouds, line sets and cameras for the `mesh3d` plugin, like `tf.summary`.

Each call writes one blob-sequence summary: one blob per sample of the batch, so TensorBoard reads one
step of one sample without loading the others. The ops work eagerly and inside `tf.function`.

Shapes:
  positions: `[N, 3]`, or `[B, N, 3]` for a batch of B samples; float.
  faces: `[F, 3]` vertex indices, shared by the batch; integer.
  segments: `[E, 2]` vertex indices of line segments, shared by the batch; integer.
  colors: `[N, C]` or `[B, N, C]` with C = 3 (RGB) or 4 (RGBA); uint8, or floats in [0, 1].

Bad input raises `ValueError` naming the argument: statically known problems (rank, shape, dtype,
empty arrays, name) always, value problems (NaN or Inf, index or colour range) when the summary is
recorded. Inside `tf.function` value problems raise `tf.errors.InvalidArgumentError` when the
function runs. A rejected call writes nothing.
"""

import json
import re

import numpy as np
import tensorflow as tf

from graphics_ops.camera import camera as camera_lib
from tb_mesh_plugin import metadata

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def mesh(name, vertices, faces=None, colors=None, *, step=None, description=None):
    """Writes a triangle mesh summary.

    Args:
      name: the tag; the enclosing name scope is prepended, as in `tf.summary`.
      vertices: `[N, 3]` or `[B, N, 3]` float tensor of vertex positions.
      faces: optional `[F, 3]` integer tensor of vertex indices (counter-clockwise when seen from
        outside); without faces the vertices are shown as points.
      colors: optional `[N, C]` or `[B, N, C]` per-vertex colours, C in {3, 4}; uint8, or floats in
        [0, 1].
      step: int64 step; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid (see the module docstring), or no step was set.
    """
    indices = None if faces is None else ("faces", faces, 3)
    return _write("mesh", name, ("vertices", vertices), indices, colors, step, description)


def point_cloud(name, points, colors=None, *, step=None, description=None):
    """Writes a point cloud summary.

    Args:
      name: the tag; the enclosing name scope is prepended, as in `tf.summary`.
      points: `[N, 3]` or `[B, N, 3]` float tensor of point positions.
      colors: optional `[N, C]` or `[B, N, C]` per-point colours, C in {3, 4}; uint8, or floats in
        [0, 1].
      step: int64 step; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid (see the module docstring), or no step was set.
    """
    return _write("point_cloud", name, ("points", points), None, colors, step, description)


def lines(name, vertices, segments, colors=None, *, step=None, description=None):
    """Writes a set of line segments: edges, boxes, trajectories or camera frustums.

    Args:
      name: the tag; the enclosing name scope is prepended, as in `tf.summary`.
      vertices: `[N, 3]` or `[B, N, 3]` float tensor of end points.
      segments: `[E, 2]` integer tensor: each row joins two vertices.
      colors: optional `[N, C]` or `[B, N, C]` per-vertex colours, C in {3, 4}; uint8, or floats in
        [0, 1]. Each segment blends the colours of its two ends.
      step: int64 step; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid (see the module docstring), or no step was set.
    """
    return _write("lines", name, ("vertices", vertices), ("segments", segments, 2), colors, step, description)


def camera(name, camera, *, near=0.0, far=1.0, step=None, description=None):
    """Writes the view frustums of cameras as line segments, so the viewer draws them in the scene.

    Each camera is drawn as the 12 edges between the corners of its view at depths `near` and `far`
    (`graphics_ops.camera.frustum_corners`; `near=0` gives a pyramid with its apex at the camera
    centre), and a triangle on the top edge of the far rectangle that shows which way is up in its
    image. A batch of cameras (a rig, or a camera per view) is logged as one set of frustums.

    Args:
      name: the tag; the enclosing name scope is prepended, as in `tf.summary`.
      camera: a `graphics_ops.camera.Camera` with a statically known batch shape `[A1, ..., An]`.
      near: depth of the near rectangle, in world units; a Python float >= 0.
      far: depth of the far rectangle, in world units; a Python float > `near`. Choose it about the
        size of the scene so that the frustums are visible next to it.
      step: int64 step; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid, or no step was set.
    """
    if not isinstance(camera, camera_lib.Camera):
        raise ValueError(f"camera must be a graphics_ops.camera.Camera, got {type(camera).__name__}")
    if not camera.batch_shape.is_fully_defined():
        raise ValueError(f"camera must have a statically known batch shape, got {camera.batch_shape}")
    for value, arg in ((near, "near"), (far, "far")):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"{arg} must be a finite Python number, got {value!r}")
    if not 0 <= near < far:
        raise ValueError(f"near and far must satisfy 0 <= near < far, got near={near}, far={far}")
    corners = camera_lib.frustum_corners(camera, float(near), float(far))
    top_left, top_right, bottom_right, bottom_left = tf.unstack(corners[..., 4:, :], axis=-2)
    top = 0.5 * (top_left + top_right)
    up_tip = top + 0.35 * (top - 0.5 * (bottom_left + bottom_right))
    vertices = tf.reshape(tf.concat([corners, up_tip[..., None, :]], axis=-2), [-1, 3])
    edges = np.concatenate([camera_lib.FRUSTUM_EDGES, [[4, 8], [5, 8]]])
    count = camera.batch_shape.num_elements()
    segments = np.concatenate([edges + 9 * i for i in range(count)]).astype(np.int32)
    return lines(name, vertices, segments, step=step, description=description)


def _check_name(name):
    if not isinstance(name, str):
        raise ValueError(f"name must be a str, got {type(name).__name__}")
    if not name.strip():
        raise ValueError("name must not be empty or only whitespace")
    if _CONTROL_CHARACTERS.search(name):
        raise ValueError(f"name must not contain control characters, got {name!r}")
    if '"' in name or "\\" in name:
        # RustBoard (`--load_fast=true`) cannot read back blobs of tags that need JSON escapes.
        raise ValueError(f"name must not contain '\"' or '\\', which TensorBoard's fast loader cannot read, got {name!r}")


def _check_description(description):
    if description is not None and not isinstance(description, str):
        raise ValueError(f"description must be a str or None, got {type(description).__name__}")


def _to_tensor(value, arg):
    try:
        return tf.convert_to_tensor(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{arg} cannot be converted to a tensor: {e}") from None


def _check_rank_and_last_dim(tensor, arg, ranks, last_dims, layout):
    rank = tensor.shape.rank
    if rank is None:
        raise ValueError(f"{arg} must have a statically known rank; expected {layout}")
    if rank not in ranks:
        raise ValueError(f"{arg} must have shape {layout}, got rank {rank} (shape {tensor.shape})")
    if tensor.shape[-1] not in last_dims:
        raise ValueError(f"{arg} must have shape {layout}, got shape {tensor.shape}")
    if 0 in tensor.shape:
        raise ValueError(f"{arg} must not be empty, got shape {tensor.shape}")


def _static_size(a, b, arg_a, arg_b, what):
    """Checks two static sizes agree where both are known; returns the known one (or None)."""
    if a is not None and b is not None and a != b:
        raise ValueError(f"{arg_a} and {arg_b} disagree on {what}: {a} vs {b}")
    return a if a is not None else b


class _Checks:
    """Value checks: raise `ValueError` eagerly, or collect assert ops inside a graph."""

    def __init__(self):
        self.ops = []

    def require(self, condition, message):
        if tf.executing_eagerly():
            if not bool(condition):
                raise ValueError(message)
        else:
            self.ops.append(tf.debugging.Assert(condition, [message]))


def _prepare_positions(arg, value):
    positions = _to_tensor(value, arg)
    if not positions.dtype.is_floating:
        raise ValueError(f"{arg} must be a float tensor, got dtype {positions.dtype.name}")
    _check_rank_and_last_dim(positions, arg, (2, 3), (3, None), "[N, 3] or [B, N, 3]")
    batched = positions.shape.rank == 3
    return (positions if batched else positions[tf.newaxis]), batched


def _prepare_indices(arg, value, width):
    indices = _to_tensor(value, arg)
    if not indices.dtype.is_integer:
        raise ValueError(f"{arg} must be an integer tensor, got dtype {indices.dtype.name}")
    letter = {3: "F", 2: "E"}[width]
    _check_rank_and_last_dim(indices, arg, (2,), (width, None), f"[{letter}, {width}]")
    return indices


def _prepare_colors(value, batched_positions):
    colors = _to_tensor(value, "colors")
    if colors.dtype != tf.uint8 and not colors.dtype.is_floating:
        raise ValueError(f"colors must be uint8 or float, got dtype {colors.dtype.name}")
    _check_rank_and_last_dim(colors, "colors", (2, 3), (3, 4, None), "[N, C] or [B, N, C] with C in {3, 4}")
    if colors.shape.rank == 3 and not batched_positions:
        raise ValueError(f"colors has a batch dimension (shape {colors.shape}) but the positions do not")
    return colors


def _write(kind, name, positions_arg, indices_arg, colors, step, description):
    """Checks and writes one summary; `indices_arg` is None or `(arg, value, width)`."""
    _check_name(name)
    _check_description(description)
    arg, positions = positions_arg
    positions, batched = _prepare_positions(arg, positions)
    indices = None
    if indices_arg is not None:
        indices_name, indices_value, width = indices_arg
        indices = (indices_name, _prepare_indices(indices_name, indices_value, width))
    colors = None if colors is None else _prepare_colors(colors, batched)

    samples, vertex_count = positions.shape[0], positions.shape[1]
    color_channels = 0
    if colors is not None:
        vertex_count = _static_size(vertex_count, colors.shape[-2], arg, "colors", "the number of vertices")
        if colors.shape.rank == 3:
            samples = _static_size(samples, colors.shape[0], arg, "colors", "the batch size")
        color_channels = colors.shape[-1]
        if color_channels is None:
            raise ValueError("colors must have a statically known last dimension (3 or 4)")

    summary_metadata = metadata.create_summary_metadata(
        kind,
        vertex_count=vertex_count,
        index_count=None if indices is None else indices[1].shape[0],
        samples=samples,
        color_channels=color_channels,
        description=description,
    )

    def encode():
        checks = _Checks()
        stored = _validated_arrays(checks, arg, positions, indices, colors)
        with tf.control_dependencies(checks.ops):
            return _encode_samples(kind, stored)

    with tf.summary.experimental.summary_scope(name, f"{kind}_summary", values=[positions]) as (tag, _):
        return tf.summary.write(tag=tag, tensor=encode, step=step, metadata=summary_metadata)


def _validated_arrays(checks, arg, positions, indices, colors):
    """Checks values and converts to stored dtypes; returns [(name, tensor, batched)].

    `indices` is None or `(name, tensor)`: faces or segments, stored as int32.
    """
    shape = tf.shape(positions, out_type=tf.int64)
    samples, vertex_count = shape[0], shape[1]
    stored_positions = tf.cast(positions, tf.float32)
    checks.require(
        tf.reduce_all(tf.math.is_finite(stored_positions)),
        f"{arg} must be finite (no NaN or Inf, and within float32 range)",
    )
    stored = [("vertices", stored_positions, True)]
    if indices is not None:
        indices_name, index_tensor = indices
        wide = tf.cast(index_tensor, tf.int64)
        checks.require(tf.reduce_all(wide >= 0), f"{indices_name} must not hold negative indices")
        checks.require(
            tf.reduce_all(wide < vertex_count),
            f"{indices_name} hold indices out of range: every index must be below the number of vertices of {arg}",
        )
        stored.append((indices_name, tf.cast(index_tensor, tf.int32), False))
    if colors is not None:
        color_shape = tf.shape(colors, out_type=tf.int64)
        checks.require(
            tf.equal(color_shape[-2], vertex_count),
            f"colors must have one row per vertex of {arg}",
        )
        if colors.shape.rank == 3:
            checks.require(tf.equal(color_shape[0], samples), f"colors and {arg} must have the same batch size")
        if colors.dtype != tf.uint8:
            checks.require(
                tf.reduce_all((colors >= 0) & (colors <= 1)),
                "float colors must lie in [0, 1] (and not be NaN)",
            )
            colors = tf.cast(tf.round(tf.cast(colors, tf.float32) * 255.0), tf.uint8)
        stored.append(("colors", colors, colors.shape.rank == 3))
    return stored


def _encode_samples(kind, stored):
    """Encodes each sample as a serialized string tensor; returns a `[B]` string tensor."""
    manifest = json.dumps({"version": metadata.FORMAT_VERSION, "kind": kind, "arrays": [n for n, _, _ in stored]})
    shared = {name: tf.io.serialize_tensor(t) for name, t, batched in stored if not batched}
    batched = [(name, t) for name, t, is_batched in stored if is_batched]

    def encode_one(per_sample):
        serialized = dict(shared)
        for (name, _), value in zip(batched, per_sample):
            serialized[name] = tf.io.serialize_tensor(value)
        parts = [tf.constant(manifest)] + [serialized[name] for name, _, _ in stored]
        return tf.io.serialize_tensor(tf.stack(parts))

    return tf.map_fn(
        encode_one,
        tuple(t for _, t in batched),
        fn_output_signature=tf.TensorSpec([], tf.string),
    )

"""Summary ops that log meshes, point clouds, line sets and cameras for the `mesh3d` plugin, like `tf.summary`.

Each call writes one blob-sequence summary: one blob per sample of the batch, so TensorBoard reads one
step of one sample without loading the others. The ops work eagerly and inside `tf.function`.

Shapes:
  positions: `[N, 3]`, or `[B, N, 3]` for a batch of B samples; float.
  faces: `[F, 3]` vertex indices, shared by the batch; integer.
  segments: `[E, 2]` vertex indices of line segments, shared by the batch; integer.
  colors: `[N, C]` or `[B, N, C]` with C = 3 (RGB) or 4 (RGBA); uint8, or floats in [0, 1].
  attributes: per-vertex values to colour by or draw as arrows, a dict `{name: values}` with values
    `[N]` or `[N, K]` (`[B, N]` or `[B, N, K]` when the positions are batched), K from 1 to 4; float
    or integer, stored as float32 with each step's per-component and magnitude ranges.
  face_attributes: per-face values of a mesh, `{name: values}` with values `[F]` or `[F, K]`, shared
    by the batch like the faces.
  face_colors: `[F, C]` per-face colours of a mesh, shared by the batch like the faces.
  quantize: how positions are stored and sent: None (float32, 12 bytes a vertex), "float16" (6 bytes,
    about 3 significant digits, |x| up to 65504) or "uint16" (6 bytes: 16-bit fixed point over each
    sample's per-axis bounding box, a step of 1/65535 of the box).

Bad input raises `ValueError` naming the argument: statically known problems (rank, shape, dtype,
empty arrays, name, attribute names) always, value problems (NaN or Inf, index or colour range) when
the summary is recorded. Inside `tf.function` value problems raise `tf.errors.InvalidArgumentError` when the
function runs. A rejected call writes nothing.
"""

import collections.abc
import dataclasses
import json
import re

import numpy as np
import tensorflow as tf

from graphics_ops.camera import camera as camera_lib
from tb_mesh_plugin import metadata, storage

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_MAX_ATTRIBUTE_NAME_LENGTH = 100


def mesh(
    name, vertices, faces=None, colors=None, *, attributes=None, face_attributes=None, face_colors=None,
    quantize=None, step=None, description=None,
):
    """Writes a triangle mesh summary.

    Args:
      name: the tag; the enclosing name scope is prepended, as in `tf.summary`.
      vertices: `[N, 3]` or `[B, N, 3]` float tensor of vertex positions.
      faces: optional `[F, 3]` integer tensor of vertex indices (counter-clockwise when seen from
        outside); without faces the vertices are shown as points.
      colors: optional `[N, C]` or `[B, N, C]` per-vertex colours, C in {3, 4}; uint8, or floats in
        [0, 1].
      attributes: optional dict of per-vertex attributes, name -> `[N]` or `[N, K]` (`[B, N]` or
        `[B, N, K]` for batched vertices), K in 1..4. K = 3 attributes can be drawn as arrows.
      face_attributes: optional dict of per-face attributes, name -> `[F]` or `[F, K]`; needs faces.
        Names must differ from those of `attributes`.
      face_colors: optional `[F, C]` per-face colours, C in {3, 4}; uint8, or floats in [0, 1]; needs
        faces. The viewer shades each face flat in its colour.
      quantize: None, "float16" or "uint16": stores positions in half the bytes (module docstring).
      step: int64 step; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid (see the module docstring), or no step was set.
    """
    if face_attributes and faces is None:
        raise ValueError("face_attributes need faces: pass the faces of the mesh")
    if face_colors is not None and faces is None:
        raise ValueError("face_colors need faces: pass the faces of the mesh")
    indices = None if faces is None else ("faces", faces, 3)
    return _write(
        "mesh", name, ("vertices", vertices), indices, colors, step, description,
        _attribute_args(attributes, face_attributes), quantize=quantize, face_colors=face_colors,
    )


def point_cloud(name, points, colors=None, *, attributes=None, quantize=None, step=None, description=None):
    """Writes a point cloud summary.

    Args:
      name: the tag; the enclosing name scope is prepended, as in `tf.summary`.
      points: `[N, 3]` or `[B, N, 3]` float tensor of point positions.
      colors: optional `[N, C]` or `[B, N, C]` per-point colours, C in {3, 4}; uint8, or floats in
        [0, 1].
      attributes: optional dict of per-point attributes, name -> `[N]` or `[N, K]` (`[B, N]` or
        `[B, N, K]` for batched points), K in 1..4. K = 3 attributes can be drawn as arrows.
      quantize: None, "float16" or "uint16": stores positions in half the bytes (module docstring).
      step: int64 step; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid (see the module docstring), or no step was set.
    """
    return _write(
        "point_cloud", name, ("points", points), None, colors, step, description, _attribute_args(attributes, None),
        quantize=quantize,
    )


def lines(name, vertices, segments, colors=None, *, attributes=None, quantize=None, step=None, description=None):
    """Writes a set of line segments: edges, boxes, trajectories or camera frustums.

    Args:
      name: the tag; the enclosing name scope is prepended, as in `tf.summary`.
      vertices: `[N, 3]` or `[B, N, 3]` float tensor of end points.
      segments: `[E, 2]` integer tensor: each row joins two vertices.
      colors: optional `[N, C]` or `[B, N, C]` per-vertex colours, C in {3, 4}; uint8, or floats in
        [0, 1]. Each segment blends the colours of its two ends.
      attributes: optional dict of per-vertex attributes, name -> `[N]` or `[N, K]` (`[B, N]` or
        `[B, N, K]` for batched vertices), K in 1..4.
      quantize: None, "float16" or "uint16": stores positions in half the bytes (module docstring).
      step: int64 step; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid (see the module docstring), or no step was set.
    """
    return _write(
        "lines", name, ("vertices", vertices), ("segments", segments, 2), colors, step, description,
        _attribute_args(attributes, None), quantize=quantize,
    )


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


def _prepare_colors(value, batched_positions, arg="colors", rows="N", batchable=True):
    colors = _to_tensor(value, arg)
    if colors.dtype != tf.uint8 and not colors.dtype.is_floating:
        raise ValueError(f"{arg} must be uint8 or float, got dtype {colors.dtype.name}")
    layout = f"[{rows}, C] or [B, {rows}, C] with C in {{3, 4}}" if batchable else f"[{rows}, C] with C in {{3, 4}}"
    _check_rank_and_last_dim(colors, arg, (2, 3) if batchable else (2,), (3, 4, None), layout)
    if colors.shape.rank == 3 and not batched_positions:
        raise ValueError(f"{arg} has a batch dimension (shape {colors.shape}) but the positions do not")
    if colors.shape[-1] is None:
        raise ValueError(f"{arg} must have a statically known last dimension (3 or 4)")
    return colors


def _check_quantize(quantize):
    if quantize not in metadata.QUANTIZATIONS:
        raise ValueError(f"quantize must be None, 'float16' or 'uint16', got {quantize!r}")


def _check_attribute_name(arg, name):
    if not isinstance(name, str):
        raise ValueError(f"names in {arg} must be str, got {name!r} ({type(name).__name__})")
    if not name.strip():
        raise ValueError(f"names in {arg} must not be empty or only whitespace, got {name!r}")
    if _CONTROL_CHARACTERS.search(name):
        raise ValueError(f"names in {arg} must not contain control characters, got {name!r}")
    if len(name) > _MAX_ATTRIBUTE_NAME_LENGTH:
        raise ValueError(f"names in {arg} must be at most {_MAX_ATTRIBUTE_NAME_LENGTH} characters, got {len(name)}")


def _attribute_args(attributes, face_attributes):
    """Checks the attribute dicts and their names; returns `[(arg, name, placement, value)]`."""
    found = []
    given = (("attributes", "vertex", attributes), ("face_attributes", "face", face_attributes))
    for dict_arg, placement, mapping in given:
        if mapping is None:
            continue
        if not isinstance(mapping, collections.abc.Mapping):
            raise ValueError(f"{dict_arg} must be a dict of name -> tensor, got {type(mapping).__name__}")
        for name, value in mapping.items():
            _check_attribute_name(dict_arg, name)
            found.append((f"{dict_arg}[{name!r}]", name, placement, value))
    vertex_names = set(attributes or ())
    for _, name, placement, _ in found:
        if placement == "face" and name in vertex_names:
            raise ValueError(f"attribute names must be unique: {name!r} is in both attributes and face_attributes")
    return found


@dataclasses.dataclass(frozen=True)
class _Attribute:
    """A checked attribute: values `[B, N, K]` per vertex, or `[F, K]` per face (shared by the batch)."""

    arg: str
    name: str
    placement: str
    values: tf.Tensor

    def describe(self):
        return {"name": self.name, "placement": self.placement, "components": self.values.shape[-1]}


def _shape_text(tensor):
    return str(tensor.shape.as_list()) if tensor.shape.rank is not None else "of unknown rank"


def _prepare_attribute(arg, name, placement, value, *, batched, samples, rows, positions_arg):
    """Checks one attribute's dtype and static shape; `rows` is `(letter, static count or None, noun)`."""
    tensor = _to_tensor(value, arg)
    if tensor.dtype.is_bool or tensor.dtype.is_complex or not (tensor.dtype.is_floating or tensor.dtype.is_integer):
        raise ValueError(f"{arg} must be a float or integer tensor, got dtype {tensor.dtype.name}")
    letter, count, noun = rows
    outer = 2 if batched else 1  # the rank of a scalar attribute
    prefix = "B, " if batched else ""
    layout = (
        f"[{prefix}{letter}] or [{prefix}{letter}, K] (K from 1 to {metadata.MAX_COMPONENTS}) with {letter} = "
        + (f"{count} {noun}" if count is not None else f"the number of {noun}")
    )
    rank = tensor.shape.rank
    if rank not in (outer, outer + 1):
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(tensor)}")
    if rank == outer + 1 and tensor.shape[-1] not in range(1, metadata.MAX_COMPONENTS + 1):
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(tensor)}")
    if count is not None and tensor.shape[outer - 1] not in (None, count):
        raise ValueError(f"{arg} must have shape {layout}, got {_shape_text(tensor)}")
    if 0 in tensor.shape:
        raise ValueError(f"{arg} must not be empty, got shape {_shape_text(tensor)}")
    if batched:
        _static_size(samples, tensor.shape[0], positions_arg, arg, "the batch size")
    values = tensor if rank == outer + 1 else tensor[..., tf.newaxis]
    if placement == "vertex" and not batched:
        values = values[tf.newaxis]
    return _Attribute(arg, name, placement, values)


def _write(
    kind, name, positions_arg, indices_arg, colors, step, description, attribute_args=(), *, quantize=None,
    face_colors=None,
):
    """Checks and writes one summary.

    `indices_arg` is None or `(arg, value, width)`; `attribute_args` is `[(arg, name, placement, value)]`
    from `_attribute_args`.
    """
    _check_name(name)
    _check_description(description)
    _check_quantize(quantize)
    arg, positions = positions_arg
    positions, batched = _prepare_positions(arg, positions)
    indices = None
    if indices_arg is not None:
        indices_name, indices_value, width = indices_arg
        indices = (indices_name, _prepare_indices(indices_name, indices_value, width))
    colors = None if colors is None else _prepare_colors(colors, batched)
    if face_colors is not None:
        face_colors = _prepare_colors(face_colors, batched, "face_colors", "F", batchable=False)

    samples, vertex_count = positions.shape[0], positions.shape[1]
    color_channels = 0
    if colors is not None:
        vertex_count = _static_size(vertex_count, colors.shape[-2], arg, "colors", "the number of vertices")
        if colors.shape.rank == 3:
            samples = _static_size(samples, colors.shape[0], arg, "colors", "the batch size")
        color_channels = colors.shape[-1]
    face_count = None if indices is None else indices[1].shape[0]
    if face_colors is not None:
        _static_size(face_count, face_colors.shape[0], "faces", "face_colors", "the number of faces")
    vertex_rows = ("N", vertex_count, "points" if kind == "point_cloud" else "vertices")
    attributes = [
        _prepare_attribute(
            attribute_arg, attribute_name, placement, value,
            batched=batched and placement == "vertex",
            samples=samples,
            rows=vertex_rows if placement == "vertex" else ("F", face_count, "faces"),
            positions_arg=arg,
        )
        for attribute_arg, attribute_name, placement, value in attribute_args
    ]

    summary_metadata = metadata.create_summary_metadata(
        kind,
        vertex_count=vertex_count,
        index_count=face_count,
        samples=samples,
        color_channels=color_channels,
        description=description,
        attributes=[a.describe() for a in attributes],
        quantize=quantize,
        face_color_channels=0 if face_colors is None else face_colors.shape[-1],
    )
    version = metadata.format_version(quantize, face_colors is not None)

    def encode():
        checks = _Checks()
        stored = _validated_arrays(checks, arg, positions, indices, colors, quantize)
        if face_colors is not None:
            stored.append(("face_colors", _validated_face_colors(checks, indices, face_colors), False))
        stored += _validated_attributes(checks, arg, positions, indices, attributes)
        with tf.control_dependencies(checks.ops):
            return _encode_samples(kind, stored, [a.describe() for a in attributes], version)

    with tf.summary.experimental.summary_scope(name, f"{kind}_summary", values=[positions]) as (tag, _):
        return tf.summary.write(tag=tag, tensor=encode, step=step, metadata=summary_metadata)


def _as_uint8_colors(checks, arg, colors):
    """Colours as stored: uint8 as given, floats checked to lie in [0, 1] and scaled to 0–255."""
    if colors.dtype == tf.uint8:
        return colors
    checks.require(tf.reduce_all((colors >= 0) & (colors <= 1)), f"float {arg} must lie in [0, 1] (and not be NaN)")
    return tf.cast(tf.round(tf.cast(colors, tf.float32) * 255.0), tf.uint8)


def _validated_face_colors(checks, indices, face_colors):
    face_count = tf.shape(indices[1], out_type=tf.int64)[0]
    rows = tf.shape(face_colors, out_type=tf.int64)[0]
    checks.require(tf.equal(rows, face_count), "face_colors must have one row per face")
    return _as_uint8_colors(checks, "face_colors", face_colors)


def _quantized_positions(checks, arg, positions, quantize):
    """Positions `[B, N, 3]` float32 as stored: [(name, tensor, batched)] (docs/wire-format.md)."""
    if quantize is None:
        return [("vertices", positions, True)]
    if quantize == "float16":
        half = tf.cast(positions, tf.float16)
        checks.require(
            tf.reduce_all(tf.math.is_finite(half)),
            f"{arg} must lie within float16's range (|x| <= 65504) with quantize='float16'; use quantize='uint16'",
        )
        exact = tf.cast(half, tf.float32)
        bounds = tf.stack([tf.reduce_min(exact, axis=-2), tf.reduce_max(exact, axis=-2)], axis=-2)
        return [("vertices", half, True), ("position_bounds", bounds, True)]
    low = tf.reduce_min(positions, axis=-2, keepdims=True)
    span = tf.reduce_max(positions, axis=-2, keepdims=True) - low
    checks.require(tf.reduce_all(tf.math.is_finite(span)), f"{arg} span more than float32's range on an axis")
    scale = tf.where(span > 0, span / 65535.0, tf.ones_like(span))
    codes = tf.cast(tf.clip_by_value(tf.round((positions - low) / scale), 0.0, 65535.0), tf.uint16)
    high = low + 65535.0 * scale
    bounds = tf.concat([low, tf.where(span > 0, high, low)], axis=-2)
    return [
        ("vertices", codes, True),
        ("position_offset", low[:, 0], True),
        ("position_scale", scale[:, 0], True),
        ("position_bounds", bounds, True),
    ]


def _validated_arrays(checks, arg, positions, indices, colors, quantize=None):
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
    stored = _quantized_positions(checks, arg, stored_positions, quantize)
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
        stored.append(("colors", _as_uint8_colors(checks, "colors", colors), colors.shape.rank == 3))
    return stored


def _validated_attributes(checks, arg, positions, indices, attributes):
    """Checks attribute values and computes their ranges; returns [(name, tensor, batched)].

    Each attribute stores its float32 values and a `[K + 1, 2]` array of ranges: (min, max) of each
    component, then (min, max) of the magnitude (the Euclidean norm of a row).
    """
    positions_shape = tf.shape(positions, out_type=tf.int64)
    stored = []
    for attribute in attributes:
        values = tf.cast(attribute.values, tf.float32)
        finite = tf.reduce_all(tf.math.is_finite(values))
        checks.require(finite, f"{attribute.arg} must be finite (no NaN or Inf, and within float32 range)")
        shape = tf.shape(values, out_type=tf.int64)
        if attribute.placement == "vertex":
            rows_match, batch_matches = tf.equal(shape[1], positions_shape[1]), tf.equal(shape[0], positions_shape[0])
            checks.require(rows_match, f"{attribute.arg} must have one row per vertex of {arg}")
            checks.require(batch_matches, f"{attribute.arg} and {arg} must have the same batch size")
        else:
            face_count = tf.shape(indices[1], out_type=tf.int64)[0]
            checks.require(tf.equal(shape[0], face_count), f"{attribute.arg} must have one row per face")
        squared = tf.reduce_sum(tf.square(values), axis=-1, keepdims=True)  # squared magnitudes [..., R, 1]
        lowest = tf.concat([tf.reduce_min(values, axis=-2), tf.sqrt(tf.reduce_min(squared, axis=-2))], axis=-1)
        highest = tf.concat([tf.reduce_max(values, axis=-2), tf.sqrt(tf.reduce_max(squared, axis=-2))], axis=-1)
        checks.require(
            tf.logical_or(tf.reduce_all(tf.math.is_finite(highest)), tf.logical_not(finite)),
            f"{attribute.arg} must have magnitudes below 1.8e19 (their squares must fit in float32)",
        )
        ranges = tf.stack([lowest, highest], axis=-1)
        values_name, ranges_name = metadata.attribute_array_names(attribute.name)
        batched = attribute.placement == "vertex"
        stored += [(values_name, values, batched), (ranges_name, ranges, batched)]
    return stored


def _encode_samples(kind, stored, attributes, version):
    """Encodes each sample as a serialized string tensor; returns a `[B]` string tensor."""
    names = [n for n, _, _ in stored]
    manifest = json.dumps({"version": version, "kind": kind, "arrays": names, "attributes": attributes})
    shared = {name: tf.io.serialize_tensor(t) for name, t, batched in stored if not batched}
    batched = [(name, t) for name, t, is_batched in stored if is_batched]

    def encode_one(per_sample):
        serialized = dict(shared)
        for (name, _), value in zip(batched, per_sample):
            serialized[name] = tf.io.serialize_tensor(value)
        parts = [tf.constant(manifest)] + [serialized[name] for name, _, _ in stored]
        return storage.checksummed(tf.io.serialize_tensor(tf.stack(parts)))

    return tf.map_fn(
        encode_one,
        tuple(t for _, t in batched),
        fn_output_signature=tf.TensorSpec([], tf.string),
    )

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
empty arrays, name, attribute names, step) always, value problems (NaN or Inf, index or colour range) when
the summary is recorded. Inside `tf.function` value problems, and sizes of dimensions unknown when the
function is traced, raise `tf.errors.InvalidArgumentError` when the function runs. A rejected call writes
nothing. A tag (the name with its name scopes) has at most 1024 characters, so that the viewer can
fetch its steps; names and descriptions must be valid Unicode (no lone surrogates).

Checks live in `_arguments.py` (shared with the framework-free `writer.MeshWriter`, on TensorFlow's
`_checks.TENSORFLOW` here), stored arrays in `_samples.py` and encoding in `_encode.py`; the stored
arrays are those of `schema.py`.
"""

import numpy as np
import tensorflow as tf

from graphics_ops.camera import camera as camera_lib
from tb_mesh_plugin import _arguments, _checks, _encode, _samples


def mesh(
    name,
    vertices,
    faces=None,
    colors=None,
    *,
    attributes=None,
    face_attributes=None,
    face_colors=None,
    quantize=None,
    step=None,
    description=None,
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
      step: the step, an int or an int64 tensor; defaults to `tf.summary.experimental.get_step()`.
      description: optional plain-text description shown with the tag.

    Returns:
      True on success, or False if no default summary writer was available.

    Raises:
      ValueError: if an argument is invalid (see the module docstring), or no step was set.
    """
    arrays = _arguments.mesh_arrays(faces, face_colors, attributes, face_attributes)
    return _write("mesh", name, step, description, quantize, "vertices", vertices, colors=colors, **arrays)


def point_cloud(name, points, colors=None, *, attributes=None, quantize=None, step=None, description=None):
    """Writes a point cloud summary.

    Args:
      name, quantize, step, description: as for `mesh`.
      points: `[N, 3]` or `[B, N, 3]` float tensor of point positions.
      colors: optional `[N, C]` or `[B, N, C]` per-point colours, C in {3, 4}; uint8, or floats in
        [0, 1].
      attributes: optional dict of per-point attributes, name -> `[N]` or `[N, K]` (`[B, N]` or
        `[B, N, K]` for batched points), K in 1..4. K = 3 attributes can be drawn as arrows.

    Returns and raises as `mesh`.
    """
    return _write(
        "point_cloud",
        name,
        step,
        description,
        quantize,
        "points",
        points,
        colors=colors,
        attributes=_arguments.attribute_args(attributes, None),
    )


def lines(name, vertices, segments, colors=None, *, attributes=None, quantize=None, step=None, description=None):
    """Writes a set of line segments: edges, boxes, trajectories or camera frustums.

    Args:
      name, quantize, step, description: as for `mesh`.
      vertices: `[N, 3]` or `[B, N, 3]` float tensor of end points.
      segments: `[E, 2]` integer tensor: each row joins two vertices.
      colors: optional `[N, C]` or `[B, N, C]` per-vertex colours, C in {3, 4}; uint8, or floats in
        [0, 1]. Each segment blends the colours of its two ends.
      attributes: optional dict of per-vertex attributes, name -> `[N]` or `[N, K]` (`[B, N]` or
        `[B, N, K]` for batched vertices), K in 1..4.

    Returns and raises as `mesh`.
    """
    return _write(
        "lines",
        name,
        step,
        description,
        quantize,
        "vertices",
        vertices,
        indices=segments,
        colors=colors,
        attributes=_arguments.attribute_args(attributes, None),
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
    vertices, segments = frustum_lines(camera, near, far)
    return _write("lines", name, step, description, None, "vertices", vertices, camera=True, indices=segments)


def frustum_lines(camera, near, far):
    """Checks the arguments of `camera`; returns its frustums as lines: vertices `[9 A, 3]`, segments `[13 A, 2]`.

    A = A1 * ... * An cameras; each has 8 frustum corners and the tip of its up triangle.
    """
    _arguments.check_camera(camera, near, far)
    corners = camera_lib.frustum_corners(camera, float(near), float(far))
    top_left, top_right, bottom_right, bottom_left = tf.unstack(corners[..., 4:, :], axis=-2)
    top = 0.5 * (top_left + top_right)
    up_tip = top + 0.35 * (top - 0.5 * (bottom_left + bottom_right))
    vertices = tf.reshape(tf.concat([corners, up_tip[..., None, :]], axis=-2), [-1, 3])
    edges = np.concatenate([camera_lib.FRUSTUM_EDGES, [[4, 8], [5, 8]]])
    count = camera.batch_shape.num_elements()
    segments = np.concatenate([edges + 9 * i for i in range(count)]).astype(np.int32)
    return vertices, segments


def _write(kind, name, step, description, quantize, positions_arg, positions, camera=False, **arrays):
    """Checks and writes one summary; `arrays` are the keyword arguments of `_arguments.check_inputs`.

    `camera` marks lines that hold camera frustums (`metadata.create_summary_metadata`).
    """
    _arguments.check_options(name, description, step, quantize, _checks.check_step)
    inputs = _arguments.check_inputs(_checks.TENSORFLOW, kind, positions_arg, positions, **arrays)
    summary_metadata, version = inputs.summary_metadata(quantize, description, camera)

    def encode():
        checks = _arguments.ValueChecks(_checks.TENSORFLOW)
        _arguments.require_valid_values(checks, inputs)
        stored = _samples.stored_arrays(checks, inputs, quantize)
        with tf.control_dependencies(checks.asserts):
            return _encode.encode_samples(kind, stored, inputs.describe_attributes(), version)

    with tf.summary.experimental.summary_scope(name, f"{kind}_summary", values=[inputs.positions.values]) as (tag, _):
        _arguments.check_tag(tag)
        return tf.summary.write(tag=tag, tensor=encode, step=step, metadata=summary_metadata)

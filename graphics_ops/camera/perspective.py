"""Pinhole (perspective) cameras, with TensorFlow Graphics' `rendering.camera.perspective` API.

Camera coordinates follow the computer-vision convention: x to the right, y down, z forward (the
viewing direction), so points in front of the camera have depth z > 0. A point (x, y, z) lands on
the pixel

    (fx x / z + cx, fy y / z + cy),

where `focal` is (fx, fy) and `principal_point` is (cx, cy), both in pixels. The intrinsic matrix is
[[fx, skew, cx], [0, fy, cy], [0, 0, 1]]. Shapes are `[A1, ..., An, k]`, where the batch dimensions
A1, ..., An broadcast between arguments.

Points at or behind the camera: `project` keeps TensorFlow Graphics' formula, the central projection
through the camera centre, so a point behind the camera (z < 0) lands where its mirror image
(-x, -y, -z) would. To keep values and gradients finite, |z| is clamped from below at `min_depth`
(machine epsilon of the dtype: 1.2e-7 in float32, 2.2e-16 in float64) with its sign kept, 0 counting
as positive; below it the gradient with respect to z is zero. `project_with_validity` also returns
which points are strictly in front of the camera (z > min_depth), that is, where the pixel really is
the image of the point. Zero focal lengths are clamped the same way in `ray` and `unproject`.

Extra: `project_with_validity` and `min_depth`; `random_rays` and `random_patches` take an optional
keyword `seed` for stateless sampling. Other differences from TensorFlow Graphics: the depth clamp
above (it adds 1e-37 with the sign of z, so z = 0 gives inf in float32); batch dimensions broadcast in
every function; `random_rays` and `random_patches` work in the dtype of `focal` (not only float32) and
sample over the broadcast batch shape of `focal` and `principal_point`; `random_patches` with
indexing "xy" spans patch_width pixels along x also for patches that are not square.
"""

import numpy as np
import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook


@trace_hook.op
def intrinsics_from_matrix(matrix, name="perspective_intrinsics_from_matrix"):
    """Reads the focal length, principal point and skew off intrinsic matrices.

    Args:
      matrix: A tensor of shape `[A1, ..., An, 3, 3]`: matrices [[fx, skew, cx], [0, fy, cy], [0, 0, 1]].
      name: A name for this op.

    Returns:
      A tuple of tensors of shapes `[A1, ..., An, 2]` (focal length), `[A1, ..., An, 2]` (principal
      point) and `[A1, ..., An, 1]` (skew).
    """
    with tf.name_scope(name):
        (matrix,) = shape.check_inputs(matrix=(matrix, (3, 3)))
        focal = tf.stack([matrix[..., 0, 0], matrix[..., 1, 1]], axis=-1)
        principal_point = matrix[..., :2, 2]
        skew = matrix[..., 0, 1:2]
        return focal, principal_point, skew


@trace_hook.op
def matrix_from_intrinsics(focal, principal_point, skew=(0.0,), name="perspective_matrix_from_intrinsics"):
    """Builds intrinsic matrices [[fx, skew, cx], [0, fy, cy], [0, 0, 1]].

    Args:
      focal: A tensor of shape `[A1, ..., An, 2]`: focal lengths (fx, fy) in pixels.
      principal_point: A tensor of shape `[A1, ..., An, 2]`: principal points (cx, cy) in pixels.
      skew: A tensor of shape `[A1, ..., An, 1]`: skew coefficients.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3, 3]`.
    """
    with tf.name_scope(name):
        focal, principal_point, skew = shape.check_inputs(
            focal=(focal, 2), principal_point=(principal_point, 2), skew=(skew, 1)
        )
        fx, fy = tf.unstack(focal, axis=-1)
        cx, cy = tf.unstack(principal_point, axis=-1)
        fx, fy, cx, cy, skew = shape.broadcast((fx, 0), (fy, 0), (cx, 0), (cy, 0), (skew[..., 0], 0))
        zero, one = tf.zeros_like(fx), tf.ones_like(fx)
        rows = [[fx, skew, cx], [zero, fy, cy], [zero, zero, one]]
        return tf.stack([tf.stack(row, axis=-1) for row in rows], axis=-2)


@trace_hook.op
def right_handed(vertical_field_of_view, aspect_ratio, near, far, name="perspective_right_handed"):
    """OpenGL perspective projection matrices of right-handed view frusta.

    The camera looks down its -z axis; points between the `near` and `far` planes map to clip
    coordinates whose depth, after division by w, lies in [-1, 1]. The ranges below are not checked
    (TensorFlow Graphics checks them only when its debug assertions are turned on).

    Args:
      vertical_field_of_view: A tensor of shape `[A1, ..., An, 1]`: angles in (0, π), in radians.
      aspect_ratio: A tensor of shape `[A1, ..., An, 1]`: width over height, positive.
      near: A tensor of shape `[A1, ..., An, 1]`: distances to the near plane, positive.
      far: A tensor of shape `[A1, ..., An, 1]`: distances to the far plane, above `near`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 4, 4]`.
    """
    with tf.name_scope(name):
        vertical_field_of_view, aspect_ratio, near, far = shape.check_inputs(
            vertical_field_of_view=(vertical_field_of_view, 1),
            aspect_ratio=(aspect_ratio, 1),
            near=(near, 1),
            far=(far, 1),
        )
        # 1 / tan(fov / 2), written with cos and sin so that it stays finite up to fov = π.
        half = 0.5 * vertical_field_of_view[..., 0]
        scale_y = tf.cos(half) / tf.sin(half)
        near, far, aspect_ratio = near[..., 0], far[..., 0], aspect_ratio[..., 0]
        depth_range = near - far
        scale_x, scale_y, depth_scale, depth_offset = shape.broadcast(
            (scale_y / aspect_ratio, 0),
            (scale_y, 0),
            ((far + near) / depth_range, 0),
            (2.0 * far * near / depth_range, 0),
        )
        zero = tf.zeros_like(scale_x)
        rows = [
            [scale_x, zero, zero, zero],
            [zero, scale_y, zero, zero],
            [zero, zero, depth_scale, depth_offset],
            [zero, zero, -tf.ones_like(zero), zero],
        ]
        return tf.stack([tf.stack(row, axis=-1) for row in rows], axis=-2)


@trace_hook.op
def parameters_from_right_handed(projection_matrix, name="perspective_parameters_from_right_handed"):
    """Recovers the field of view, aspect ratio and clipping planes of `right_handed` matrices.

    Args:
      projection_matrix: A tensor of shape `[A1, ..., An, 4, 4]`, as made by `right_handed`.
      name: A name for this op.

    Returns:
      A tuple of four tensors of shape `[A1, ..., An, 1]`: vertical field of view, aspect ratio,
      near and far.
    """
    with tf.name_scope(name):
        (projection_matrix,) = shape.check_inputs(projection_matrix=(projection_matrix, (4, 4)))
        scale_x = projection_matrix[..., 0, 0:1]
        scale_y = projection_matrix[..., 1, 1:2]
        depth_scale = projection_matrix[..., 2, 2:3]
        depth_offset = projection_matrix[..., 2, 3:4]
        # atan2(1, s) = atan(1 / s) for s > 0, and stays finite at s = 0 (a field of view of π).
        vertical_field_of_view = 2.0 * tf.atan2(tf.ones_like(scale_y), scale_y)
        aspect_ratio = scale_y / scale_x
        # depth_scale ∓ 1 = 2 far / (near - far) and 2 near / (near - far).
        near = depth_offset / (depth_scale - 1.0)
        far = depth_offset / (depth_scale + 1.0)
        return vertical_field_of_view, aspect_ratio, near, far


@trace_hook.op
def project(point_3d, focal, principal_point, name="perspective_project"):
    """Projects 3d points `[A1, ..., An, 3]` in camera coordinates to pixels `[A1, ..., An, 2]`.

    Points at or behind the camera are projected through the camera centre as well (see the module
    docstring); use `project_with_validity` to tell them apart.
    """
    with tf.name_scope(name):
        point_3d, focal, principal_point = shape.check_inputs(
            point_3d=(point_3d, 3), focal=(focal, 2), principal_point=(principal_point, 2)
        )
        return _project(point_3d, focal, principal_point)


@trace_hook.op
def project_with_validity(point_3d, focal, principal_point, name="perspective_project_with_validity"):
    """Like `project`, and also tells which points are in front of the camera.

    A tuple of the pixels `[A1, ..., An, 2]` of `project` and bools `[A1, ..., An, 1]`, True where the
    depth z exceeds `min_depth`, so that the pixel is the image of the point. Points behind the camera,
    at its centre, or closer than `min_depth` to its image plane are False. Image bounds are not checked.
    """
    with tf.name_scope(name):
        point_3d, focal, principal_point = shape.check_inputs(
            point_3d=(point_3d, 3), focal=(focal, 2), principal_point=(principal_point, 2)
        )
        point_2d = _project(point_3d, focal, principal_point)
        valid = (point_3d[..., 2:] > min_depth(point_3d.dtype)) & tf.ones_like(point_2d[..., :1], dtype=tf.bool)
        return point_2d, valid


@trace_hook.op
def ray(point_2d, focal, principal_point, name="perspective_ray"):
    """Directions (x, y, 1) `[A1, ..., An, 3]` in camera coordinates of the rays through pixels `[A1, ..., An, 2]`."""
    with tf.name_scope(name):
        point_2d, focal, principal_point = shape.check_inputs(
            point_2d=(point_2d, 2), focal=(focal, 2), principal_point=(principal_point, 2)
        )
        return _ray(point_2d, focal, principal_point)


@trace_hook.op
def unproject(point_2d, depth, focal, principal_point, name="perspective_unproject"):
    """The 3d points `[A1, ..., An, 3]` that project to pixels `[A1, ..., An, 2]` at depths z `[A1, ..., An, 1]`."""
    with tf.name_scope(name):
        point_2d, depth, focal, principal_point = shape.check_inputs(
            point_2d=(point_2d, 2), depth=(depth, 1), focal=(focal, 2), principal_point=(principal_point, 2)
        )
        return _ray(point_2d, focal, principal_point) * depth


@trace_hook.op
def random_rays(focal, principal_point, height, width, n_rays, margin=0, name="random_rays", *, seed=None):
    """Rays through pixels drawn uniformly at random, M per camera.

    Pixel coordinates are integers (pixel centres in the OpenCV convention), x in
    [margin, width - margin) and y in [margin, height - margin).

    Args:
      focal: A tensor of shape `[A1, ..., An, 2]`: focal lengths (fx, fy) in pixels.
      principal_point: A tensor of shape `[A1, ..., An, 2]`: principal points (cx, cy) in pixels.
      height: The image height in pixels, an int.
      width: The image width in pixels, an int.
      n_rays: The number M of rays per camera, an int.
      margin: Pixels left out along each border, an int.
      name: A name for this op.
      seed: Optional shape `[2]` integer seed: if given, sampling is stateless (the same seed gives
        the same pixels); otherwise `tf.random.uniform` is used.

    Returns:
      A tuple of a tensor of shape `[A1, ..., An, M, 3]`, the ray directions (see `ray`), and an
      int32 tensor of shape `[A1, ..., An, M, 2]`, the (x, y) pixels.
    """
    with tf.name_scope(name):
        focal, principal_point = shape.check_inputs(focal=(focal, 2), principal_point=(principal_point, 2))
        if width - 2 * margin < 1 or height - 2 * margin < 1:
            raise ValueError(f"margin {margin} leaves no pixel in a {width}x{height} image")
        sample_shape = tf.concat([_batch_shape(focal, principal_point), [n_rays]], axis=0)
        seeds = _split_seed(seed, 2)
        x = _uniform_integers(sample_shape, margin, width - margin, seeds[0])
        y = _uniform_integers(sample_shape, margin, height - margin, seeds[1])
        pixels = tf.stack([x, y], axis=-1)
        rays = _ray(tf.cast(pixels, focal.dtype), focal[..., None, :], principal_point[..., None, :])
        return rays, pixels


@trace_hook.op
def random_patches(
    focal,
    principal_point,
    height,
    width,
    patch_height,
    patch_width,
    scale=1.0,
    indexing="ij",
    name="random_patches",
    *,
    seed=None,
):
    """Rays through the pixels of one randomly placed patch per camera.

    A patch is a grid of patch_width x patch_height pixels spaced `scale` apart, whose top-left
    pixel is drawn uniformly among integer positions that keep the patch inside the image.

    Args:
      focal: A tensor of shape `[A1, ..., An, 2]`: focal lengths (fx, fy) in pixels.
      principal_point: A tensor of shape `[A1, ..., An, 2]`: principal points (cx, cy) in pixels.
      height: The image height in pixels, an int.
      width: The image width in pixels, an int.
      patch_height: The number M of pixel rows in a patch, an int.
      patch_width: The number N of pixel columns in a patch, an int.
      scale: The spacing of the patch pixels, a float.
      indexing: The order of the M*N pixels: "ij" for x-major (x is the outer index, as in
        TensorFlow Graphics), "xy" for row-major (y is the outer index).
      name: A name for this op.
      seed: Optional shape `[2]` integer seed for stateless sampling (see `random_rays`).

    Returns:
      A tuple of a tensor of shape `[A1, ..., An, M*N, 3]`, the ray directions (see `ray`), and a
      tensor of shape `[A1, ..., An, M*N, 2]`, the (x, y) pixels, of the dtype of `focal`.
    """
    with tf.name_scope(name):
        focal, principal_point = shape.check_inputs(focal=(focal, 2), principal_point=(principal_point, 2))
        if indexing not in ("ij", "xy"):
            raise ValueError(f"indexing must be 'ij' or 'xy', got {indexing!r}")
        extent_x, extent_y = int(patch_width * scale), int(patch_height * scale)
        if extent_x > width or extent_y > height:
            raise ValueError(
                f"a {patch_width}x{patch_height} patch at scale {scale} does not fit a {width}x{height} image"
            )
        x, y = np.meshgrid(np.arange(patch_width), np.arange(patch_height), indexing="ij" if indexing == "ij" else "xy")
        offsets = tf.constant(scale * np.stack([x.ravel(), y.ravel()], axis=-1), focal.dtype)
        batch_shape = _batch_shape(focal, principal_point)
        seeds = _split_seed(seed, 2)
        origin_x = _uniform_integers(batch_shape, 0, width - extent_x + 1, seeds[0])
        origin_y = _uniform_integers(batch_shape, 0, height - extent_y + 1, seeds[1])
        origin = tf.cast(tf.stack([origin_x, origin_y], axis=-1), focal.dtype)
        pixels = origin[..., None, :] + offsets
        rays = _ray(pixels, focal[..., None, :], principal_point[..., None, :])
        return rays, pixels


def min_depth(dtype):
    """The depth below which `project` clamps |z| and `project_with_validity` reports False.

    Args:
      dtype: A floating dtype.

    Returns:
      A Python float: the machine epsilon of `dtype`.
    """
    return safe_ops.eps(dtype)


def _project(point_3d, focal, principal_point):
    return point_3d[..., :2] * (focal / _clamp_magnitude(point_3d[..., 2:])) + principal_point


def _ray(point_2d, focal, principal_point):
    xy = (point_2d - principal_point) / _clamp_magnitude(focal)
    return tf.concat([xy, tf.ones_like(xy[..., :1])], axis=-1)


def _clamp_magnitude(value):
    """`value` with |value| raised to at least `min_depth`, keeping its sign (0 becomes positive).

    The gradient is 1 where nothing is clamped and 0 where it is, so it stays finite.
    """
    smallest = min_depth(value.dtype)
    return tf.where(tf.abs(value) < smallest, smallest * safe_ops.nonzero_sign(value), value)


def _batch_shape(*tensors):
    """The broadcast batch shape of `[A1, ..., An, k]` tensors, as a 1d int32 tensor."""
    shapes = [tf.shape(tensor)[:-1] for tensor in tensors]
    result = shapes[0]
    for other in shapes[1:]:
        result = tf.broadcast_dynamic_shape(result, other)
    return result


def _split_seed(seed, count):
    """`count` stateless seeds derived from `seed`, or Nones for stateful sampling."""
    if seed is None:
        return [None] * count
    return tf.unstack(tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=count))


def _uniform_integers(sample_shape, low, high, seed):
    """int32 samples uniform in [low, high)."""
    if seed is None:
        return tf.random.uniform(sample_shape, minval=low, maxval=high, dtype=tf.int32)
    return tf.random.stateless_uniform(sample_shape, seed=seed, minval=low, maxval=high, dtype=tf.int32)


__all__ = [
    "intrinsics_from_matrix",
    "matrix_from_intrinsics",
    "right_handed",
    "parameters_from_right_handed",
    "project",
    "project_with_validity",
    "ray",
    "unproject",
    "random_rays",
    "random_patches",
    "min_depth",
]

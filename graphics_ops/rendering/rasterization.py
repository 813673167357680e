"""Rasterization: which triangle each pixel sees, with perspective-correct barycentrics and depth.

Conventions: clip-space vertices `[B, V, 4]` as OpenGL's (a point is inside the view when
-w <= x, y, z <= w); images `[B, H, W]` with row 0 at the top (NDC y = +1) and column 0 at the
left, so pixel (i, j) is centred at NDC `((2j + 1) / W - 1, 1 - (2i + 1) / H)`, and pixel centres
are what is tested (no multisampling). Front faces are counterclockwise in NDC (OpenGL's default,
and counterclockwise as seen from outside for meshes wound as `graphics_ops.mesh` expects).

Visibility is exact: the nearest fragment (smallest z/w) wins, ties go to the smaller triangle
index, so results do not depend on the order of work. Fragments in front of the near plane
(z < -w) or behind the far plane (z > w) are discarded, so triangles crossing the near plane are
cut there, never smeared. Visibility itself has no gradient; the barycentrics and depth are
differentiable functions of the clip-space vertices of the triangle each pixel sees, so
`interpolate` passes gradients to vertex positions inside triangles (`antialias` adds them at
silhouettes).

Memory grows with the fragments: the pixels inside each triangle's screen bounding box, generated
`fragment_pass_size` at a time (see `graphics_ops.rendering._fragments`), plus O(B H W + B F).
"""

import typing

import tensorflow as tf

from graphics_ops.rendering import _fragments, _inputs
from graphics_ops.util import trace_hook, xla

# Fragments are ranked by a 64-bit key: the float32 bits of the depth mapped to [0, 1] (ordered as
# integers for non-negative floats) above the triangle index.
_NO_FRAGMENT = tf.int64.max
_TRIANGLE_BITS = 32


class Rasterization(typing.NamedTuple):
    """What `rasterize` returns: per-pixel visibility of a batch of B images of H x W pixels.

    Attributes:
      triangle_id: An int32 tensor of shape `[B, H, W]`: the index into `faces` of the triangle each
        pixel sees, -1 for the background.
      barycentrics: A tensor of shape `[B, H, W, 3]`: perspective-correct barycentric coordinates
        of the pixel centre in that triangle (summing to 1), 0 for the background.
      depth: A tensor of shape `[B, H, W]`: z / w (NDC depth, -1 at the near plane, 1 at the far
        plane) of the visible point, 1 for the background.
    """

    triangle_id: tf.Tensor
    barycentrics: tf.Tensor
    depth: tf.Tensor


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def rasterize(clip_vertices, faces, image_size, cull="none", fragment_pass_size=None, name="rasterize"):
    """Rasterizes a batch of triangle meshes that share their faces.

    Args:
      clip_vertices: A tensor of shape `[B, V, 4]`: clip-space positions (x, y, z, w).
      faces: An integer tensor of shape `[F, 3]`: vertex indices of each triangle.
      image_size: `(height, width)`, Python ints.
      cull: "none", "back" to skip triangles that are clockwise in NDC, or "front".
      fragment_pass_size: None, or a Python int: how many fragments to generate at once. None
        sizes each pass by the fragments there are (up to `_fragments.DEFAULT_PASS_SIZE`); an int
        gives every pass that static size, as XLA needs.
      name: A name for this op.

    Returns:
      A `Rasterization`.

    Raises:
      ValueError: For bad shapes, an unknown `cull`, or a bad `image_size`.
      tf.errors.InvalidArgumentError: When run, for face indices outside [0, V).
    """
    height, width = _inputs.check_image_size(image_size)
    cull = _inputs.check_cull(cull)
    fragment_pass_size = _inputs.check_pass_size(fragment_pass_size)
    with tf.name_scope(name):
        clip_vertices, faces = _inputs.check_mesh(clip_vertices, faces)
        triangle_id = visible_layers(clip_vertices, faces, height, width, cull, fragment_pass_size, 1)[:, 0]
        barycentrics, depth = barycentrics_and_depth(clip_vertices, faces, triangle_id, height, width)
        return Rasterization(triangle_id, barycentrics, depth)


def pixel_grid(height, width, dtype):
    """NDC coordinates `[H, W, 3]` (x, y, 1) of the pixel centres."""
    row, column = tf.meshgrid(tf.range(height), tf.range(width), indexing="ij")
    x, y = _fragments.ndc_of_pixels(column, row, height, width, dtype)
    return tf.stack([x, y, tf.ones_like(x)], axis=-1)


def visible_layers(clip_vertices, faces, height, width, cull, fragment_pass_size, num_layers):
    """Depth peeling: `[B, L, H, W]` int32 ids of the nearest, second nearest, ... triangle at each pixel.

    Layer k + 1 holds, at each pixel, the nearest fragment ranked after layer k's by the z-buffer's
    key (depth, then triangle index), so every fragment appears in at most one layer, exactly.
    -1 where a pixel has fewer fragments.
    """
    batch = tf.shape(clip_vertices)[0]
    triangles = _fragments.setup(_fragments.corners(clip_vertices, faces), height, width, cull)
    face_count = tf.shape(faces)[0]
    floor = None
    layers = []
    for _ in range(num_layers):

        def nearest(keys, triangle, column, row, valid, floor=floor):
            return _nearest_fragments(
                keys, floor, triangles.planes, face_count, triangle, column, row, valid, height, width
            )

        initial = tf.fill([batch * height * width], tf.constant(_NO_FRAGMENT, tf.int64))
        keys = _fragments.for_each_pass(triangles, fragment_pass_size, nearest, initial, height * width)
        index = tf.cast(tf.bitwise.bitwise_and(keys, (1 << _TRIANGLE_BITS) - 1), tf.int32)
        layers.append(tf.reshape(tf.where(keys == _NO_FRAGMENT, -1, index), tf.stack([batch, height, width])))
        floor = keys
    return tf.stack(layers, axis=1)


@xla.compiled
def _nearest_fragments(keys, floor, planes, face_count, triangle, column, row, valid, height, width):
    """Folds a pass of fragments into the z-buffer `keys` `[B * H * W]` (see `_NO_FRAGMENT`).

    With `floor` (`[B * H * W]` keys of the layer in front), only fragments ranked after it count.
    """
    x, y = _fragments.ndc_of_pixels(column, row, height, width, planes.dtype)
    plane = tf.gather(planes, triangle)
    values = plane[:, :, 0] * x[:, None] + plane[:, :, 1] * y[:, None] + plane[:, :, 2]
    depth = values[:, 3]
    covered = valid & tf.reduce_all(values[:, :3] >= 0.0, axis=-1) & (depth >= -1.0) & (depth <= 1.0)
    unit_depth = tf.cast(tf.clip_by_value(0.5 * depth + 0.5, 0.0, 1.0), tf.float32)
    batch_index = triangle // face_count
    key = tf.bitwise.left_shift(tf.cast(tf.bitcast(unit_depth, tf.int32), tf.int64), _TRIANGLE_BITS)
    key = tf.bitwise.bitwise_or(key, tf.cast(triangle - batch_index * face_count, tf.int64))
    pixel = (batch_index * height + row) * width + column
    if floor is not None:
        covered &= key > tf.gather(floor, tf.where(covered, pixel, 0))
    pixel = tf.where(covered, pixel, -1)  # Negative segment ids are dropped.
    return tf.minimum(keys, tf.math.unsorted_segment_min(key, pixel, tf.shape(keys)[0]))


@xla.compiled
def barycentrics_and_depth(clip_vertices, faces, triangle_id, height, width):
    """Differentiable barycentrics `[B, H, W, 3]` and z / w `[B, H, W]` of triangles `[B, H, W]` (-1: none)."""
    triangle_planes, _ = _fragments.planes(_fragments.corners(clip_vertices, faces))  # [B, F, 4, 3]
    pixel_planes = tf.gather(triangle_planes, tf.maximum(triangle_id, 0), axis=1, batch_dims=1)
    values = tf.reduce_sum(pixel_planes * pixel_grid(height, width, clip_vertices.dtype)[:, :, None, :], axis=-1)
    weights, depth = values[..., :3], values[..., 3]
    total = tf.reduce_sum(weights, axis=-1, keepdims=True)
    covered = (triangle_id >= 0)[..., None] & tf.not_equal(total, 0.0)
    barycentrics = tf.where(covered, weights / tf.where(covered, total, tf.ones_like(total)), tf.zeros_like(weights))
    return barycentrics, tf.where(covered[..., 0], depth, tf.ones_like(depth))

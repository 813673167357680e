"""Triangle setup and fragment generation, shared by `rasterize` and `soft_rasterize`. Private.

Triangles are set up in 2D homogeneous coordinates (Olano and Greer, "Triangle scan conversion using
2D homogeneous coordinates", 1997): with the clip-space corners' (x, y, w) as columns of M, the
edge functions `e = adj(M) p` of a pixel centre p = (x_ndc, y_ndc, 1) are linear in p, and
`e / det(M)` are the (unnormalized, perspective-correct) barycentric coordinates of the point of the
triangle's plane seen through p. The pixel is covered when all three are >= 0; that also rejects
the part of the plane behind the eye, so triangles that cross the near plane need no clipping: the
depth test rejects what lies in front of the near plane. The edge of two triangles is computed
from the same two corners with exactly negated results, so a mesh is rasterized without gaps.

A fragment is a (triangle, pixel) pair inside the triangle's screen bounding box. Boxes come from
the corners in front of the near plane and the points where edges cross it, so they are finite for
every triangle. Fragments are enumerated in passes of a bounded size, so memory grows with the
boxes' total area, one pass at a time, never with pixels x triangles.
"""

import typing

import tensorflow as tf

from graphics_ops.util import vector, xla

# The largest number of fragments generated at once: about 250 MB of temporaries per pass.
MAX_PASS_SIZE = 1 << 22
# The smallest pass (passes are sized by powers of two, so that few shapes are compiled).
MIN_PASS_SIZE = 1 << 12
# Bounding boxes are widened by this many pixels so that rounding in the projection cannot leave
# out a pixel centre that the exact edge test covers.
_BOX_PADDING = 1e-3


class Triangles(typing.NamedTuple):
    """Per-triangle data of a batch, flattened to T = B * F triangles, without gradients.

    Attributes:
      planes: `[T, 4, 3]`: `planes(...)` with the edge rows negated for clockwise triangles, so that
        a pixel centre p = (x, y, 1) is inside when the first three entries of `planes @ p` are
        all >= 0; the fourth is the depth z / w there.
      box: `[T, 4]` int32: first column, first row, number of columns and rows of pixels whose
        centres the triangle may cover; 0 columns and rows for culled triangles.
      starts: `[T]` int64: index of each triangle's first fragment, in the order of triangles.
      total: int64 scalar: the number of fragments.
    """

    planes: tf.Tensor
    box: tf.Tensor
    starts: tf.Tensor
    total: tf.Tensor


def corners(vertex_values, faces):
    """`[B, V, C]` and `[F, 3]` to the values at the corners of every triangle, `[B, F, 3, C]`."""
    return tf.gather(vertex_values, faces, axis=1)


def planes(corner_clip):
    """Linear functions of the pixel centre p = (x_ndc, y_ndc, 1) that rasterization evaluates.

    Args:
      corner_clip: A tensor of shape `[..., 3, 4]`: clip-space corners of triangles.

    Returns:
      A tensor of shape `[..., 4, 3]` whose rows, dotted with p, give the unnormalized
      barycentric coordinates of the three corners (row i is `v_j x v_k` for the corners'
      (x, y, w) and (i, j, k) in cyclic order) and z / w of the triangle's plane at p, and a
      tensor of shape `[...]`: `det(M) = v_0 . (v_1 x v_2)`, positive for counterclockwise
      triangles in NDC, 0 for degenerate ones (whose depth row is then 0).
    """
    x, y, z, w = tf.unstack(corner_clip, axis=-1)
    v0, v1, v2 = tf.unstack(tf.stack([x, y, w], axis=-1), axis=-2)
    rows = tf.stack([vector.cross(v1, v2), vector.cross(v2, v0), vector.cross(v0, v1)], axis=-2)
    determinant = tf.reduce_sum(v0 * rows[..., 0, :], axis=-1)
    nonzero = tf.not_equal(determinant, 0.0)
    inverse = tf.where(nonzero, 1.0 / tf.where(nonzero, determinant, tf.ones_like(determinant)), 0.0)
    depth = tf.reduce_sum(z[..., :, None] * rows, axis=-2) * inverse[..., None]
    return tf.concat([rows, depth[..., None, :]], axis=-2), determinant


def ndc_of_pixels(column, row, height, width, dtype):
    """NDC coordinates of pixel centres: column j at `(2j + 1) / W - 1`, row i at `1 - (2i + 1) / H`."""
    x = (2.0 * tf.cast(column, dtype) + 1.0) / tf.cast(width, dtype) - 1.0
    y = 1.0 - (2.0 * tf.cast(row, dtype) + 1.0) / tf.cast(height, dtype)
    return x, y


@xla.compiled
def setup(corner_clip, height, width, cull, margin=0.0, require_in_front=False):
    """Sets up the triangles `[B, F, 3, 4]` (clip space) for fragment generation.

    Args:
      corner_clip: A tensor of shape `[B, F, 3, 4]`.
      height: The image height, a Python int.
      width: The image width, a Python int.
      cull: "none", "back" (cull clockwise triangles in NDC) or "front".
      margin: Pixels to widen each box by (for soft rasterization); a Python float.
      require_in_front: Whether to cull triangles with a corner in front of the near plane or at
        w <= 0 too (for soft rasterization, which works with projected corners).

    Returns:
      A `Triangles` of the B * F triangles. Culled are degenerate triangles, those facing the
      culled way, those entirely in front of the near plane or behind the far plane, and those
      whose box holds no pixel centre.
    """
    flat = tf.reshape(tf.stop_gradient(corner_clip), [-1, 3, 4])
    triangle_planes, determinant = planes(flat)
    orientation = tf.where(determinant < 0.0, -tf.ones_like(determinant), tf.ones_like(determinant))[:, None, None]
    triangle_planes = tf.concat([triangle_planes[:, :3] * orientation, triangle_planes[:, 3:]], axis=1)
    keep = tf.not_equal(determinant, 0.0)
    if cull == "back":
        keep &= determinant > 0.0
    elif cull == "front":
        keep &= determinant < 0.0
    x, y, z, w = tf.unstack(flat, axis=-1)
    keep &= ~tf.reduce_all(z > w, axis=-1)  # entirely behind the far plane
    if require_in_front:
        keep &= tf.reduce_all((z + w >= 0.0) & (w > 0.0), axis=-1)
    box, any_in_front = _boxes(x, y, z, w, height, width, margin)
    box = tf.where((keep & any_in_front)[:, None], box, tf.zeros_like(box))
    counts = tf.cast(box[:, 2], tf.int64) * tf.cast(box[:, 3], tf.int64)
    ends = tf.cumsum(counts)
    return Triangles(triangle_planes, box, ends - counts, tf.reduce_sum(counts))


def _boxes(x, y, z, w, height, width, margin):
    """Pixel boxes `[T, 4]` of the parts of the triangles in front of the near plane, and whether any is."""
    # Signed distances to the near plane z = -w, and the points where edges i -> i+1 cross it.
    near = z + w
    following = [1, 2, 0]
    near_next = tf.gather(near, following, axis=-1)
    crossing = near * near_next < 0.0
    t = tf.where(crossing, near / tf.where(crossing, near - near_next, tf.ones_like(near)), tf.zeros_like(near))
    x_cut = x + t * (tf.gather(x, following, axis=-1) - x)
    y_cut = y + t * (tf.gather(y, following, axis=-1) - y)
    w_cut = w + t * (tf.gather(w, following, axis=-1) - w)
    points_x = tf.concat([x, x_cut], axis=-1)
    points_y = tf.concat([y, y_cut], axis=-1)
    points_w = tf.concat([w, w_cut], axis=-1)
    valid = tf.concat([near >= 0.0, crossing], axis=-1) & (points_w > 0.0)
    safe_w = tf.where(valid, points_w, tf.ones_like(points_w))
    column = (points_x / safe_w + 1.0) * (0.5 * width) - 0.5
    row = (1.0 - points_y / safe_w) * (0.5 * height) - 0.5
    big = 4.0 * (height + width) + 4.0 * margin + 16.0
    # Points far outside the image are clamped before rounding, so int32 cannot overflow.
    column = tf.clip_by_value(column, -big, big)
    row = tf.clip_by_value(row, -big, big)
    pad = margin + _BOX_PADDING

    def extent(values, size):
        low = tf.reduce_min(tf.where(valid, values, big), axis=-1) - pad
        high = tf.reduce_max(tf.where(valid, values, -big), axis=-1) + pad
        first = tf.maximum(tf.cast(tf.math.ceil(low), tf.int32), 0)
        last = tf.minimum(tf.cast(tf.math.floor(high), tf.int32), size - 1)
        return first, tf.maximum(last - first + 1, 0)

    first_column, columns = extent(column, width)
    first_row, rows = extent(row, height)
    empty = (columns == 0) | (rows == 0)
    box = tf.stack([first_column, first_row, columns, rows], axis=-1)
    return tf.where(empty[:, None], tf.zeros_like(box), box), tf.reduce_any(valid, axis=-1)


def for_each_pass(triangles, pass_size, body, initial, pixel_count):
    """Folds `body` over the fragments of all triangles, a pass of fragments at a time.

    Args:
      triangles: The `Triangles` from `setup`.
      pass_size: None, to size each pass by the next power of two of the fragments left (within
        [MIN_PASS_SIZE, MAX_PASS_SIZE]), or a Python int: every pass then has that static size.
        Under XLA, where sizes must be static, None means twice `pixel_count`, as a power of two
        within those bounds.
      body: A function `(state, triangle, column, row, valid) -> state` of `[S]` int32 triangle
        indices, columns and rows of the fragments' pixels, and their `[S]` bool validity.
      initial: The initial state, a nest of tensors.
      pixel_count: The pixels of one image, a Python int.

    Returns:
      The final state.
    """
    if pass_size is None and xla.inside_xla():
        pass_size = min(max(MIN_PASS_SIZE, 1 << (2 * pixel_count - 1).bit_length()), MAX_PASS_SIZE)

    def one_pass(first, state):
        if pass_size:
            size = tf.constant(pass_size, tf.int64)
        else:
            size = xla.bucket_size(triangles.total - first, MIN_PASS_SIZE, MAX_PASS_SIZE)
        index = first + tf.range(size, dtype=tf.int64)
        triangle, column, row, valid = _fragments(triangles, index)
        return first + size, body(state, triangle, column, row, valid)

    _, state = tf.while_loop(
        lambda first, state: first < triangles.total,
        one_pass,
        (tf.constant(0, tf.int64), initial),
        parallel_iterations=1,
    )
    return state


@xla.compiled
def _fragments(triangles, index):
    """The triangle, pixel column and row, and validity `[S]` of fragments with global indices `[S]`.

    A fragment's triangle is the last one whose first fragment is at or before it: the triangles
    starting before the pass, plus a running count of those starting inside it.
    """
    size = tf.shape(index, out_type=tf.int64)[0]
    first = index[0]
    offset = triangles.starts - first
    inside = (offset >= 0) & (offset < size)
    marks = tf.math.unsorted_segment_sum(tf.ones_like(offset), tf.where(inside, offset, size), size + 1)[:-1]
    before = tf.reduce_sum(tf.cast(offset < 0, tf.int64))
    count = tf.shape(triangles.starts, out_type=tf.int64)[0]
    triangle = tf.clip_by_value(before + tf.cumsum(marks) - 1, 0, tf.maximum(count - 1, 0))
    local = index - tf.gather(triangles.starts, triangle)
    box = tf.gather(triangles.box, triangle)
    columns = tf.cast(tf.maximum(box[:, 2], 1), tf.int64)
    column = box[:, 0] + tf.cast(local % columns, tf.int32)
    row = box[:, 1] + tf.cast(local // columns, tf.int32)
    return tf.cast(triangle, tf.int32), column, row, index < triangles.total

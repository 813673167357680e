"""Soft rasterization: probabilistic silhouettes and colours with gradients from far-away pixels.

SoftRas (Liu et al., "Soft Rasterizer: a differentiable renderer for image-based 3D reasoning",
ICCV 2019): each triangle j covers pixel p with probability `D_j(p) = sigmoid(δ d² / σ)`, where d
is the screen distance (in pixels) from the pixel centre to the triangle and δ = +1 inside, -1
outside. The silhouette aggregates them as `1 - Π_j (1 - D_j)`; colours as a softmax over the
triangles by closeness (`exp(z_j / γ)`, z_j = 1 at the near plane, 0 at the far plane), weighted by
`D_j`, against a background of closeness ε = 1e-3. Large σ and γ blur more and let gradients reach
pixels far from the silhouette, which widens the basin of convergence of pose fitting; small values
approach hard rasterization.

Only triangles whose corners are all in front of the near plane take part (the screen distance is
undefined for the others), and pixels farther than `sqrt(σ ln(1e4))` pixels from a triangle
(where `D_j < 1e-4`) ignore it, so the fragments are those of `rasterize` with boxes widened by that
distance: memory grows with σ and the covered area, never with pixels x triangles. Attributes are
interpolated in screen space, with barycentrics clamped to the triangle.
"""

import math
import typing

import tensorflow as tf

from graphics_ops.rendering import _fragments, _inputs
from graphics_ops.util import shape, trace_hook, xla

# Pixels where a triangle's coverage probability is below this ignore the triangle.
_NEGLIGIBLE = 1e-4
# The closeness of the background in the colour softmax (SoftRas' epsilon).
_BACKGROUND_CLOSENESS = 1e-3


class SoftRasterization(typing.NamedTuple):
    """What `soft_rasterize` returns.

    Attributes:
      silhouette: A tensor of shape `[B, H, W]`: the probability that each pixel is covered.
      attributes: None, or a tensor of shape `[B, H, W, C]`: the attributes aggregated by the
        softmax over closeness, blended with `background` (0 where none is given).
    """

    silhouette: tf.Tensor
    attributes: typing.Optional[tf.Tensor]


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def soft_rasterize(
    clip_vertices,
    faces,
    image_size,
    sigma=1.0,
    attributes=None,
    gamma=1e-2,
    background=None,
    cull="back",
    fragment_pass_size=None,
    name="soft_rasterize",
):
    """Soft silhouettes (and optionally soft-aggregated attributes) of a batch of meshes.

    Args:
      clip_vertices: A tensor of shape `[B, V, 4]`: clip-space positions.
      faces: An integer tensor of shape `[F, 3]`.
      image_size: `(height, width)`, Python ints.
      sigma: A positive Python float: the sharpness of the coverage probability, in pixels².
      attributes: None, or a tensor of shape `[B, V, C]` or `[V, C]` to aggregate.
      gamma: A positive Python float: the temperature of the softmax over closeness.
      background: None, or a tensor of shape `[C]`: the attributes of the background.
      cull: "back" (the default: a closed mesh's far side cannot change its silhouette),
        "none" or "front".
      fragment_pass_size: As for `rasterize`.
      name: A name for this op.

    Returns:
      A `SoftRasterization`.
    """
    height, width = _inputs.check_image_size(image_size)
    cull = _inputs.check_cull(cull)
    fragment_pass_size = _inputs.check_pass_size(fragment_pass_size)
    for value, argument in ((sigma, "sigma"), (gamma, "gamma")):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isinf(value):
            raise ValueError(f"{argument} must be a positive finite Python number, got {value!r}")
    margin = math.sqrt(sigma * math.log(1.0 / _NEGLIGIBLE - 1.0))
    with tf.name_scope(name):
        clip_vertices, faces = _inputs.check_mesh(clip_vertices, faces)
        batch = tf.shape(clip_vertices)[0]
        corner_clip = _fragments.corners(clip_vertices, faces)
        corners = _screen_corners(corner_clip, height, width)  # [B * F, 3, 3]: column, row, closeness
        dtype = clip_vertices.dtype
        # Tensors, not Python floats, so that new values do not retrace the compiled stages.
        sigma, gamma = tf.constant(sigma, dtype), tf.constant(gamma, dtype)
        margin = tf.constant(margin, dtype)
        triangles = _fragments.setup(corner_clip, height, width, cull, margin, require_in_front=True)
        pixel_count = batch * height * width
        face_count = tf.shape(faces)[0]

        def survival(log_survival, triangle, column, row, valid):
            return log_survival + _log_survival(
                corners, triangle, column, row, valid, sigma, pixel_count, face_count, width, height
            )

        initial = tf.zeros([pixel_count], clip_vertices.dtype)
        log_survival = _fragments.for_each_pass(triangles, fragment_pass_size, survival, initial, height * width)
        silhouette = tf.reshape(1.0 - tf.exp(log_survival), tf.stack([batch, height, width]))
        if attributes is None:
            return SoftRasterization(silhouette, None)
        aggregated = _aggregate(
            attributes, background, faces, corners, triangles, fragment_pass_size, sigma, gamma, batch, height, width
        )
        return SoftRasterization(silhouette, aggregated)


def soft_silhouette(clip_vertices, faces, image_size, sigma=1.0, cull="back", fragment_pass_size=None):
    """The `silhouette` of `soft_rasterize`: a tensor of shape `[B, H, W]`."""
    return soft_rasterize(
        clip_vertices, faces, image_size, sigma, cull=cull, fragment_pass_size=fragment_pass_size
    ).silhouette


def _aggregate(
    attributes, background, faces, corners, triangles, fragment_pass_size, sigma, gamma, batch, height, width
):
    """Softmax over closeness of the attributes at each pixel, `[B, H, W, C]`."""
    values = shape.check_inputs(broadcast=False, attributes=(attributes, ("V", "C")))[0]
    if values.shape.rank == 2:
        values = values[None]
    if values.shape.rank != 3:
        raise ValueError(f"attributes must have shape [B, V, C] or [V, C], got {values.shape.as_list()}")
    values = tf.broadcast_to(values, tf.concat([[batch], tf.shape(values)[1:]], axis=0))
    face_count = tf.shape(faces)[0]
    corner_values = tf.reshape(_fragments.corners(values, faces), tf.stack([-1, 3, tf.shape(values)[2]]))
    pixel_count = batch * height * width
    channels = tf.shape(values)[2]

    def nearest(closest, triangle, column, row, valid):
        return tf.maximum(
            closest, _closeness_max(corners, triangle, column, row, valid, pixel_count, face_count, width, height)
        )

    initial = tf.fill([pixel_count], tf.constant(_BACKGROUND_CLOSENESS, values.dtype))
    closest = tf.stop_gradient(
        _fragments.for_each_pass(triangles, fragment_pass_size, nearest, initial, height * width)
    )

    def accumulate(state, triangle, column, row, valid):
        weight, weighted = _weighted_sums(
            corners,
            corner_values,
            closest,
            triangle,
            column,
            row,
            valid,
            sigma,
            gamma,
            pixel_count,
            face_count,
            width,
            height,
        )
        return state[0] + weight, state[1] + weighted

    background_weight = tf.exp((_BACKGROUND_CLOSENESS - closest) / gamma)
    zeros = tf.zeros(tf.stack([pixel_count, channels]), values.dtype)
    total, weighted = _fragments.for_each_pass(
        triangles, fragment_pass_size, accumulate, (background_weight, zeros), height * width
    )
    if background is not None:
        (background,) = shape.check_inputs(broadcast=False, background=(background, "C"))
        weighted += background_weight[:, None] * background
    result = weighted / total[:, None]
    return tf.reshape(result, tf.stack([batch, height, width, channels]))


@xla.compiled
def _screen_corners(corner_clip, height, width):
    """Pixel column, row and closeness `(1 - z / w) / 2` of the corners `[B * F, 3, 3]` (differentiable)."""
    flat = tf.reshape(corner_clip, [-1, 3, 4])
    x, y, z, w = tf.unstack(flat, axis=-1)
    safe_w = tf.where(w > 0.0, w, tf.ones_like(w))
    column = (x / safe_w + 1.0) * (0.5 * width) - 0.5
    row = (1.0 - y / safe_w) * (0.5 * height) - 0.5
    return tf.stack([column, row, 0.5 - 0.5 * z / safe_w], axis=-1)


def _fragment_geometry(corners, triangle, column, row):
    """Signed squared distance (positive inside) `[S]`, clamped barycentrics `[S, 3]`, closeness `[S]`."""
    corner = tf.gather(corners, triangle)  # [S, 3, 3]
    a, b, c = tf.unstack(corner[..., :2], axis=-2)
    point = tf.stack([tf.cast(column, corner.dtype), tf.cast(row, corner.dtype)], axis=-1)

    def cross(u, v):
        return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]

    area = cross(b - a, c - a)
    sign = tf.where(area < 0.0, -tf.ones_like(area), tf.ones_like(area))
    weights = tf.stack([cross(c - b, point - b), cross(a - c, point - c), cross(b - a, point - a)], axis=-1)
    weights = weights * sign[:, None]
    inside = tf.reduce_all(weights >= 0.0, axis=-1)
    squared = []
    for start, end in ((a, b), (b, c), (c, a)):
        direction = end - start
        length = tf.reduce_sum(tf.square(direction), axis=-1)
        safe_length = tf.where(length > 0.0, length, tf.ones_like(length))
        t = tf.clip_by_value(tf.reduce_sum((point - start) * direction, axis=-1) / safe_length, 0.0, 1.0)
        squared.append(tf.reduce_sum(tf.square(point - start - t[:, None] * direction), axis=-1))
    distance = tf.reduce_min(tf.stack(squared, axis=-1), axis=-1)
    clamped = tf.maximum(weights, 0.0)
    total = tf.reduce_sum(clamped, axis=-1, keepdims=True)
    barycentrics = tf.where(
        total > 0.0, clamped / tf.where(total > 0.0, total, tf.ones_like(total)), tf.ones_like(clamped) / 3.0
    )
    closeness = tf.reduce_sum(barycentrics * corner[..., 2], axis=-1)
    return tf.where(inside, distance, -distance), barycentrics, closeness


@xla.compiled
def _log_survival(corners, triangle, column, row, valid, sigma, pixel_count, face_count, width, height):
    """Σ log(1 - D_j) `[B * H * W]` over a pass of fragments."""
    signed, _, _ = _fragment_geometry(corners, triangle, column, row)
    log_uncovered = -tf.math.softplus(signed / sigma)  # log(1 - sigmoid(x)) = -softplus(x)
    pixel = _pixel(triangle, column, row, valid, face_count, width, height)
    return tf.math.unsorted_segment_sum(
        tf.where(valid, log_uncovered, tf.zeros_like(log_uncovered)), pixel, pixel_count
    )


@xla.compiled
def _closeness_max(corners, triangle, column, row, valid, pixel_count, face_count, width, height):
    _, _, closeness = _fragment_geometry(corners, triangle, column, row)
    pixel = _pixel(triangle, column, row, valid, face_count, width, height)
    return tf.math.unsorted_segment_max(closeness, pixel, pixel_count)


@xla.compiled
def _weighted_sums(
    corners, corner_values, closest, triangle, column, row, valid, sigma, gamma, pixel_count, face_count, width, height
):
    signed, barycentrics, closeness = _fragment_geometry(corners, triangle, column, row)
    pixel = _pixel(triangle, column, row, valid, face_count, width, height)
    reference = tf.gather(closest, tf.maximum(pixel, 0))
    weight = tf.sigmoid(signed / sigma) * tf.exp((closeness - reference) / gamma)
    weight = tf.where(valid, weight, tf.zeros_like(weight))
    fragment_values = tf.reduce_sum(barycentrics[..., None] * tf.gather(corner_values, triangle), axis=-2)
    return (
        tf.math.unsorted_segment_sum(weight, pixel, pixel_count),
        tf.math.unsorted_segment_sum(weight[:, None] * fragment_values, pixel, pixel_count),
    )


def _pixel(triangle, column, row, valid, face_count, width, height):
    """Flat pixel indices `[S]` of fragments (-1, dropped by segment sums, where not valid)."""
    return tf.where(valid, ((triangle // face_count) * height + row) * width + column, -1)

"""Resampling images at arbitrary points, and projective warps (TensorFlow Graphics' `image.transformer`).

Images are `[B, H, W, C]`; warps give, for each output sample, the `[x, y]` position in the source
image to read (x along the width). With `PixelType.HALF_INTEGER` pixel (i, j) covers
[j, j + 1] x [i, i + 1], so its centre is at (j + 0.5, i + 0.5); with `PixelType.INTEGER` its centre
is at (j, i). Bilinear sampling and its gradients match TensorFlow Graphics (which calls
tensorflow-addons' `interpolate_bilinear`); here it is plain gathers, with no extra dependency.

Differences from TensorFlow Graphics: `ResamplingType.NEAREST` rounds halves up (TensorFlow's round
goes to even, so the pixel chosen on a pixel border alternates); non-finite warp coordinates read
as outside the image instead of reading arbitrary pixels; and `perspective_transform` maps points
sent to infinity (a zero homogeneous coordinate) outside the image instead of producing nan.
"""

import enum

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook, vector, xla

# Where warps that are nan or infinite, or sent to infinity by a homography, read the image: outside
# it, past the one-pixel fade of the zero border.
_OUTSIDE = -2.0


class ResamplingType(enum.Enum):
    """How pixels are interpolated."""

    NEAREST = 0
    BILINEAR = 1


class BorderType(enum.Enum):
    """What lies outside the image: zeros, or the border pixels repeated."""

    ZERO = 0
    DUPLICATE = 1


class PixelType(enum.Enum):
    """Where pixel centres are: at integer or at half-integer coordinates."""

    INTEGER = 0
    HALF_INTEGER = 1


@trace_hook.op
def sample(
    image,
    warp,
    resampling_type=ResamplingType.BILINEAR,
    border_type=BorderType.ZERO,
    pixel_type=PixelType.HALF_INTEGER,
    name="sample",
):
    """Reads an image at the positions in `warp`.

    Args:
      image: A tensor of shape `[B, H, W, C]`.
      warp: A tensor of shape `[B, A1, ..., An, 2]`: `[x, y]` positions in `image`.
      resampling_type: A `ResamplingType`.
      border_type: A `BorderType`.
      pixel_type: A `PixelType`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, A1, ..., An, C]`.
    """
    with tf.name_scope(name):
        _check_enums(resampling_type=resampling_type, border_type=border_type, pixel_type=pixel_type)
        image, warp = shape.check_inputs(
            image=(image, (None, None, None, None)), warp=(warp, 2), unbatched=("image",), broadcast=False
        )
        warp = _check_batch(image, "image", warp, "warp", rank=2)
        if pixel_type == PixelType.HALF_INTEGER:
            warp = warp - 0.5
        if resampling_type == ResamplingType.NEAREST:
            warp = tf.stop_gradient(tf.floor(warp + 0.5))
        return _bilinear(image, warp, border_type == BorderType.ZERO)


@trace_hook.op
def perspective_transform(
    image,
    transform_matrix,
    output_shape=None,
    resampling_type=ResamplingType.BILINEAR,
    border_type=BorderType.ZERO,
    pixel_type=PixelType.HALF_INTEGER,
    name="perspective_transform",
):
    """Warps images by homographies that map output pixel positions to input positions.

    Output position `[x, y]` reads the input at `[(a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k]`
    with `k = c0 x + c1 y + c2`, for the matrix rows a, b, c.

    Args:
      image: A tensor of shape `[B, H, W, C]`.
      transform_matrix: A tensor of shape `[B, 3, 3]`.
      output_shape: `[H_o, W_o]` (Python ints or an int tensor), or None for `[H, W]`.
      resampling_type: A `ResamplingType`.
      border_type: A `BorderType`.
      pixel_type: A `PixelType`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H_o, W_o, C]`.
    """
    with tf.name_scope(name):
        _check_enums(resampling_type=resampling_type, border_type=border_type, pixel_type=pixel_type)
        image, transform_matrix = shape.check_inputs(
            image=(image, (None, None, None, None)),
            transform_matrix=(transform_matrix, (3, 3)),
            unbatched=("image",),
            broadcast=False,
        )
        transform_matrix = _check_batch(image, "image", transform_matrix, "transform_matrix", rank=3, exact=True)
        if output_shape is None:
            height, width = tf.shape(image)[1], tf.shape(image)[2]
        else:
            height, width = _output_size(output_shape)
        dtype = image.dtype
        x, y = tf.meshgrid(tf.range(tf.cast(width, dtype)), tf.range(tf.cast(height, dtype)))
        if pixel_type == PixelType.HALF_INTEGER:
            x, y = x + 0.5, y + 0.5
        warp = _project(transform_matrix, tf.stack([x, y, tf.ones_like(x)], axis=-1))
        return sample(image, warp, resampling_type, border_type, pixel_type)


@xla.compiled
def _project(transform_matrix, points):
    """`[B, H, W, 2]` positions of the homogeneous `[H, W, 3]` points under `[B, 3, 3]` homographies.

    Compiled by XLA, like `_bilinear`: TensorFlow's kernels are slow on the small inner axes.
    """
    projected = vector.matvec(transform_matrix[:, None, None], points[None])
    depth = projected[..., 2:]
    at_infinity = tf.abs(depth) < safe_ops.tiny(depth.dtype)
    position = projected[..., :2] / tf.where(at_infinity, tf.ones_like(depth), depth)
    return tf.where(at_infinity, tf.fill(tf.shape(position), tf.cast(_OUTSIDE, depth.dtype)), position)


@xla.compiled
def _bilinear(image, warp, zero_border):
    """Bilinear interpolation at integer-centred `[x, y]` positions, as tensorflow-addons does it.

    Compiled by XLA: TensorFlow's kernels for the gathers and elementwise steps on `[N, C]` with a
    small C are several times slower. (Its gradient runs TensorFlow's kernels: XLA's CPU
    scatter-add, the image gradient, is slower still.)

    The lower corner is clamped to [0, size - 2] (duplicate border) or to [-1, size - 1] (zero
    border: the image as if padded by one zero pixel), and the fraction clipped to [0, 1].
    """
    batch = tf.shape(image)[0]
    height, width = tf.shape(image)[1], tf.shape(image)[2]
    flat_warp = tf.reshape(warp, tf.stack([batch, -1, 2]))
    flat_warp = tf.where(
        tf.math.is_finite(flat_warp), flat_warp, tf.fill(tf.shape(flat_warp), tf.cast(_OUTSIDE, warp.dtype))
    )
    x, y = tf.unstack(flat_warp, axis=-1)
    x0, x1, alpha_x, keep_x0, keep_x1 = _axis(x, width, zero_border)
    y0, y1, alpha_y, keep_y0, keep_y1 = _axis(y, height, zero_border)
    flat_image = tf.reshape(image, tf.stack([batch, height * width, -1]))

    def corner(row, column, keep_row, keep_column):
        values = tf.gather(flat_image, row * width + column, batch_dims=1)
        return values if keep_row is None else values * (keep_row * keep_column)[..., None]

    top = corner(y0, x0, keep_y0, keep_x0)
    top += alpha_x[..., None] * (corner(y0, x1, keep_y0, keep_x1) - top)
    bottom = corner(y1, x0, keep_y1, keep_x0)
    bottom += alpha_x[..., None] * (corner(y1, x1, keep_y1, keep_x1) - bottom)
    result = top + alpha_y[..., None] * (bottom - top)
    return tf.reshape(result, tf.concat([tf.shape(warp)[:-1], tf.shape(image)[-1:]], 0))


def _axis(coordinate, size, zero_border):
    """Corner indices (clamped into the image), the fraction, and for the zero border 1 or 0 for
    each corner as it lies inside the image or not (None for the duplicate border)."""
    last = tf.cast(size - 1, coordinate.dtype)
    low, high = (-1.0, last) if zero_border else (0.0, tf.maximum(last - 1.0, 0.0))
    lower = tf.clip_by_value(tf.floor(coordinate), low, high)
    fraction = tf.clip_by_value(coordinate - lower, 0.0, 1.0)
    index0 = tf.cast(lower, tf.int32)
    index1 = index0 + 1
    keep0 = tf.cast(index0 >= 0, coordinate.dtype) if zero_border else None
    keep1 = tf.cast(index1 < size, coordinate.dtype) if zero_border else None
    return tf.maximum(index0, 0), tf.minimum(index1, size - 1), fraction, keep0, keep1


def _check_enums(**arguments):
    for argument, value in arguments.items():
        kind = {"resampling_type": ResamplingType, "border_type": BorderType, "pixel_type": PixelType}[argument]
        if not isinstance(value, kind):
            raise ValueError(f"{argument} must be a {kind.__name__}, got {value!r}")


def _check_batch(image, image_name, other, other_name, rank, exact=False):
    """Checks that `other` has rank `rank` (at least, unless `exact`) and the batch size of `image`."""
    if other.shape.rank < rank or (exact and other.shape.rank != rank):
        expected = "[B, 3, 3]" if exact else "[B, A1, ..., An, 2]"
        raise ValueError(f"{other_name} must have shape {expected}, got {other.shape}")
    batch, other_batch = image.shape[0], other.shape[0]
    if batch is not None and other_batch is not None:
        if batch != other_batch:
            raise ValueError(
                f"{other_name} and {image_name} must have the same batch size B, got {other_batch} and {batch}"
            )
        return other
    condition = tf.equal(tf.shape(image)[0], tf.shape(other)[0])
    check = tf.debugging.Assert(
        condition,
        [f"{other_name} and {image_name} must have the same batch size B, got", tf.shape(other)[0], tf.shape(image)[0]],
    )
    with tf.control_dependencies([check]):
        return tf.identity(other)


def _output_size(output_shape):
    if isinstance(output_shape, (list, tuple)) and len(output_shape) != 2:
        raise ValueError(f"output_shape must be [H_o, W_o], got {output_shape!r}")
    output_shape = tf.convert_to_tensor(output_shape, name="output_shape")
    if not output_shape.dtype.is_integer or output_shape.shape.as_list() not in ([2], [None]):
        raise ValueError(f"output_shape must be [H_o, W_o] integers, got {output_shape}")
    return output_shape[0], output_shape[1]

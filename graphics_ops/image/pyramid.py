"""Gaussian and Laplacian image pyramids (TensorFlow Graphics' `image.pyramid`).

Images are `[B, H, W, C]`, and `num_levels` is a non-negative Python int. Each level filters with
the 5x5 binomial kernel ([1, 4, 6, 4, 1] / 16 in each direction) and keeps every other pixel
(`downsample`), or inserts zeros between pixels and filters with four times that kernel
(`upsample`); outside the image counts as zero ("SAME" padding), as in TensorFlow Graphics, so the
results match its values. `split` gives the Laplacian pyramid (the detail lost at each level, then
the coarsest image), and `merge` inverts it exactly.

The filter runs per channel and per axis (it is separable), where TensorFlow Graphics convolves with
a C x C diagonal 5x5 kernel (C times the work, and 25 taps instead of 10).
"""

import numpy as np
import tensorflow as tf

from graphics_ops.util import shape, trace_hook, xla


@trace_hook.op
def downsample(image, num_levels, name="pyramid_downsample"):
    """The Gaussian pyramid: the image `[B, H, W, C]`, then `num_levels` images each half the size of the last.

    A list of `num_levels + 1` tensors `[B, H_i, W_i, C]`, with H_i = ceil(H_{i-1} / 2).
    """
    with tf.name_scope(name):
        image = _check_image(image, "image")
        levels = [image]
        for _ in range(_check_levels(num_levels)):
            levels.append(_downsample(levels[-1]))
        return levels


@trace_hook.op
def upsample(image, num_levels, name="pyramid_upsample"):
    """The image `[B, H, W, C]`, then `num_levels` images each twice the size of the last.

    A list of `num_levels + 1` tensors `[B, H * 2^i, W * 2^i, C]`.
    """
    with tf.name_scope(name):
        image = _check_image(image, "image")
        levels = [image]
        for _ in range(_check_levels(num_levels)):
            size = tf.shape(levels[-1])
            levels.append(_upsample(levels[-1], tf.stack([size[0], 2 * size[1], 2 * size[2], size[3]])))
        return levels


@trace_hook.op
def split(image, num_levels, name="pyramid_split"):
    """The Laplacian pyramid of an image `[B, H, W, C]`: `num_levels` detail images, then the low-pass residue.

    A list of `num_levels + 1` tensors `[B, H_i, W_i, C]`, with H_0 = H and H_i = ceil(H_{i-1} / 2):
    level i is the image at scale i less the upsampled image at scale i + 1; the last is the image at
    scale `num_levels`.
    """
    with tf.name_scope(name):
        low = _check_image(image, "image")
        levels = []
        for _ in range(_check_levels(num_levels)):
            coarser = _downsample(low)
            levels.append(low - _upsample(coarser, tf.shape(low)))
            low = coarser
        return levels + [low]


@trace_hook.op
def merge(levels, name="pyramid_merge"):
    """Rebuilds the image `[B, H_0, W_0, C]` from its Laplacian pyramid `levels` (the inverse of `split`)."""
    with tf.name_scope(name):
        if not isinstance(levels, (list, tuple)) or not levels:
            raise ValueError("levels must be a non-empty list of images")
        tensors = shape.check_inputs(
            broadcast=False,
            **{f"levels[{index}]": (level, (None, None, None, "C")) for index, level in enumerate(levels)},
        )
        for index, level in enumerate(tensors):
            if level.shape.rank != 4:
                raise ValueError(f"levels[{index}] must have shape [B, H, W, C], got {level.shape}")
        for index, (finer, coarser) in enumerate(zip(tensors, tensors[1:])):
            for axis in (1, 2):
                fine, coarse = finer.shape[axis], coarser.shape[axis]
                if fine is not None and coarse is not None and (fine + 1) // 2 != coarse:
                    raise ValueError(
                        f"levels[{index + 1}] must be half the size of levels[{index}] (rounded up), "
                        f"got {coarser.shape} and {finer.shape}"
                    )
        image = tensors[-1]
        for level in reversed(tensors[:-1]):
            image = level + _upsample(image, tf.shape(level))
        return image


def _check_image(image, argument):
    (image,) = shape.check_inputs(**{argument: (image, (None, None, None, None))}, unbatched=(argument,))
    return image


def _check_levels(num_levels):
    if not isinstance(num_levels, (int, np.integer)) or num_levels < 0:
        raise ValueError(f"num_levels must be a non-negative int, got {num_levels!r}")
    return int(num_levels)


# The binomial filter's taps along one axis; the 2D filter is their outer product.
_TAPS = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


@tf.custom_gradient
def _downsample(image):
    """Filters and keeps every other pixel; the gradient is the adjoint, `_upsample` / 4."""

    def gradient(upstream):
        return 0.25 * _upsample(upstream, tf.shape(image))

    return _filter_down(image), gradient


@tf.custom_gradient
def _upsample(image, output_shape):
    """4 times the adjoint of `_downsample` from an image of `output_shape`; the gradient is 4 `_downsample`."""

    def gradient(upstream):
        return 4.0 * _downsample(upstream), None

    return _filter_up(image, output_shape), gradient


# Separable filters written as shifted slices, compiled by XLA: TensorFlow's own kernels are fast
# for convolutions but slow for strided slices, XLA's the other way round (by 30 to 300 times at
# 512 x 512); compiled slices are as fast as TensorFlow's convolutions, in every mode.
@xla.compiled
def _filter_down(image):
    return _filter_down_axis(_filter_down_axis(image, 1), 2)


@xla.compiled
def _filter_up(image, output_shape):
    return _filter_up_axis(_filter_up_axis(image, output_shape[1], 1), output_shape[2], 2)


def _filter_down_axis(image, axis):
    """Along `axis` of length n: zero-pads as a "SAME" convolution of stride 2 does, to 2 ceil(n / 2) + 3
    samples, and takes ceil(n / 2) filtered samples."""
    size = tf.shape(image)[axis]
    out = (size + 1) // 2
    top = (2 * out + 3 - size) // 2
    padded = tf.pad(image, [[top, 2 * out + 3 - size - top] if a == axis else [0, 0] for a in range(4)])
    return tf.add_n([tap * _slice(padded, axis, a, a + 2 * out - 1, 2) for a, tap in enumerate(_TAPS)])


def _filter_up_axis(image, size, axis):
    """The adjoint of `_filter_down_axis` times 2, to length `size`, one output phase at a time.

    Padded output sample 2j gets taps 0, 2, 4 of inputs j, j - 1, j - 2; sample 2j + 1 taps 1, 3 of
    inputs j, j - 1. The padding is then cropped.
    """
    count = tf.shape(image)[axis]
    top = (2 * count + 3 - size) // 2
    padded = tf.pad(image, [[2, 2] if a == axis else [0, 0] for a in range(4)])
    current, previous, before = (_slice(padded, axis, 2 - k, count + 4 - k) for k in range(3))
    even = 2.0 * (_TAPS[0] * current + _TAPS[2] * previous + _TAPS[4] * before)
    odd = 2.0 * (_TAPS[1] * current + _TAPS[3] * previous)
    sizes = tf.shape(even)
    interleaved = tf.reshape(
        tf.stack([even, odd], axis=axis + 1), tf.concat([sizes[:axis], [2 * sizes[axis]], sizes[axis + 1 :]], 0)
    )
    return _slice(interleaved, axis, top, top + size)


def _slice(tensor, axis, start, stop, step=1):
    return tensor[(slice(None),) * axis + (slice(start, stop, step),)]

"""Gaussian and Laplacian image pyramids (TensorFlow Graphics' `image.pyramid`).

Images are `[B, H, W, C]`. Each level filters with the 5x5 binomial kernel ([1, 4, 6, 4, 1] / 16
in each direction) and keeps every other pixel (`downsample`), or inserts zeros between pixels
and filters with four times that kernel (`upsample`); outside the image counts as zero ("SAME"
padding), as in TensorFlow Graphics, so the results match its values. `split` gives the Laplacian
pyramid (the detail lost at each level, then the coarsest image), and `merge` inverts it exactly.

The filter runs per channel (a depthwise convolution), where TensorFlow Graphics convolves with a
C x C diagonal kernel, C times the work.
"""

import numpy as np
import tensorflow as tf

from graphics_ops.util import shape

_STRIDES = [1, 2, 2, 1]


def downsample(image, num_levels, name="pyramid_downsample"):
    """The Gaussian pyramid: the image, then `num_levels` images each half the size of the last.

    Args:
      image: A tensor of shape `[B, H, W, C]`.
      num_levels: The number of downsampled levels, a non-negative Python int.
      name: A name for this op.

    Returns:
      A list of `num_levels + 1` tensors of shapes `[B, H_i, W_i, C]`, with H_i = ceil(H_{i-1} / 2).
    """
    with tf.name_scope(name):
        image = _check_image(image, "image")
        levels = [image]
        for _ in range(_check_levels(num_levels)):
            levels.append(_downsample(levels[-1]))
        return levels


def upsample(image, num_levels, name="pyramid_upsample"):
    """The image, then `num_levels` images each twice the size of the last.

    Args:
      image: A tensor of shape `[B, H, W, C]`.
      num_levels: The number of upsampled levels, a non-negative Python int.
      name: A name for this op.

    Returns:
      A list of `num_levels + 1` tensors of shapes `[B, H * 2^i, W * 2^i, C]`.
    """
    with tf.name_scope(name):
        image = _check_image(image, "image")
        levels = [image]
        for _ in range(_check_levels(num_levels)):
            size = tf.shape(levels[-1])
            levels.append(_upsample(levels[-1], tf.stack([size[0], 2 * size[1], 2 * size[2], size[3]])))
        return levels


def split(image, num_levels, name="pyramid_split"):
    """The Laplacian pyramid: `num_levels` detail images, then the low-pass residue.

    Args:
      image: A tensor of shape `[B, H, W, C]`.
      num_levels: The number of detail levels, a non-negative Python int.
      name: A name for this op.

    Returns:
      A list of `num_levels + 1` tensors of shapes `[B, H_i, W_i, C]`, with H_0 = H and
      H_i = ceil(H_{i-1} / 2): level i is the image at scale i less the upsampled image at scale
      i + 1; the last is the image at scale `num_levels`.
    """
    with tf.name_scope(name):
        low = _check_image(image, "image")
        levels = []
        for _ in range(_check_levels(num_levels)):
            coarser = _downsample(low)
            levels.append(low - _upsample(coarser, tf.shape(low)))
            low = coarser
        return levels + [low]


def merge(levels, name="pyramid_merge"):
    """Rebuilds the image from its Laplacian pyramid (the inverse of `split`).

    Args:
      levels: A list of tensors of shapes `[B, H_i, W_i, C]`, as returned by `split`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H_0, W_0, C]`.
    """
    with tf.name_scope(name):
        if not isinstance(levels, (list, tuple)) or not levels:
            raise ValueError("levels must be a non-empty list of images")
        tensors = shape.check_inputs(
            broadcast=False, **{f"levels[{index}]": (level, (None, None, None, "C")) for index, level in enumerate(levels)}
        )
        for index, level in enumerate(tensors):
            if level.shape.rank != 4:
                raise ValueError(f"levels[{index}] must have shape [B, H, W, C], got {level.shape}")
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


def _kernel(image, scale):
    """The 5x5 binomial kernel times `scale`, for each channel: `[5, 5, C, 1]`."""
    taps = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
    kernel = tf.constant(scale * np.outer(taps, taps)[:, :, None, None], image.dtype)
    return tf.tile(kernel, tf.stack([1, 1, tf.shape(image)[-1], 1]))


def _downsample(image):
    return tf.nn.depthwise_conv2d(image, _kernel(image, 1.0), _STRIDES, "SAME")


def _upsample(image, output_shape):
    """The transposed convolution of `_downsample` (times 4), to an image of `output_shape`."""
    return tf.nn.depthwise_conv2d_backprop_input(output_shape, _kernel(image, 4.0), image, _STRIDES, "SAME")

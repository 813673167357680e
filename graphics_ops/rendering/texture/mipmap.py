"""Mipmapped texture mapping (TensorFlow Graphics' `rendering.texture.mipmap`).

Level 0 is the texture; each next level halves it with a 2 x 2 box filter (an odd size is first
padded by repeating its last row or column), down to at most `num_mipmap_levels` levels. Each
pixel's footprint in texels is OpenGL's

    ρ = max(|(∂u/∂x Wt, ∂v/∂x Ht)|, |(∂u/∂y Wt, ∂v/∂y Ht)|)

with the derivatives of the UV map across the image taken as central differences (one-sided at the
image border), and the pixel blends levels floor(λ) and floor(λ) + 1 at λ = log2(ρ), clamped to
the levels there are (trilinear filtering). The level is chosen without gradient: gradients reach
the texture (every level) and, through the bilinear weights, the UV coordinates.

Differences from TensorFlow Graphics: it multiplied the per-pixel derivative `[..., H, W]` by
`[Ht, Wt]` along the image's last axis, so only UV maps 1 or 2 pixels wide worked (as its tests
use); here u is scaled by the width and v by the height. Its forward differences gave the last
row and column of the image a zero derivative (level 0, aliased); here one-sided ones. Its levels
were bilinear resizes to the floor of half the size; here box filters (exact averages of 2 x 2
texels). It raised an error when the texture was too small for the levels asked for; here the
levels stop at 1 x 1.
"""

import tensorflow as tf

from graphics_ops.rendering.texture import sampling
from graphics_ops.util import arguments, shape, trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def map_texture(
    uv_map, texture_image=None, mipmap_images=None, num_mipmap_levels=5, tiling=False, name="mipmap_map_texture"
):
    """Looks up a mipmapped texture at the UV coordinates of every pixel of a UV map.

    Args:
      uv_map: A tensor of shape `[A1, ..., An, H, W, 2]`.
      texture_image: None, or a tensor of shape `[Ht, Wt, C]` to build the levels from.
      mipmap_images: None, or a list of tensors `[Ht_k, Wt_k, C]`: the levels, finest first (then
        `texture_image` and `num_mipmap_levels` are ignored).
      num_mipmap_levels: A Python int >= 1: how many levels to build from `texture_image`.
      tiling: A Python bool: repeat the texture outside [0, 1].
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, H, W, C]`.

    Raises:
      ValueError: If neither `texture_image` nor `mipmap_images` is given, for a bad
        `num_mipmap_levels`, or for bad shapes, naming the argument.
    """
    with tf.name_scope(name):
        if mipmap_images is None:
            if texture_image is None:
                raise ValueError("texture_image or mipmap_images must be given")
            num_mipmap_levels = arguments.check_positive_int(num_mipmap_levels, "num_mipmap_levels")
            (texture_image,) = shape.check_inputs(
                unbatched=("texture_image",), texture_image=(texture_image, (None, None, None))
            )
            levels = _build_levels(texture_image, num_mipmap_levels)
        else:
            if not mipmap_images:
                raise ValueError("mipmap_images must hold at least one image")
            checked = shape.check_inputs(
                broadcast=False,
                unbatched=tuple(f"mipmap_images[{k}]" for k in range(len(mipmap_images))),
                **{f"mipmap_images[{k}]": (image, (None, None, "C")) for k, image in enumerate(mipmap_images)},
            )
            levels = list(checked)
        _, uv_map = shape.check_inputs(
            broadcast=False, texture=(levels[0], (None, None, None)), uv_map=(uv_map, (None, None, 2))
        )
        level = tf.stop_gradient(_level_of_detail(uv_map, tf.shape(levels[0])[0], tf.shape(levels[0])[1]))
        level = tf.clip_by_value(level, 0.0, float(len(levels) - 1))
        lower = tf.floor(level)
        fraction = (level - lower)[..., None]
        result = tf.zeros_like(uv_map[..., :1])
        for index, image in enumerate(levels):
            # Each level's weight: 1 - fraction on its floor level, fraction on the next.
            weight = tf.where(tf.equal(lower, index)[..., None], 1.0 - fraction, 0.0)
            weight += tf.where(tf.equal(lower + 1.0, index)[..., None], fraction, 0.0)
            result = result + weight * sampling.sample_texture(image, uv_map, tiling)
        return result


def _build_levels(texture, count):
    levels = [texture]
    while len(levels) < count and (levels[-1].shape[0] != 1 or levels[-1].shape[1] != 1):
        levels.append(_halve(levels[-1]))
    return levels


def _halve(image):
    """2 x 2 box filter of `[H, W, C]` to `[ceil(H / 2), ceil(W / 2), C]` (an axis of size 1 stays 1).

    An odd size first repeats its last row or column.
    """
    height, width = image.shape[0], image.shape[1]
    if height is None or width is None:
        raise ValueError(f"texture_image must have a static height and width to build mipmaps, got {image.shape}")
    if height > 1:
        if height % 2:
            image = tf.concat([image, image[-1:]], axis=0)
        image = tf.reduce_mean(tf.reshape(image, [(height + 1) // 2, 2, width, -1]), axis=1)
    if width > 1:
        if width % 2:
            image = tf.concat([image, image[:, -1:]], axis=1)
        image = tf.reduce_mean(tf.reshape(image, [image.shape[0], (width + 1) // 2, 2, -1]), axis=2)
    return image


def _level_of_detail(uv_map, texture_height, texture_width):
    """log2 of each pixel's footprint in texels, `[A1, ..., An, H, W]` (see the module's notes)."""
    scale = tf.stack([tf.cast(texture_width, uv_map.dtype), tf.cast(texture_height, uv_map.dtype)])
    texels = uv_map * scale
    along_x = _gradient(texels, axis=-2)
    along_y = _gradient(texels, axis=-3)
    squared = tf.maximum(tf.reduce_sum(tf.square(along_x), -1), tf.reduce_sum(tf.square(along_y), -1))
    # log2(ρ) = log2(ρ²) / 2; footprints under a texel select level 0.
    return 0.5 * tf.math.log(tf.maximum(squared, 1.0)) / tf.math.log(tf.constant(2.0, uv_map.dtype))


def _gradient(values, axis):
    """Central differences along `axis`, one-sided at both ends; zero along an axis of size 1."""
    size = tf.shape(values)[axis]
    ahead = tf.concat([_slice(values, axis, 1, None), _slice(values, axis, -1, None)], axis=axis)
    behind = tf.concat([_slice(values, axis, 0, 1), _slice(values, axis, 0, -1)], axis=axis)
    steps = tf.concat([[1.0], tf.fill([tf.maximum(size - 2, 0)], 2.0), [1.0]], 0)[:size]
    shape = [-1] + [1] * (-axis - 1)
    return (ahead - behind) / tf.reshape(tf.cast(tf.maximum(steps, 1.0), values.dtype), shape)


def _slice(values, axis, start, stop):
    index = [slice(None)] * values.shape.rank
    index[axis] = slice(start, stop)
    return values[tuple(index)]

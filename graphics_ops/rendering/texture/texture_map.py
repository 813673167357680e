"""Texture mapping (TensorFlow Graphics' `rendering.texture.texture_map`)."""

import tensorflow as tf

from graphics_ops.rendering.texture import sampling
from graphics_ops.util import shape, trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def map_texture(uv_map, texture_image, tiling=False, interpolation_method="bilinear", name="map_texture"):
    """Looks up a texture at the UV coordinates of every pixel of a UV map.

    Conventions in `graphics_ops.rendering.texture`. Unlike TensorFlow Graphics, which fades the
    texture to zero within half a texel of its border (its sampler reads zeros outside the image,
    so UVs inside [0, 1] near the edge came out darkened), the border texels extend outwards
    (OpenGL's CLAMP_TO_EDGE); `tiling` repeats the texture as TensorFlow Graphics does.

    Args:
      uv_map: A tensor of shape `[A1, ..., An, H, W, 2]`.
      texture_image: A tensor of shape `[Ht, Wt, C]`.
      tiling: A Python bool: repeat the texture outside [0, 1].
      interpolation_method: "bilinear" or "nearest".
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, H, W, C]`.
    """
    with tf.name_scope(name):
        texture_image, uv_map = shape.check_inputs(
            broadcast=False,
            unbatched=("texture_image",),
            texture_image=(texture_image, (None, None, None)),
            uv_map=(uv_map, (None, None, 2)),
        )
        return sampling.sample_texture(texture_image, uv_map, tiling, interpolation_method)

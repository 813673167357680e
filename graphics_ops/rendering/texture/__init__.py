"""Texture lookups (TensorFlow Graphics' `rendering.texture`).

- `sample_texture(image, uv)`: the sampler the others are built on: bilinear or nearest, clamped
  to the edge or tiled; a texture shared by all lookups or one per image of a batch.
- `texture_map.map_texture(uv_map, texture_image)`: TensorFlow Graphics' texture mapping.
- `mipmap.map_texture(uv_map, texture_image)`: the same with mipmapping: the texture is filtered to
  the footprint of each pixel, so minified textures do not alias.

UV coordinates follow OpenGL, three.js and TensorFlow Graphics: (0, 0) is the bottom-left corner
of the texture and (1, 1) the top-right, where row 0 of the image is its top row; texel (i, j) of
an `[Ht, Wt, C]` texture is centred at `((j + 0.5) / Wt, 1 - (i + 0.5) / Ht)`.

Every lookup is differentiable with respect to the texture and, for bilinear filtering, to the
UV coordinates; runs eagerly, in `tf.function` and under `jit_compile=True`, in float32 and float64.
"""

from graphics_ops.rendering.texture import mipmap, texture_map
from graphics_ops.rendering.texture.sampling import sample_texture

__all__ = ["mipmap", "sample_texture", "texture_map"]

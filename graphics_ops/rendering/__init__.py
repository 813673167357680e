"""Differentiable rendering in plain TensorFlow: small composable primitives and a renderer.

In the spirit of nvdiffrast's four primitives:

- `rasterize(clip_vertices, faces, image_size)`: which triangle each pixel sees, exact z-buffer
  visibility, perspective-correct barycentrics and depth (differentiable in the vertex positions).
- `interpolate(attributes, rasterization, faces)`: vertex attributes at the pixels;
  `sample_texture(image, uv)` looks textures up at interpolated UVs (bilinear or nearest,
  clamped or tiled).
- `antialias(color, rasterization, clip_vertices, faces)`: analytic coverage at silhouettes, which
  gives gradients with respect to vertex positions there.
- `soft_rasterize` / `soft_silhouette`: SoftRas' probabilistic coverage, whose gradients reach
  pixels far from the silhouette (a wide basin of convergence early in an optimisation).

TensorFlow Graphics' rasterizer extras, built on these:

- `splat.rasterize_then_splat`: rasterize-then-splat (Cole et al. 2021), smooth gradients at
  occlusion boundaries from splatting the rasterized surface points.
- `barycentrics.differentiable_barycentrics`: differentiable barycentrics for given triangle ids.
- `texture.texture_map.map_texture` and `texture.mipmap.map_texture`: texture mapping, plain and
  mipmapped (`texture.sample_texture` is the lookup under them, also `rendering.sample_texture`).

and `render`, which composes a `graphics_ops.camera.Camera` (`Camera.to_clip`), the primitives,
`graphics_ops.reflectance` and `graphics_ops.lighting` into RGBA images.

`rendering.volumetric` holds TensorFlow Graphics' volume renderers: NeRF's quadrature along rays
(`ray_radiance`, `ray_density`) and projections of voxel grids (`emission_absorption`,
`absorption`, `visual_hull`).

Images are `[B, H, W, C]` with row 0 at the top; clip space is OpenGL's. The ops run eagerly, in
`tf.function` and under `jit_compile=True`, in float32 and float64, with no host round trips but
one scalar read per pass of fragments (to size it) outside XLA. Their fixed-shape stages are
compiled with XLA (`graphics_ops.util.xla`), so the first call for new shapes takes a second or two.
"""

from graphics_ops.rendering import barycentrics, splat, texture
from graphics_ops.rendering.antialiasing import antialias, edge_topology
from graphics_ops.rendering.interpolation import interpolate
from graphics_ops.rendering.rasterization import Rasterization, rasterize
from graphics_ops.rendering.renderer import render
from graphics_ops.rendering.soft_rasterization import SoftRasterization, soft_rasterize, soft_silhouette
from graphics_ops.rendering.texture import sample_texture

__all__ = [
    "Rasterization",
    "SoftRasterization",
    "antialias",
    "barycentrics",
    "edge_topology",
    "interpolate",
    "rasterize",
    "render",
    "sample_texture",
    "soft_rasterize",
    "soft_silhouette",
    "splat",
    "texture",
]

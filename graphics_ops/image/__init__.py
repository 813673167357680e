"""Image operations (TensorFlow Graphics' `image`).

Modules: `pyramid` (Gaussian and Laplacian pyramids), `transformer` (bilinear or nearest sampling
at arbitrary points, projective warps; no tensorflow-addons), `color_space` (sRGB and linear RGB)
and `matting` (the closed-form matting Laplacian). Images are `[B, H, W, C]`, as there.
"""

from graphics_ops.image import color_space, matting, pyramid, transformer

__all__ = ["color_space", "matting", "pyramid", "transformer"]

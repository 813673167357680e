"""Colour-space conversions (TensorFlow Graphics' `image.color_space`): sRGB and linear RGB."""

from graphics_ops.image.color_space import linear_rgb, srgb

__all__ = ["linear_rgb", "srgb"]

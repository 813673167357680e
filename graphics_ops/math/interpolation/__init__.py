"""Interpolation (TensorFlow Graphics' `math.interpolation`): B-splines, slerp, trilinear, weighted."""

from graphics_ops.math.interpolation import bspline, slerp, trilinear, weighted

__all__ = ["bspline", "slerp", "trilinear", "weighted"]

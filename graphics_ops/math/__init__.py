"""Mathematical building blocks (TensorFlow Graphics' `math`).

Modules: `math_helpers` (spherical coordinates, factorials), `vector` (cross, dot, reflect along
any axis), `interpolation` (B-splines, slerp, trilinear, weighted sums and barycentric
coordinates) and `optimizer` (Levenberg-Marquardt least squares).
"""

from graphics_ops.math import interpolation, math_helpers, optimizer, vector

__all__ = ["interpolation", "math_helpers", "optimizer", "vector"]

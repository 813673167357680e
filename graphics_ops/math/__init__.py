"""Mathematical building blocks (TensorFlow Graphics' `math`).

Modules: `math_helpers` (spherical coordinates, factorials), `vector` (cross, dot, reflect along
any axis), `interpolation` (B-splines, slerp, trilinear, weighted sums and barycentric
coordinates), `optimizer` (Levenberg-Marquardt least squares), `sampling` (regular, stratified,
log-spaced and inverse-transform 1D samples along rays) and `feature_representation` (NeRF's
positional encoding).
"""

from graphics_ops.math import feature_representation, interpolation, math_helpers, optimizer, sampling, vector

__all__ = ["feature_representation", "interpolation", "math_helpers", "optimizer", "sampling", "vector"]

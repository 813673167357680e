"""Cameras: projection, rays and lens distortion, in plain TensorFlow ops.

The modules and functions of TensorFlow Graphics' `rendering.camera` (`perspective`, `orthographic`,
`quadratic_radial_distortion`), with its names, argument orders and conventions (camera coordinates
x right, y down, z forward; pixels (fx x / z + cx, fy y / z + cy); batch shapes `[A1, ..., An, k]`
that broadcast), plus OpenCV's lens distortion (`brown_conrady`) and a `Camera` value holding pose,
intrinsics, distortion and image size (`camera`). Points behind the camera are reported by the
`project_with_validity` functions; values and gradients stay finite at zero depth and zero
distortion.
"""

from graphics_ops.camera import brown_conrady, camera, orthographic, perspective, quadratic_radial_distortion
from graphics_ops.camera.camera import FRUSTUM_EDGES, Camera, frustum_corners

__all__ = [
    "brown_conrady",
    "camera",
    "orthographic",
    "perspective",
    "quadratic_radial_distortion",
    "Camera",
    "FRUSTUM_EDGES",
    "frustum_corners",
]

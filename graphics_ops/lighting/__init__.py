"""Lights in plain TensorFlow ops: point, directional and ambient lights, and spherical harmonics.

`point_light.estimate_radiance` and the `spherical_harmonics` functions have TensorFlow Graphics'
names, arguments and conventions (`rendering.light.point_light`, `math.spherical_harmonics`).
Point and directional lights share one API: `incoming_light` gives the direction and irradiance of
each light at each surface point, and `estimate_radiance` the radiance reflected toward an
observation point through a BRDF (such as those of `graphics_ops.reflectance`), with lights
`[B1, ..., Bm]` and surface points `[A1, ..., An]` giving `[A1, ..., An, B1, ..., Bm, k]`. Light
from below the surface or along it contributes exactly 0, and values and gradients stay finite
when a light is at the surface point.
"""

from graphics_ops.lighting import ambient_light, directional_light, point_light, spherical_harmonics

__all__ = ["ambient_light", "directional_light", "point_light", "spherical_harmonics"]

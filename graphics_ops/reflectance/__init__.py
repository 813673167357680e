"""Reflectance models (BRDFs) in plain TensorFlow ops.

The modules of TensorFlow Graphics' `rendering.reflectance` (`lambertian`, `phong`, `blinn_phong`),
with its names, argument orders and conventions: the incoming light direction points toward the
surface and the outgoing direction away from it, directions and normals are unit vectors, batch
shapes `[A1, ..., An, k]` broadcast, and the BRDF is 0 where the light or the view is below the
surface. Plus `ggx`: the GGX microfacet BRDF with glTF 2.0's metallic-roughness parameters, as
three.js' `MeshStandardMaterial` shades punctual lights. Values and gradients stay finite at
grazing angles, for zero half vectors and zero-length vectors, and for roughness 0.
"""

from graphics_ops.reflectance import blinn_phong, ggx, lambertian, phong

__all__ = ["blinn_phong", "ggx", "lambertian", "phong"]

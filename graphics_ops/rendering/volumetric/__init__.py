"""Volumetric rendering (TensorFlow Graphics' `rendering.volumetric`).

- `ray_radiance.compute_radiance` / `ray_density.compute_density`: NeRF's quadrature of colour and
  opacity along rays sampled at N points (with `graphics_ops.math.sampling` and
  `graphics_ops.geometry.ray`).
- `emission_absorption.render`, `absorption.render`, `visual_hull.render`: projections of voxel
  grids along a grid axis (Henzler et al. 2019).

Where these differ from TensorFlow Graphics (exclusive transmission in emission-absorption, no
epsilon in NeRF's transmittance, finite gradients at opaque samples), the module says so.
"""

from graphics_ops.rendering.volumetric import absorption, emission_absorption, ray_density, ray_radiance, visual_hull

__all__ = ["absorption", "emission_absorption", "ray_density", "ray_radiance", "visual_hull"]

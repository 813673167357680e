"""Rays, points and grids (TensorFlow Graphics' `geometry.representation`).

- `ray`: points sampled along rays (stratified, and NeRF's inverse transform of coarse weights),
  `triangulate` (the point nearest to several rays), `intersection_ray_sphere`.
- `point`: `distance_to_ray`, `project_to_ray`, in any dimension.
- `grid.generate`: regular M-dimensional grids of points.
"""

from graphics_ops.geometry import grid, point, ray

__all__ = ["grid", "point", "ray"]

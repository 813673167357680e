"""Losses between point sets, as TensorFlow Graphics' `nn.loss`.

- `chamfer_distance.evaluate(point_set_a, point_set_b)`: the symmetric Chamfer distance.
- `hausdorff_distance.evaluate(point_set_a, point_set_b)`: the directed Hausdorff distance.

Both are `graphics_ops.mesh.distances` under TensorFlow Graphics' names: nearest neighbours are
searched in tiles (no N x M table), gradients flow through the nearest pairs, and empty point sets
raise an error naming the argument. `graphics_ops.mesh.distances` also has the tile size, the
symmetric Hausdorff distance and the nearest neighbours themselves.
"""

from graphics_ops.nn.loss import chamfer_distance, hausdorff_distance

__all__ = ["chamfer_distance", "hausdorff_distance"]

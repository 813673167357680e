"""Visual hull rendering of voxel grids (TensorFlow Graphics' `rendering.volumetric.visual_hull`).

Henzler et al. 2019, "Escaping Plato's Cave": a pixel is 1 - exp(-sum of the voxels along its row),
0 through empty space and close to 1 through any occupied voxel.
"""

import tensorflow as tf

from graphics_ops.rendering.volumetric import _voxels
from graphics_ops.util import trace_hook


@trace_hook.op
def render(voxels, axis=2, name="visual_hull_render"):
    """Renders the visual hull of voxel occupancies along one grid axis.

    Args:
      voxels: A tensor of shape `[A1, ..., An, Vx, Vy, Vz, Vd]`: Vd non-negative values per voxel,
        each channel rendered on its own.
      axis: The grid axis the rays run along: 0 (x), 1 (y) or 2 (z).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, Vx, Vy, Vd]` for axis 2 (the grid axes other than `axis`,
      in order).
    """
    with tf.name_scope(name):
        voxels, axis, _ = _voxels.check(voxels, axis)
        return -tf.math.expm1(-tf.reduce_sum(voxels, axis=axis))


__all__ = ["render"]

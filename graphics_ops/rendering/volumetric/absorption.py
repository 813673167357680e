"""Absorption-only rendering of voxel grids (TensorFlow Graphics' `rendering.volumetric.absorption`).

Henzler et al. 2019, "Escaping Plato's Cave": every voxel absorbs a fraction
`absorption_factor / cell_size * density` of the light through it, clipped to [0, 1], and a pixel
shows the fraction of light absorbed along its row of voxels.

Difference from TensorFlow Graphics: it clips each voxel's transmission to at least 1e-6, so an
opaque voxel still lets 1e-6 through; here it lets nothing through (a pixel behind an opaque voxel
is exactly 1). Gradients stay finite (the product's gradient needs no division).
"""

import tensorflow as tf

from graphics_ops.rendering.volumetric import _voxels
from graphics_ops.util import trace_hook


@trace_hook.op
def render(voxels, absorption_factor=0.1, cell_size=1.0, axis=2, name="absorption_render"):
    """Renders voxel densities by absorption along one grid axis.

    Args:
      voxels: A tensor of shape `[A1, ..., An, Vx, Vy, Vz, Vd]`: Vd densities per voxel, each
        channel rendered on its own.
      absorption_factor: A scalar: the absorption per unit density and length.
      cell_size: A scalar: the size of a voxel.
      axis: The grid axis the rays run along: 0 (x), 1 (y) or 2 (z).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, Vx, Vy, Vd]` for axis 2 (the grid axes other than `axis`,
      in order), with values in [0, 1].
    """
    with tf.name_scope(name):
        voxels, axis, (absorption_factor, cell_size) = _voxels.check(
            voxels, axis, absorption_factor=absorption_factor, cell_size=cell_size
        )
        transmission = tf.clip_by_value(1.0 - voxels * (absorption_factor / cell_size), 0.0, 1.0)
        return 1.0 - tf.reduce_prod(transmission, axis=axis)


__all__ = ["render"]

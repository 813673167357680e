"""Emission-absorption rendering of voxel grids (TensorFlow Graphics' `rendering.volumetric.emission_absorption`).

Henzler et al. 2019, "Escaping Plato's Cave": each voxel holds a signal (a colour, say) and a
density; its opacity is `absorption_factor / cell_size * density`, clipped to [0, 1], and voxels are
composited front to back (from index 0 along `axis`) with the "over" operator: voxel i contributes
its signal times its opacity times the transmission of the voxels in front of it,
prod_{j < i} (1 - opacity_j). The alpha channel is 1 - prod_j (1 - opacity_j), the sum of those
contributions' weights. The signal is premultiplied by alpha, as in TensorFlow Graphics.

Difference from TensorFlow Graphics: it weights voxel i by the transmission up to and including
voxel i itself, prod_{j <= i} (1 - opacity_j), then divides by the sum of the weights (+1e-8) and
multiplies by alpha. So a fully opaque voxel gets weight 0: an opaque red voxel in front renders as
an opaque black pixel (and passes no gradient to its colour), and the weights of voxels behind a
half-transparent one are off. Here weights are the standard exclusive transmission, which needs no
normalisation; both agree for a single voxel. Gradients are exact at opaque voxels
(`tf.math.cumprod`'s are not). Densities beyond the clip get no gradient, as in TensorFlow Graphics'
absorption model.
"""

import tensorflow as tf

from graphics_ops.rendering.volumetric import _voxels
from graphics_ops.util import trace_hook


@trace_hook.op
def render(voxels, absorption_factor=0.1, cell_size=1.0, axis=2, name="emission_absorption_render"):
    """Renders a voxel grid of signals and densities front to back along one grid axis.

    Args:
      voxels: A tensor of shape `[A1, ..., An, Vx, Vy, Vz, Vd]`: per voxel Vd - 1 signal channels
        (e.g. RGB) and, last, a density.
      absorption_factor: A scalar: the opacity per unit density and length.
      cell_size: A scalar: the size of a voxel.
      axis: The grid axis the rays run along, from index 0 to the last: 0 (x), 1 (y) or 2 (z).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, Vx, Vy, Vd]` for axis 2 (the grid axes other than `axis`,
      in order): the composited signal (premultiplied by alpha), then alpha.
    """
    with tf.name_scope(name):
        voxels, axis, (absorption_factor, cell_size) = _voxels.check(
            voxels, axis, absorption_factor=absorption_factor, cell_size=cell_size
        )
        signal, density = voxels[..., :-1], voxels[..., -1:]
        opacity = tf.clip_by_value(density * (absorption_factor / cell_size), 0.0, 1.0)
        transmission = _voxels.exclusive_cumprod(1.0 - opacity, axis)
        color = tf.reduce_sum(opacity * transmission * signal, axis=axis)
        alpha = 1.0 - tf.reduce_prod(1.0 - opacity, axis=axis)
        return tf.concat([color, alpha], axis=-1)


__all__ = ["render"]

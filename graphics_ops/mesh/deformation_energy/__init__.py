"""Deformation energies of meshes (TensorFlow Graphics' `geometry.deformation_energy`).

- `as_conformal_as_possible.energy`: the as-rigid-as-possible energy of Sorkine and Alexa, with a
  free scale per vertex (as-conformal-as-possible, Yoshiyasu et al. 2014).
"""

from graphics_ops.mesh.deformation_energy import as_conformal_as_possible

__all__ = ["as_conformal_as_possible"]

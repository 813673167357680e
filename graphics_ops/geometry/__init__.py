"""Rays, points and grids (TensorFlow Graphics' `geometry.representation`)."""

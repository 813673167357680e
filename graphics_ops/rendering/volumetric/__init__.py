"""Volumetric rendering (TensorFlow Graphics' `rendering.volumetric`)."""

"""Interpolation (TensorFlow Graphics' `math.interpolation`)."""

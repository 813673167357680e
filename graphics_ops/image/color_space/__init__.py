"""Colour-space conversions (TensorFlow Graphics' `image.color_space`)."""

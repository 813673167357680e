"""Optimizers (TensorFlow Graphics' `math.optimizer`): Levenberg-Marquardt least squares."""

from graphics_ops.math.optimizer import levenberg_marquardt

__all__ = ["levenberg_marquardt"]

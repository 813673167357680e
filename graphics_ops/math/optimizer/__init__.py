"""Optimizers (TensorFlow Graphics' `math.optimizer`)."""

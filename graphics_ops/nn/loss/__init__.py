"""Losses (TensorFlow Graphics' `nn.loss`)."""

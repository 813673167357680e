"""Metrics (TensorFlow Graphics' `nn.metric`)."""

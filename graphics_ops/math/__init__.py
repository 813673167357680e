"""Mathematical building blocks (TensorFlow Graphics' `math`)."""

from graphics_ops.math import feature_representation, sampling  # noqa: E402  (added by vol: merge into __all__)

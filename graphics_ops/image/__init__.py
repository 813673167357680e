"""Image operations (TensorFlow Graphics' `image`)."""

"""Mathematical building blocks (TensorFlow Graphics' `math`)."""

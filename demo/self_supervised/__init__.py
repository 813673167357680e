"""Analysis by synthesis, trained: a pose encoder that learns from unlabelled images through the renderer.

A Keras CNN (`model`) predicts K pose hypotheses of the toy fish from an image (`data`); the
differentiable renderer of `graphics_ops` draws each, and the loss compares the renders with the
image (`objectives`): no labels. The supervised baseline trains the same encoder on the poses.
Training runs under `tf.distribute` (`cluster`, `training`); `run` ties the loop, the held-out
evaluation and the TensorBoard logs (`evaluation`) together; `cli` is the command line.
"""

"""Differentiable graphics in plain TensorFlow, following TensorFlow Graphics' names and conventions.

Subpackages:
  transformation: rotations (quaternions, matrices, axis-angle, Euler, 6d, so3) and rigid
    transforms (dual quaternions, se3, 4x4 matrices, skinning, look-at).
"""

"""Checks of Python (non-tensor) arguments shared by the ops: sizes, counts and chunk lengths."""

import numbers

import numpy as np


def is_positive_int(value):
    """Whether `value` is a Python or NumPy integer of at least 1 (bools are not integers here)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= 1


def check_positive_int(value, name):
    """Returns `value` as an int; raises `ValueError` naming `name` unless it is a positive integer."""
    if not is_positive_int(value):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)

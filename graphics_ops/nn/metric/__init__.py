"""Metrics, as TensorFlow Graphics' `nn.metric`: each module has an `evaluate` function.

- `precision` and `recall`: per class (or their mean over classes) of integer labels `[A1, ..., An, N]`.
- `fscore`: the harmonic mean of a precision and a recall function.
- `intersection_over_union`: of binary grids `[A1, ..., An, G1, ..., Gm]`.

Degenerate inputs give defined values, never NaN: a class never predicted has precision 0, a
class never present recall 0, an F-score with precision + recall = 0 is 0 (TensorFlow Graphics'
values), and two empty masks have an intersection over union of 1 (they agree perfectly).

The metrics are not differentiable (they count labels). `precision` and `recall` with
`classes=None` find the classes from the labels' values, so they do not compile with
`jit_compile`; pass `classes` there.
"""

from graphics_ops.nn.metric import fscore, intersection_over_union, precision, recall

__all__ = ["fscore", "intersection_over_union", "precision", "recall"]

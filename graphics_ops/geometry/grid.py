"""Regular grids of points (TensorFlow Graphics' `geometry.representation.grid`)."""

import numpy as np
import tensorflow as tf

from graphics_ops.util import shape, trace_hook


@trace_hook.op
def generate(starts, stops, nums, name="grid_generate"):
    """An M-dimensional axis-aligned grid of points from `starts` to `stops`, both included.

    Along axis m there are nums[m] points, evenly spaced (just `starts[m]` if nums[m] is 1). For
    example `generate((-1.0, -2.0), (1.0, 2.0), (3, 5))` is 3 x 5 points in 2D, from (-1, -2) to
    (1, 2).

    Differences from TensorFlow Graphics: differentiable in `starts` and `stops` (TensorFlow
    Graphics' is not); `starts` and `stops` may have any batch dimensions, which broadcast (not
    only one).

    Args:
      starts: A tensor of shape `[A1, ..., An, M]`: the first corner of each grid.
      stops: A tensor of shape `[A1, ..., An, M]`: the opposite corner.
      nums: M ints (a list, a NumPy array or a constant tensor) >= 1: the number of points per
        axis; the output shape depends on them, so they must be known when tracing.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, nums[0], ..., nums[M-1], M]`.
    """
    with tf.name_scope(name):
        starts, stops = shape.check_inputs(starts=(starts, "M"), stops=(stops, "M"))
        counts = tf.get_static_value(nums)
        if counts is None:
            raise ValueError("nums must be known when tracing (a list of ints or a constant tensor)")
        counts = np.asarray(counts)
        if counts.ndim != 1 or not np.issubdtype(counts.dtype, np.integer) or np.any(counts < 1):
            raise ValueError(f"nums must be a 1d list of positive ints, got {counts.tolist()!r}")
        if starts.shape[-1] is not None and starts.shape[-1] != len(counts):
            raise ValueError(f"nums must have one count per dimension M={starts.shape[-1]}, got {len(counts)}")
        axes = [np.linspace(0.0, 1.0, count) if count > 1 else np.zeros(1) for count in counts]
        fractions = tf.constant(np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1), starts.dtype)
        expand = (Ellipsis,) + (None,) * len(counts) + (slice(None),)
        starts, stops = starts[expand], stops[expand]
        return starts * (1.0 - fractions) + stops * fractions


__all__ = ["generate"]

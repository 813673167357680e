"""Cross and dot products and reflections along any axis (TensorFlow Graphics' `math.vector`).

The batch dimensions of the two arguments broadcast. The last-axis arithmetic is that of
`graphics_ops.util.vector`; this module adds the argument checks and the `axis` argument.
"""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook
from graphics_ops.util import vector as last_axis


@trace_hook.op
def cross(vector1, vector2, axis=-1, name="vector_cross"):
    """Cross product of 3D vectors along `axis`.

    Args:
      vector1: A tensor of shape `[A1, ..., Ai = 3, ..., An]`.
      vector2: A tensor of shape `[A1, ..., Ai = 3, ..., An]`.
      axis: The axis holding the vectors.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., Ai = 3, ..., An]`.
    """
    with tf.name_scope(name):
        vector1, vector2 = _check(axis, 3, vector1=vector1, vector2=vector2)
        return _from_last(last_axis.cross(vector1, vector2), axis)


@trace_hook.op
def dot(vector1, vector2, axis=-1, keepdims=True, name="vector_dot"):
    """Dot product along `axis`.

    Args:
      vector1: A tensor of shape `[A1, ..., Ai, ..., An]`.
      vector2: A tensor of shape `[A1, ..., Ai, ..., An]` (the same `Ai`).
      axis: The axis holding the vectors.
      keepdims: Whether to keep the reduced axis, with size 1.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., Ai = 1, ..., An]`, or without axis i if `keepdims` is False.
    """
    with tf.name_scope(name):
        vector1, vector2 = _check(axis, "M", vector1=vector1, vector2=vector2)
        product = _from_last(last_axis.dot(vector1, vector2), axis)
        return product if keepdims else tf.squeeze(product, axis=axis)


@trace_hook.op
def reflect(vector, normal, axis=-1, name="vector_reflect"):
    """Reflects `vector` about the plane with unit normal `normal`: v - 2 (n·v) n.

    Args:
      vector: A tensor of shape `[A1, ..., Ai, ..., An]`.
      normal: A tensor of shape `[A1, ..., Ai, ..., An]`: unit normals (not normalized here).
      axis: The axis holding the vectors.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., Ai, ..., An]`.
    """
    with tf.name_scope(name):
        vector, normal = _check(axis, "M", vector=vector, normal=normal)
        return _from_last(vector - 2.0 * last_axis.dot(vector, normal) * normal, axis)


def _check(axis, size, **arguments):
    """Checks the arguments and moves their `axis` last; `size` is an int or a shared dimension name."""
    if not isinstance(axis, int):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if axis == -1:
        return shape.check_inputs(**{name: (value, (size,)) for name, value in arguments.items()})
    tensors = shape.check_inputs(broadcast=False, **{name: (value, None) for name, value in arguments.items()})
    moved = {}
    for name, tensor in zip(arguments, tensors):
        if not -tensor.shape.rank <= axis < tensor.shape.rank:
            raise ValueError(f"axis {axis} is out of range for {name} of rank {tensor.shape.rank}")
        moved[name] = (tf.experimental.numpy.moveaxis(tensor, axis, -1), (size,))
    return shape.check_inputs(**moved)


def _from_last(tensor, axis):
    return tensor if axis == -1 else tf.experimental.numpy.moveaxis(tensor, -1, axis)

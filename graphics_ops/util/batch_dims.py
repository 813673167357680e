"""Flattening the batch dimensions `[A1, ..., An]` of a tensor into one, and back."""

import functools

import tensorflow as tf


def flatten(tensor, inner_rank):
    """Reshapes `[A1, ..., An, *inner]` to `[A1 * ... * An, *inner]`; returns it and `[A1, ..., An]`."""
    batch = tf.shape(tensor)[: tensor.shape.rank - inner_rank]
    inner = tf.shape(tensor)[tensor.shape.rank - inner_rank :]
    flat = tf.reshape(tensor, tf.concat([[-1], inner], 0))
    static_inner = tensor.shape[tensor.shape.rank - inner_rank :]
    flat.set_shape([_static_product(tensor.shape[: tensor.shape.rank - inner_rank])] + static_inner.as_list())
    return flat, batch


def unflatten(tensor, batch, static_batch):
    """Inverse of `flatten`: `[B, *inner]` to `[A1, ..., An, *inner]`."""
    inner = tf.shape(tensor)[1:]
    result = tf.reshape(tensor, tf.concat([batch, inner], 0))
    result.set_shape(tf.TensorShape(static_batch).concatenate(tensor.shape[1:]))
    return result


def _static_product(dims):
    sizes = dims.as_list() if isinstance(dims, tf.TensorShape) else list(dims)
    if any(size is None for size in sizes):
        return None
    return functools.reduce(lambda a, b: a * b, sizes, 1)

"""Argument checks shared by every op, and broadcasting of batch dimensions.

Each op declares its tensor arguments with the shape of their trailing dimensions::

    point, quaternion = shape.check_inputs(point=(point, 3), quaternion=(quaternion, 4))

Inner dimensions are ints, `None` (any size) or names such as "W" that must agree between the
arguments. Integer index arguments (faces, edges) are named in `integer` and keep their integer dtype;
arguments named in `unbatched` must have exactly their inner rank::

    vertices, faces = shape.check_inputs(
        vertices=(vertices, ("V", 3)), faces=(faces, ("F", 3)), integer=("faces",), unbatched=("faces",))
 Everything known while tracing is checked then (`ValueError`); sizes unknown until run
time are checked by `tf.debugging.Assert` (`tf.errors.InvalidArgumentError`) and, under XLA, where
asserts are no-ops, by `tf.ensure_shape` when the function is compiled. Messages name the argument
and its expected shape: "quaternion must have shape [A1, ..., An, 4], got [2, 3]".
"""

import functools

import tensorflow as tf


def check_inputs(*, broadcast=True, integer=(), unbatched=(), **arguments):
    """Converts and checks the tensor arguments of an op.

    Args:
      broadcast: True if the batch dimensions of all arguments must be broadcast-compatible, or a
        sequence of groups (tuples of argument names) that must each be broadcast-compatible.
      integer: Names of integer index arguments: converted to int32 or int64 (other integer
        dtypes to int64), never to floats.
      unbatched: Names of arguments that must have no batch dimensions.
      **arguments: For each argument, in the op's order, `name=(value, inner_shape)`, where
        `inner_shape` is an int, or a tuple of ints, `None` and dimension names.

    Returns:
      The arguments as tensors, in order; all but the index arguments of one floating dtype: that
      of the first of them which already has a floating dtype, else float32.

    Raises:
      TypeError: If an argument does not have that floating dtype, or an index argument is not
        an integer tensor.
      ValueError: If a statically known shape does not match.
    """
    dtype = common_float_dtype(*(value for name, (value, _) in arguments.items() if name not in integer))
    tensors, inners = {}, {}
    for name, (value, inner) in arguments.items():
        tensors[name] = _convert_indices(name, value) if name in integer else _convert(name, value, dtype)
        inners[name] = (inner,) if isinstance(inner, int) or inner is None else tuple(inner)

    checks = []
    for name, tensor in tensors.items():
        checks += _check_inner(name, tensor, inners[name], exact=name in unbatched)
    checks += _check_named_dims(tensors, inners)
    groups = [tuple(tensors)] if broadcast is True else list(broadcast or ())
    for group in groups:
        checks += _check_broadcast([(name, tensors[name], len(inners[name])) for name in group])

    if checks:
        with tf.control_dependencies(checks):
            tensors = {name: tf.identity(tensor) for name, tensor in tensors.items()}
        tensors = {name: _ensure_inner(name, tensor, inners[name]) for name, tensor in tensors.items()}
    return list(tensors.values())


def broadcast(*pairs):
    """Broadcasts tensors to their common batch shape.

    Args:
      *pairs: `(tensor, inner_rank)` pairs; the leading `rank - inner_rank` dimensions of each
        tensor are its batch dimensions.

    Returns:
      The tensors, each with the common batch dimensions followed by its own inner dimensions.
    """
    batch_shapes = [tensor.shape[: tensor.shape.rank - inner] for tensor, inner in pairs]
    if all(batch.is_fully_defined() for batch in batch_shapes):
        common = functools.reduce(tf.broadcast_static_shape, batch_shapes)
        return [
            tensor if batch == common else tf.broadcast_to(tensor, common + tensor.shape[tensor.shape.rank - inner :])
            for (tensor, inner), batch in zip(pairs, batch_shapes)
        ]
    dynamic = [tf.shape(tensor)[: tensor.shape.rank - inner] for tensor, inner in pairs]
    common = functools.reduce(tf.broadcast_dynamic_shape, dynamic)
    return [
        tf.broadcast_to(tensor, tf.concat([common, tf.shape(tensor)[tensor.shape.rank - inner :]], 0))
        for tensor, inner in pairs
    ]


def common_float_dtype(*values):
    """The floating dtype of the first of `values` (tensors, arrays or Python values) that has one, else float32."""
    for value in values:
        dtype = getattr(value, "dtype", None)
        if dtype is not None and tf.as_dtype(dtype).is_floating:
            return tf.as_dtype(dtype)
    return tf.float32


def _convert(name, value, dtype):
    dtype_of_value = getattr(value, "dtype", None)
    if dtype_of_value is not None and tf.as_dtype(dtype_of_value) != dtype:
        raise TypeError(f"{name} must have dtype {dtype.name}, got {tf.as_dtype(dtype_of_value).name}")
    tensor = tf.convert_to_tensor(value, dtype=dtype, name=name)
    if tensor.shape.rank is None:
        raise ValueError(f"{name} must have a known rank")
    return tensor


def _convert_indices(name, value):
    dtype = getattr(value, "dtype", None)
    if dtype is not None and not tf.as_dtype(dtype).is_integer:
        raise TypeError(f"{name} must have an integer dtype, got {tf.as_dtype(dtype).name}")
    tensor = tf.convert_to_tensor(value, name=name)
    if not tensor.dtype.is_integer:
        raise TypeError(f"{name} must have an integer dtype, got {tensor.dtype.name}")
    if tensor.dtype not in (tf.int32, tf.int64):
        tensor = tf.cast(tensor, tf.int64)
    if tensor.shape.rank is None:
        raise ValueError(f"{name} must have a known rank")
    return tensor


def _expected(inner, exact=False):
    dims = ["?" if dim is None else str(dim) for dim in inner]
    return "[" + ", ".join(dims if exact else ["A1", "...", "An", *dims]) + "]"


def _shape_text(tensor):
    return "[" + ", ".join("None" if dim is None else str(dim) for dim in tensor.shape.as_list()) + "]"


def _check_inner(name, tensor, inner, exact):
    """Checks the trailing dimensions of one tensor; returns the run-time asserts still needed."""
    message = f"{name} must have shape {_expected(inner, exact)}, got"
    if tensor.shape.rank < len(inner) or (exact and tensor.shape.rank != len(inner)):
        raise ValueError(f"{message} {_shape_text(tensor)}")
    actual = tensor.shape[tensor.shape.rank - len(inner) :].as_list()
    unknown = []
    for axis, (want, have) in enumerate(zip(inner, actual)):
        if isinstance(want, int):
            if have is None:
                unknown.append((axis - len(inner), want))
            elif have != want:
                raise ValueError(f"{message} {_shape_text(tensor)}")
    if not unknown:
        return []
    sizes = tf.shape(tensor)
    condition = tf.reduce_all(tf.stack([tf.equal(sizes[axis], want) for axis, want in unknown]))
    return [tf.debugging.Assert(condition, [message, sizes])]


def _check_named_dims(tensors, inners):
    """Checks that dimensions with the same name (such as "W") agree across the arguments."""
    occurrences = {}
    for name, inner in inners.items():
        for axis, dim in enumerate(inner):
            if isinstance(dim, str):
                occurrences.setdefault(dim, []).append((name, axis - len(inner)))
    checks = []
    for dim, places in occurrences.items():
        sizes = [tensors[name].shape[axis] for name, axis in places]
        known = {size for size in sizes if size is not None}
        described = ", ".join(f"{name} has {dim}={size}" for (name, _), size in zip(places, sizes))
        if len(known) > 1:
            raise ValueError(f"dimension {dim} must agree: {described}")
        if None in sizes and len(places) > 1:
            dynamic = [tf.shape(tensors[name])[axis] for name, axis in places]
            condition = tf.reduce_all(tf.equal(tf.stack(dynamic), dynamic[0]))
            names = ", ".join(name for name, _ in places)
            checks.append(tf.debugging.Assert(condition, [f"dimension {dim} of {names} must agree, got", *dynamic]))
    return checks


def _check_broadcast(members):
    """Checks that the batch shapes of (name, tensor, inner_rank) members are broadcast-compatible."""
    batches = [(name, tensor, tensor.shape[: tensor.shape.rank - inner].as_list()) for name, tensor, inner in members]
    names = " and ".join(name for name, _, _ in batches)
    message = f"the batch dimensions [A1, ..., An] of {names} must be broadcast-compatible, got"
    dynamic_axes = []
    for axis in range(1, max((len(batch) for _, _, batch in batches), default=0) + 1):
        dims = [batch[-axis] for _, _, batch in batches if len(batch) >= axis]
        if len({dim for dim in dims if dim not in (None, 1)}) > 1:
            got = " and ".join(f"{name} {_shape_text(tensor)}" for name, tensor, _ in batches)
            raise ValueError(f"{message} {got}")
        if None in dims and len(dims) > 1:
            dynamic_axes.append(axis)
    if not dynamic_axes:
        return []
    conditions = []
    for axis in dynamic_axes:
        dims = tf.stack([tf.shape(tensor)[len(batch) - axis] for _, tensor, batch in batches if len(batch) >= axis])
        largest_not_one = tf.reduce_max(tf.where(tf.equal(dims, 1), -1, dims))
        conditions.append(tf.reduce_all(tf.equal(dims, 1) | tf.equal(dims, largest_not_one)))
    return [tf.debugging.Assert(tf.reduce_all(tf.stack(conditions)), [message, *[tf.shape(t) for _, t, _ in batches]])]


def _ensure_inner(name, tensor, inner):
    """Restores the inner sizes checked at run time as static shape, and checks them under XLA."""
    actual = tensor.shape[tensor.shape.rank - len(inner) :].as_list()
    if all(have is not None for want, have in zip(inner, actual) if isinstance(want, int)):
        return tensor
    expected = [None] * (tensor.shape.rank - len(inner)) + [dim if isinstance(dim, int) else None for dim in inner]
    return tf.ensure_shape(tensor, expected, name=name)

"""Runs an op eagerly, as a `tf.function` with unknown batch dimensions, and compiled by XLA."""

import numpy as np
import tensorflow as tf


def assert_modes_match_eager(function, inputs, inner_ranks, jit=True, rtol=1e-5, atol=1e-6):
    """Asserts that graph and XLA runs of `function(*inputs)` give its eager results.

    Args:
      function: A function of tensors.
      inputs: Its arguments (arrays or tensors).
      inner_ranks: For each input, how many trailing dimensions keep their static size; the
        leading ones (the batch) are unknown while tracing.
      jit: Whether to compile with `jit_compile=True` too.
    """
    inputs = [tf.convert_to_tensor(value) for value in inputs]
    expected = [np.asarray(output) for output in tf.nest.flatten(function(*inputs))]
    signature = []
    for value, inner in zip(inputs, inner_ranks):
        batch_rank = value.shape.rank - inner
        signature.append(tf.TensorSpec([None] * batch_rank + value.shape[batch_rank:].as_list(), value.dtype))
    modes = {"graph": tf.function(function, input_signature=signature)}
    if jit:
        modes["xla"] = tf.function(function, input_signature=signature, jit_compile=True)
    for mode, compiled in modes.items():
        actual = tf.nest.flatten(compiled(*inputs))
        assert len(actual) == len(expected), mode
        for got, want in zip(actual, expected):
            assert got.dtype == want.dtype, f"{mode}: {got.dtype} != {want.dtype}"
            np.testing.assert_allclose(np.asarray(got), want, rtol=rtol, atol=atol, err_msg=mode)


def assert_unknown_batch_modes_match_eager(
    function, arrays, dtype, modes=("graph", "xla"), other_dtypes=(tf.bool,), rtol=1e-5, atol=1e-5, message=""
):
    """Runs `function` on `arrays` in `dtype` eagerly, and in `modes` with the leading axis unknown while tracing.

    Eager outputs must be of `dtype` (or of one of `other_dtypes`); "graph" (a `tf.function`) and "xla"
    (compiled with `jit_compile=True`) must give them, within `rtol` and `atol`.
    """
    inputs = [tf.constant(value, dtype) for value in arrays]
    eager = tf.nest.flatten(function(*inputs))
    for output in eager:
        assert output.dtype in (dtype, *other_dtypes), message
    expected = [np.asarray(output) for output in eager]
    signature = [tf.TensorSpec([None] + value.shape[1:].as_list(), dtype) for value in inputs]
    for mode in modes:
        compiled = tf.function(function, input_signature=signature, jit_compile=mode == "xla")
        for got, want in zip(tf.nest.flatten(compiled(*inputs)), expected):
            got = np.asarray(got)
            assert got.shape == want.shape, f"{message} {mode}"
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{message} {mode} {dtype.name}")

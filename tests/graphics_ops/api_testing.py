"""Helpers for the op-table API tests: TensorFlow Graphics' signatures, and Jacobians of whole ops."""

import inspect

import numpy as np
import tensorflow as tf


def assert_tensorflow_graphics_api(api, module_of):
    """Asserts each module's public functions are exactly those of `api`, with its arguments before `name`.

    Args:
      api: {module path: {function name: [argument names before `name`]}}.
      module_of: Maps a module path to the module.

    Returns:
      The number of functions checked.
    """
    for module_name, functions in api.items():
        assert public_functions(module_of(module_name)) == set(functions), module_name
    return assert_tensorflow_graphics_signatures(api, module_of)


def assert_tensorflow_graphics_signatures(api, module_of):
    """Asserts the functions of `api` have its arguments before `name` (all of them, without `name`).

    Returns:
      The number of functions checked.
    """
    count = 0
    for module_name, functions in api.items():
        module = module_of(module_name)
        for function_name, arguments in functions.items():
            parameters = list(inspect.signature(getattr(module, function_name)).parameters)
            before_name = parameters[: parameters.index("name")] if "name" in parameters else parameters
            assert before_name == arguments, f"{module_name}.{function_name}{tuple(before_name)}"
            count += 1
    return count


def public_functions(module):
    """The names of the functions `module` defines itself (not imports) and does not mark private with `_`."""
    return {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == module.__name__
    }


def assert_op_jacobians_match(function, inputs, skipped_outputs=(), tolerance=1e-6):
    """Compares the Jacobians of all outputs (but `skipped_outputs`) w.r.t. all float64 `inputs`
    with central differences, through `tf.test.compute_gradient` (for ops whose inputs have no
    spare batch axis for `tests.graphics_ops.testing.jacobians`)."""
    inputs = [tf.constant(value, tf.float64) for value in inputs]

    @tf.function
    def flat(*arguments):
        outputs = tf.nest.flatten(function(*arguments))
        kept = [output for index, output in enumerate(outputs) if index not in skipped_outputs]
        return tf.concat([tf.reshape(output, [-1]) for output in kept], 0)

    theoretical, numerical = tf.test.compute_gradient(flat, inputs, delta=1e-6)
    for index, (jacobian, estimate) in enumerate(zip(theoretical, numerical)):
        np.testing.assert_allclose(jacobian, estimate, rtol=tolerance, atol=tolerance, err_msg=f"input {index}")


def assert_graph_and_xla_match_eager(function, arrays, unknown_dims, tolerance, xla_with_unknown_dims=True):
    """Runs `function` eagerly, as a `tf.function` and compiled by XLA, in float32 and float64.

    Outputs must keep the input dtype (or be bool) and agree within `tolerance`.

    Args:
      function: The op, a function of tensors.
      arrays: Its inputs, NumPy arrays.
      unknown_dims: Maps (input index, shape list) to the shape traced, with None for unknown dims.
      tolerance: The absolute and relative tolerance.
      xla_with_unknown_dims: Whether XLA also traces with `unknown_dims` (else with full shapes).
    """
    for dtype in (tf.float32, tf.float64):
        inputs = [tf.constant(array, dtype) for array in arrays]
        eager = tf.nest.flatten(function(*inputs))
        for output in eager:
            assert output.dtype in (dtype, tf.bool)
        signature = [tf.TensorSpec(unknown_dims(index, list(x.shape)), dtype) for index, x in enumerate(inputs)]
        modes = {
            "graph": tf.function(function, input_signature=signature),
            "xla": tf.function(
                function, input_signature=signature if xla_with_unknown_dims else None, jit_compile=True
            ),
        }
        for mode, compiled in modes.items():
            for got, want in zip(tf.nest.flatten(compiled(*inputs)), eager):
                np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance, err_msg=f"{mode} {dtype.name}")

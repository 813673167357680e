"""Levenberg-Marquardt least squares (TensorFlow Graphics' `math.optimizer.levenberg_marquardt`).

Minimizes sum_i |r_i(x)|² / 2 over the variables x. Each iteration linearizes the residuals, and
solves min |J dx + r|² + λ |dx|² for the step dx; a step that lowers the objective is taken and
λ divided by `regularizer_multiplier`, otherwise the step is dropped and λ multiplied by it.

Unlike TensorFlow Graphics: the damped system is solved by a QR factorization of [J; sqrt(λ) I],
so a rank-deficient Jacobian never raises (TensorFlow Graphics' Cholesky raises in graph mode and
is only retried eagerly); a non-finite step is dropped like any other failed step; and λ is lowered
again after a successful step (TensorFlow Graphics only raises it, so one bad step slows every later
one down to gradient descent with a tiny step).
"""

import tensorflow as tf

from graphics_ops.util import arguments, safe_ops, trace_hook


@trace_hook.op
def minimize(
    residuals,
    variables,
    max_iterations,
    regularizer=1e-20,
    regularizer_multiplier=10.0,
    callback=None,
    name="levenberg_marquardt_minimize",
):
    """Minimizes the sum of squared residuals.

    Args:
      residuals: A callable or a list of callables; each takes the variables as positional
        arguments and returns a tensor of residuals of any shape.
      variables: A tensor or a list of tensors (all of one floating dtype): the starting point.
      max_iterations: The number of iterations, a positive Python int.
      regularizer: The initial damping λ.
      regularizer_multiplier: The factor by which λ grows after a failed step and shrinks after a
        successful one; above 1.
      callback: None, or a callable `callback(iteration, objective_value, variables)` called after
        each iteration; in graph mode it may return ops to run.
      name: A name for this op.

    Returns:
      The objective sum_i |r_i|² / 2 at the final variables (a scalar), and the list of final
      variables.

    Raises:
      ValueError: If `max_iterations` is below 1, `regularizer` is negative or
        `regularizer_multiplier` is not above 1.
    """
    max_iterations = arguments.check_positive_int(max_iterations, "max_iterations")
    if regularizer < 0:
        raise ValueError(f"regularizer must be non-negative, got {regularizer!r}")
    if regularizer_multiplier <= 1:
        raise ValueError(f"regularizer_multiplier must be above 1, got {regularizer_multiplier!r}")
    residuals = list(residuals) if isinstance(residuals, (list, tuple)) else [residuals]
    variables = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    with tf.name_scope(name):
        variables = [tf.convert_to_tensor(variable, name="variables") for variable in variables]
        dtype = variables[0].dtype
        for variable in variables:
            if not variable.dtype.is_floating or variable.dtype != dtype:
                raise TypeError(f"variables must all have one floating dtype, got {[v.dtype.name for v in variables]}")
        minimum = tf.constant(safe_ops.tiny(dtype), dtype)
        maximum = tf.constant(1.0 / safe_ops.eps(dtype) ** 2, dtype)
        multiplier = tf.constant(regularizer_multiplier, dtype)

        def objective(values):
            return 0.5 * tf.reduce_sum(tf.square(_residual_values(residuals, values)))

        def attempt(values, damping):
            steps = _damped_step(residuals, values, damping)
            candidates = [value - step for value, step in zip(values, steps)]
            return candidates, objective(candidates)

        if tf.executing_eagerly():
            # Eagerly, a Jacobian costs a trace each time; trace the step once (the loop and
            # callbacks stay eager).
            attempt = tf.function(attempt, autograph=False)

        def body(iteration, damping, objective_value, values):
            candidates, candidate_value = attempt(values, damping)
            better = candidate_value < objective_value  # False for nan
            values = [tf.where(better, new, old) for new, old in zip(candidates, values)]
            objective_value = tf.where(better, candidate_value, objective_value)
            damping = tf.clip_by_value(tf.where(better, damping / multiplier, damping * multiplier), minimum, maximum)
            iteration += 1
            if callback is not None:
                operations = callback(iteration, objective_value, values)
                if operations is not None:
                    with tf.control_dependencies(tf.nest.flatten(operations)):
                        objective_value = tf.identity(objective_value)
            return iteration, damping, objective_value, values

        _, _, objective_value, variables = tf.while_loop(
            lambda iteration, *_: iteration < max_iterations,
            body,
            (tf.constant(0), tf.constant(regularizer, dtype), objective(variables), variables),
            parallel_iterations=1,
        )
        return objective_value, variables


def _residual_values(residuals, values):
    return tf.concat([tf.reshape(residual(*values), [-1]) for residual in residuals], axis=0)


def _damped_step(residuals, values, damping):
    """The step dx minimizing |J dx - r|² + damping |dx|², one tensor per variable."""
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(values)
        residual = _residual_values(residuals, values)
    jacobians = tape.jacobian(residual, values, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    rows = tf.shape(residual)[0]
    jacobian = tf.concat([tf.reshape(block, [rows, -1]) for block in jacobians], axis=1)
    columns = tf.shape(jacobian)[1]
    augmented = tf.concat([jacobian, tf.sqrt(damping) * tf.eye(columns, dtype=jacobian.dtype)], axis=0)
    target = tf.concat([residual, tf.zeros([columns], residual.dtype)], axis=0)[:, None]
    q, r = tf.linalg.qr(augmented)
    step = tf.linalg.triangular_solve(r, tf.linalg.matmul(q, target, transpose_a=True), lower=False)[:, 0]
    sizes = [tf.size(value) for value in values]
    return [tf.reshape(part, tf.shape(value)) for part, value in zip(tf.split(step, sizes), values)]

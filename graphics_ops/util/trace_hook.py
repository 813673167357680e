"""The hook through which a tracer (`tb_mesh_plugin.trace.record`) sees every public op's calls.

Each public op (a function taking `name=`) is decorated with `op`. While no tracer is installed, a
call costs one check of a module global (`_tracer is None`) and calls straight through, so the op
behaves exactly as undecorated eagerly, in `tf.function` and under XLA. graphics_ops never imports
the tracer: a tracer installs itself here.

A tracer is an object with a method `call(function, arguments, keyword_arguments)` that calls
`function` and returns its result (it may pass the arguments on wrapped, and wrap the result).
"""

import functools

_tracer = None


def op(function):
    """Decorates a public op so that an installed tracer sees its calls; `function.__wrapped__` is the op."""

    @functools.wraps(function)
    def traced_op(*args, **kwargs):
        if _tracer is None:
            return function(*args, **kwargs)
        return _tracer.call(function, args, kwargs)

    traced_op.graphics_op = True
    return traced_op


def install(tracer):
    """Makes `tracer` see every op call; returns the tracer installed before (None if none was)."""
    global _tracer
    previous, _tracer = _tracer, tracer
    return previous


def installed():
    """The installed tracer, or None."""
    return _tracer

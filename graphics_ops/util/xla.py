"""XLA compilation of an op's fixed-shape stages, and whether an op is being traced for XLA.

TensorFlow's CPU kernels spend most of their time on per-op overhead and on small inner axes
(a gather of 65k scalars costs about 0.5 ms); XLA fuses such stages into single loops, 5 to 10
times faster. Ops decorate their stages with `compiled`: each distinct input shape is compiled once
(a fraction of a second) and cached; inside a function the user compiles with `jit_compile=True`
the stages are inlined into it.
"""

import functools
import math

import tensorflow as tf
from tensorflow.python.ops import control_flow_util


def compiled(function):
    """`function` as a `tf.function` that XLA compiles; Python arguments are part of its cache key.

    Traces are generalized to unknown sizes after a retrace (`reduce_retracing`); XLA still compiles
    each concrete shape once.
    """
    return functools.wraps(function)(tf.function(function, jit_compile=True, autograph=False, reduce_retracing=True))


def inside_xla():
    """Whether the current graph is being traced for XLA (inside `tf.function(jit_compile=True)`).

    There sizes must be static, so ops that size buffers by their data pick static sizes instead.
    """
    if tf.executing_eagerly():
        return False
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def bucket_size(count, minimum, maximum=None):
    """The power of two >= `count` within [minimum, maximum], an int64 tensor.

    Stages that work on a data-dependent number of elements pad it to this size, so that XLA
    compiles a few shapes (one per power of two) rather than one per count.
    """
    size = tf.cast(tf.maximum(count, 1), tf.float64)
    size = tf.cast(2.0 ** tf.math.ceil(tf.math.log(size) / math.log(2.0)), tf.int64)
    size = tf.maximum(size, minimum)
    return size if maximum is None else tf.minimum(size, maximum)

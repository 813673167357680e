"""TensorFlow's side of the summary checks (`_arguments.py`): its `ops`, and the step of `tf.summary`.

The checks themselves are shared with the framework-free writer and live in `_arguments.py`; here
are the few TensorFlow functions they and `_samples.stored_arrays` run on (`TENSORFLOW`): value checks
raise `ValueError` eagerly and become assert ops inside `tf.function`.
"""

import tensorflow as tf

from tb_mesh_plugin import _arguments
from tb_mesh_plugin._arguments import MAX_TAG_LENGTH

__all__ = ["MAX_TAG_LENGTH", "TENSORFLOW", "check_step"]


class _TensorFlowOps:
    """The array functions of `_arguments` and `_samples` on tensors."""

    convert = staticmethod(tf.convert_to_tensor)
    eager = staticmethod(tf.executing_eagerly)
    all = staticmethod(tf.reduce_all)
    isfinite = staticmethod(tf.math.is_finite)
    min = staticmethod(tf.reduce_min)
    max = staticmethod(tf.reduce_max)
    sum = staticmethod(tf.reduce_sum)
    sqrt = staticmethod(tf.sqrt)
    round = staticmethod(tf.round)
    clip = staticmethod(tf.clip_by_value)
    where = staticmethod(tf.where)
    ones_like = staticmethod(tf.ones_like)
    concat = staticmethod(tf.concat)
    stack = staticmethod(tf.stack)
    cast = staticmethod(tf.cast)

    @staticmethod
    def static(tensor):
        dtype = tensor.dtype
        kinds = (("float", dtype.is_floating), ("bool", dtype.is_bool), ("complex", dtype.is_complex))
        kind = next((k for k, is_kind in kinds if is_kind), "int" if dtype.is_integer else "other")
        shape = None if tensor.shape.rank is None else tuple(tensor.shape.as_list())
        return shape, dtype.name, kind

    @staticmethod
    def shape(tensor):
        return tf.shape(tensor, out_type=tf.int64)

    @staticmethod
    def assert_op(condition, message):
        return tf.debugging.Assert(condition, [message])


TENSORFLOW = _TensorFlowOps()


def check_step(step):
    """Accepts None (the default step), an integer, or an int64 tensor or variable (as `tf.summary.write`)."""
    if step is None:
        return
    if isinstance(step, (tf.Tensor, tf.Variable)):
        if step.dtype != tf.int64:
            raise ValueError(f"step must be an integer or an int64 tensor, got a tensor of dtype {step.dtype.name}")
        return
    _arguments.check_integer_step(step)

"""graphics_ops.util.shape: argument conversion, static and run-time shape checks, broadcasting."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.transformation import linear_blend_skinning, quaternion, rotation_matrix_3d
from graphics_ops.util import shape


def test_static_error_names_the_argument_and_expected_shape():
    with pytest.raises(ValueError, match=r"^quaternion must have shape \[A1, \.\.\., An, 4\], got \[2, 3\]$"):
        quaternion.conjugate(np.zeros((2, 3)))


def test_too_low_rank_is_a_bad_shape():
    with pytest.raises(ValueError, match=r"^matrix must have shape \[A1, \.\.\., An, 3, 3\], got \[3\]$"):
        rotation_matrix_3d.inverse(np.zeros(3))


def test_incompatible_batch_dimensions_name_both_arguments():
    with pytest.raises(
        ValueError, match=r"batch dimensions .* of point and quaternion .* got point \[2, 3\] and quaternion \[5, 4\]"
    ):
        quaternion.rotate(np.zeros((2, 3)), np.zeros((5, 4)))


def test_named_dimensions_must_agree():
    with pytest.raises(ValueError, match=r"dimension W must agree: skinning_weights has W=4, bone_rotations has W=5"):
        linear_blend_skinning.blend(np.zeros((7, 3)), np.zeros((7, 4)), np.zeros((5, 3, 3)), np.zeros((4, 3)))


def test_dtype_follows_the_first_floating_argument():
    rotated = quaternion.rotate([[1.0, 2.0, 3.0]], np.array([[0.0, 0.0, 0.0, 1.0]]))
    assert rotated.dtype == tf.float64
    assert quaternion.rotate([[1.0, 2.0, 3.0]], [[0.0, 0.0, 0.0, 1.0]]).dtype == tf.float32


def test_mixed_dtypes_name_the_argument():
    with pytest.raises(TypeError, match=r"^quaternion must have dtype float32, got float64$"):
        quaternion.rotate(tf.zeros([3]), tf.zeros([4], tf.float64))
    with pytest.raises(TypeError, match=r"^quaternion must have dtype float32, got int32$"):
        quaternion.conjugate(tf.zeros([4], tf.int32))


def _unknown_shapes(function, *ranks):
    return tf.function(function, input_signature=[tf.TensorSpec([None] * rank, tf.float32) for rank in ranks])


def test_run_time_errors_name_the_argument_and_report_the_shape():
    conjugate = _unknown_shapes(quaternion.conjugate, 2)
    np.testing.assert_array_equal(conjugate(tf.constant([[1.0, 2.0, 3.0, 4.0]])), [[-1.0, -2.0, -3.0, 4.0]])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"quaternion must have shape \[A1, \.\.\., An, 4\], got\] \[2 3\]"
    ):
        conjugate(tf.zeros([2, 3]))


def test_run_time_broadcast_errors_name_the_arguments():
    rotate = _unknown_shapes(quaternion.rotate, 2, 2)
    assert rotate(tf.zeros([1, 3]), tf.zeros([5, 4])).shape == (5, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"of point and quaternion must be broadcast-compatible"):
        rotate(tf.zeros([2, 3]), tf.zeros([5, 4]))


def test_run_time_named_dimension_errors():
    blend = _unknown_shapes(linear_blend_skinning.blend, 2, 2, 3, 2)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"dimension W of skinning_weights, bone_rotations, bone_translations must agree",
    ):
        blend(tf.zeros([7, 3]), tf.zeros([7, 4]), tf.zeros([5, 3, 3]), tf.zeros([4, 3]))


def test_xla_rejects_bad_shapes_when_compiling():
    conjugate = tf.function(
        quaternion.conjugate, input_signature=[tf.TensorSpec([None, None], tf.float32)], jit_compile=True
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"not compatible with expected shape \[\?,4\]"):
        conjugate(tf.zeros([2, 3]))


def test_checked_inner_dimensions_become_static():
    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def static_shape(value):
        (checked,) = shape.check_inputs(quaternion=(value, 4))
        assert checked.shape.as_list() == [None, 4]
        return checked

    static_shape.get_concrete_function()


def test_unknown_rank_is_rejected():
    conjugate = tf.function(quaternion.conjugate, input_signature=[tf.TensorSpec(None, tf.float32)])
    with pytest.raises(ValueError, match=r"quaternion must have a known rank"):
        conjugate.get_concrete_function()


@pytest.mark.parametrize("dynamic", [False, True])
def test_broadcast_to_common_batch_shape(dynamic):
    def broadcast(a, b):
        return shape.broadcast((a, 1), (b, 2))

    if dynamic:
        broadcast = tf.function(
            broadcast,
            input_signature=[
                tf.TensorSpec([None, None, None], tf.float32),
                tf.TensorSpec([None, None, None], tf.float32),
            ],
        )
    a, b = broadcast(tf.ones([2, 1, 3]), tf.ones([5, 4, 4]))
    assert a.shape == (2, 5, 3) and b.shape == (2, 5, 4, 4)

"""Round trips and compositions, on batches drawn by hypothesis.

Hypothesis favours 0, ±1 and interval ends, so the batches often hold the identity, half turns about
coordinate axes and diagonals, gimbal lock and opposite vectors, next to generic rotations.
"""

import numpy as np
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from graphics_ops.transformation import (
    axis_angle,
    dual_quaternion,
    euler,
    quaternion,
    rigid,
    rotation_6d,
    rotation_matrix_3d,
    se3,
    so3,
)
from tests.graphics_ops.testing import assert_same_quaternions

BATCH = 16
SETTINGS = settings(max_examples=30, deadline=None)
TOLERANCE = {tf.float32: 2e-5, tf.float64: 1e-10}

dtypes = st.sampled_from([tf.float32, tf.float64])


def _unit_rows(array):
    """Normalizes rows, replacing (nearly) zero ones by the identity quaternion."""
    length = np.linalg.norm(array, axis=-1, keepdims=True)
    return np.where(length > 1e-3, array / np.maximum(length, 1e-3), [0.0, 0.0, 0.0, 1.0])


quaternions = hnp.arrays(np.float64, (BATCH, 4), elements=st.floats(-1, 1)).map(_unit_rows)
# Magnitudes below 1e-50 become 0, so vectors are either zero or far above the underflow range.
points = hnp.arrays(np.float64, (BATCH, 3), elements=st.floats(-10, 10).map(lambda x: x if abs(x) > 1e-50 else 0.0))
euler_angles = hnp.arrays(
    np.float64,
    (BATCH, 3),
    elements=st.one_of(st.floats(-4, 4), st.sampled_from([np.pi / 2, -np.pi / 2, np.pi, -np.pi, 0.0])),
)


def _matrices(q, dtype=tf.float64):
    return rotation_matrix_3d.from_quaternion(tf.constant(q, dtype))


def _assert_close(actual, expected, dtype, scale=1.0):
    np.testing.assert_allclose(actual, expected, atol=scale * TOLERANCE[dtype], rtol=0)


@SETTINGS
@given(quaternions, dtypes)
def test_matrix_quaternion_round_trips(q, dtype):
    matrix = _matrices(q, dtype)
    back = quaternion.from_rotation_matrix(matrix)
    assert_same_quaternions(back, q, 2 * TOLERANCE[dtype])
    _assert_close(rotation_matrix_3d.from_quaternion(back), matrix, dtype)


@SETTINGS
@given(quaternions, dtypes)
def test_quaternion_axis_angle_round_trips(q, dtype):
    axis, angle = axis_angle.from_quaternion(tf.constant(q, dtype))
    _assert_close(np.linalg.norm(axis, axis=-1), 1.0, dtype)
    assert np.all((angle.numpy() >= 0) & (angle.numpy() <= np.pi + 1e-6))
    assert_same_quaternions(quaternion.from_axis_angle(axis, angle), q, 2 * TOLERANCE[dtype])
    matrix = _matrices(q, dtype)
    _assert_close(rotation_matrix_3d.from_axis_angle(*axis_angle.from_rotation_matrix(matrix)), matrix, dtype, scale=4)


@SETTINGS
@given(euler_angles, dtypes)
def test_matrix_euler_round_trips(angles, dtype):
    matrix = rotation_matrix_3d.from_euler(tf.constant(angles, dtype))
    recovered = euler.from_rotation_matrix(matrix)
    assert np.all(np.abs(recovered.numpy()[:, 1]) <= np.pi / 2 + 1e-6)
    _assert_close(rotation_matrix_3d.from_euler(recovered), matrix, dtype, scale=4)
    q = quaternion.from_euler(tf.constant(angles, dtype))
    assert_same_quaternions(quaternion.from_euler(euler.from_quaternion(q)), q, 4 * TOLERANCE[dtype])
    _assert_close(rotation_matrix_3d.from_quaternion(q), matrix, dtype)


@SETTINGS
@given(quaternions, dtypes)
def test_rotation_6d_round_trips(q, dtype):
    matrix = _matrices(q, dtype)
    _assert_close(rotation_6d.to_rotation_matrix(rotation_6d.from_rotation_matrix(matrix)), matrix, dtype)


@SETTINGS
@given(hnp.arrays(np.float64, (BATCH, 6), elements=st.floats(-10, 10)))
def test_any_6d_input_gives_a_rotation(raw):
    matrix = rotation_6d.to_rotation_matrix(raw).numpy()
    np.testing.assert_allclose(
        matrix @ np.swapaxes(matrix, -1, -2), np.broadcast_to(np.eye(3), matrix.shape), atol=1e-12
    )
    np.testing.assert_allclose(np.linalg.det(matrix), 1.0, atol=1e-12)


@SETTINGS
@given(quaternions, points)
def test_exp_log_round_trips(q, translation):
    matrix = _matrices(q)
    rotation_vector = so3.log(matrix)
    assert np.all(np.linalg.norm(rotation_vector, axis=-1) <= np.pi + 1e-9)
    _assert_close(so3.exp(rotation_vector), matrix, tf.float64)
    transform = rigid.from_rotation_translation(matrix, translation)
    _assert_close(se3.exp(se3.log(transform)), transform, tf.float64, scale=1e3)  # translations up to 10


@SETTINGS
@given(quaternions, quaternions, points)
def test_compositions_agree(q1, q2, p):
    product = quaternion.multiply(q1, q2)
    m1, m2 = _matrices(q1), _matrices(q2)
    _assert_close(rotation_matrix_3d.from_quaternion(product), m1 @ m2, tf.float64)
    expected = rotation_matrix_3d.rotate(p, m1 @ m2)
    _assert_close(quaternion.rotate(quaternion.rotate(p, q2), q1), expected, tf.float64, scale=100)
    _assert_close(quaternion.rotate(p, product), expected, tf.float64, scale=100)
    axis, angle = axis_angle.from_quaternion(product)
    _assert_close(axis_angle.rotate(p, axis, angle), expected, tf.float64, scale=100)
    _assert_close(rotation_matrix_3d.from_euler(euler.from_axis_angle(axis, angle)), m1 @ m2, tf.float64, scale=10)


@SETTINGS
@given(quaternions, euler_angles, points)
def test_inverses_invert(q, angles, translation):
    identity = np.broadcast_to([0.0, 0.0, 0.0, 1.0], (BATCH, 4))
    _assert_close(quaternion.multiply(q, quaternion.inverse(q)), identity, tf.float64)
    matrix = rotation_matrix_3d.from_euler(angles)
    _assert_close(
        rotation_matrix_3d.from_euler(euler.inverse(angles)), np.swapaxes(matrix, -1, -2), tf.float64, scale=4
    )
    axis, angle = axis_angle.from_quaternion(q)
    _assert_close(
        rotation_matrix_3d.from_axis_angle(*axis_angle.inverse(axis, angle)),
        np.swapaxes(_matrices(q), -1, -2),
        tf.float64,
    )
    dq = dual_quaternion.from_rotation_translation(q, translation)
    _assert_close(
        dual_quaternion.multiply(dq, dual_quaternion.inverse(dq)),
        np.concatenate([identity, 0 * identity], -1),
        tf.float64,
        scale=100,
    )


@SETTINGS
@given(quaternions, quaternions)
def test_distances_agree(q1, q2):
    m1, m2 = _matrices(q1), _matrices(q2)
    angle = quaternion.relative_angle(q1, q2).numpy()
    assert np.all((angle >= 0) & (angle <= np.pi))
    _assert_close(so3.geodesic_distance(m1, m2), angle, tf.float64, scale=1e3)
    _assert_close(
        np.linalg.norm(so3.log(tf.linalg.matmul(m1, m2, transpose_a=True)), axis=-1), angle, tf.float64, scale=1e3
    )


@SETTINGS
@given(quaternions, quaternions)
def test_slerp_ends_and_midpoint(q1, q2):
    assert_same_quaternions(quaternion.slerp(q1, q2, np.zeros((BATCH, 1))), q1, 1e-12)
    assert_same_quaternions(quaternion.slerp(q1, q2, np.ones((BATCH, 1))), q2, 1e-12)
    middle = quaternion.slerp(q1, q2, np.full((BATCH, 1), 0.5))
    half = 0.5 * quaternion.relative_angle(q1, q2).numpy()
    _assert_close(quaternion.relative_angle(q1, middle), half, tf.float64, scale=1e3)
    _assert_close(quaternion.relative_angle(middle, q2), half, tf.float64, scale=1e3)


@SETTINGS
@given(points, points, st.booleans())
def test_between_two_vectors_maps_one_onto_the_other(start, end, opposite):
    if opposite:
        end = -3.0 * start
    q = quaternion.between_two_vectors_3d(start, end).numpy()
    _assert_close(np.linalg.norm(q, axis=-1), 1.0, tf.float64)
    nonzero = (np.linalg.norm(start, axis=-1) > 0) & (np.linalg.norm(end, axis=-1) > 0)
    unit = lambda v: v[nonzero] / np.linalg.norm(v[nonzero], axis=-1, keepdims=True)  # noqa: E731
    _assert_close(quaternion.rotate(unit(start), q[nonzero]), unit(end), tf.float64, scale=10)
    assert_same_quaternions(q[~nonzero], np.broadcast_to([0.0, 0.0, 0.0, 1.0], q[~nonzero].shape), 0.0)

"""Singular configurations: correct values, finite gradients, and exact Jacobians where smooth.

The identity and 180° rotations in every conversion, zero-length axes, opposite vectors, gimbal lock,
angles near 0 and π, and degenerate 6d representations and look-at frames.
"""

import numpy as np
import pytest
import tensorflow as tf
from scipy.spatial.transform import Rotation

from graphics_ops.transformation import (
    axis_angle,
    dual_quaternion,
    euler,
    look_at,
    quaternion,
    rotation_6d,
    rotation_matrix_3d,
    se3,
    so3,
)
from tests.graphics_ops.testing import (
    ATOL,
    all_dtypes,
    assert_all_finite,
    assert_finite_gradients,
    assert_jacobians_match_finite_differences,
    assert_same_quaternions,
    half_turn_axes,
    special_rotations,
)

IDENTITY = np.eye(3)
# Identity, half turns about x, y, z and about an axis with distinct components: no ties between
# the diagonal entries that select the branch of quaternion.from_rotation_matrix.
SMOOTH_POINTS = Rotation.from_rotvec(
    np.concatenate([np.zeros((1, 3)), np.pi * half_turn_axes()[[0, 1, 2, 6]]])
).as_matrix()


def _as(dtype, *arrays):
    return [tf.constant(array, dtype) for array in arrays]


def _assert_rotation_matrices(matrix, atol):
    matrix = np.asarray(matrix, np.float64)
    np.testing.assert_allclose(matrix @ np.swapaxes(matrix, -1, -2), np.broadcast_to(IDENTITY, matrix.shape), atol=atol)
    np.testing.assert_allclose(np.linalg.det(matrix), 1.0, atol=atol)


class TestRotationMatrixToQuaternion:
    @all_dtypes
    def test_identity_and_half_turns(self, dtype):
        rotations = special_rotations()
        (matrices,) = _as(dtype, rotations.as_matrix())
        result = quaternion.from_rotation_matrix(matrices)
        assert_same_quaternions(result, rotations.as_quat(), 2 * ATOL[dtype])
        np.testing.assert_allclose(np.linalg.norm(result, axis=-1), 1.0, atol=ATOL[dtype])
        assert_finite_gradients(quaternion.from_rotation_matrix, matrices)

    def test_float32_trace_below_minus_one(self):
        # Rounded half turns have traces just below -1, where sqrt(1 + trace) is nan (TensorFlow
        # Graphics' issue 462).
        noise = np.random.default_rng(0).uniform(2e-7, 1e-6, size=(64, 3, 3)) * np.random.default_rng(1).choice(
            [-1, 1], (64, 3, 3)
        )
        matrices = tf.constant(
            np.diag([-1.0, -1.0, 1.0]) - np.abs(noise) * np.eye(3) + noise * (1 - np.eye(3)), tf.float32
        )
        assert np.all(np.trace(matrices.numpy(), axis1=-2, axis2=-1) < -1)
        result = quaternion.from_rotation_matrix(matrices)
        assert_same_quaternions(result, np.broadcast_to([0, 0, 1.0, 0], (64, 4)), 1e-6)
        assert_finite_gradients(quaternion.from_rotation_matrix, matrices)

    def test_jacobians_at_identity_and_half_turns(self):
        assert_jacobians_match_finite_differences(quaternion.from_rotation_matrix, SMOOTH_POINTS)


class TestAxisAngle:
    @all_dtypes
    def test_from_quaternion_and_matrix_at_identity_and_half_turns(self, dtype):
        rotations = special_rotations()
        quaternions, matrices = _as(dtype, rotations.as_quat(), rotations.as_matrix())
        for function, argument in (
            (axis_angle.from_quaternion, quaternions),
            (axis_angle.from_rotation_matrix, matrices),
        ):
            axis, angle = function(argument)
            np.testing.assert_allclose(np.linalg.norm(axis, axis=-1), 1.0, atol=ATOL[dtype])
            np.testing.assert_allclose(angle[:, 0], rotations.magnitude(), atol=4 * ATOL[dtype])
            rebuilt = Rotation.from_rotvec(np.array(axis * angle, np.float64))
            np.testing.assert_allclose((rebuilt.inv() * rotations).magnitude(), 0.0, atol=8 * ATOL[dtype])
            assert_finite_gradients(function, argument)
        np.testing.assert_array_equal(
            axis_angle.from_quaternion(tf.constant([[0.0, 0, 0, -1]], dtype))[0], [[1.0, 0, 0]]
        )

    @pytest.mark.parametrize(
        "convert",
        [
            lambda axis, angle: quaternion.from_axis_angle(axis, angle),
            lambda axis, angle: rotation_matrix_3d.from_axis_angle(axis, angle),
            lambda axis, angle: euler.from_axis_angle(axis, angle),
            lambda axis, angle: axis_angle.rotate(tf.ones_like(axis), axis, angle),
            lambda axis, angle: dual_quaternion.from_axis_angle_translation(axis, angle, tf.zeros_like(axis)),
        ],
        ids=["quaternion", "matrix", "euler", "rotate", "dual_quaternion"],
    )
    @all_dtypes
    def test_zero_axis_is_the_identity(self, convert, dtype):
        axis, angle = _as(dtype, np.zeros((3, 3)), [[0.0], [1.3], [-np.pi]])
        identity = convert(tf.zeros([1, 3], dtype), tf.zeros([1, 1], dtype))
        np.testing.assert_allclose(
            convert(axis, angle), np.broadcast_to(identity, (3,) + identity.shape[1:]), atol=ATOL[dtype]
        )
        assert_finite_gradients(convert, axis, angle)

    def test_jacobians_at_zero_angle(self):
        axis = np.eye(3)
        for convert in (quaternion.from_axis_angle, rotation_matrix_3d.from_axis_angle):
            assert_jacobians_match_finite_differences(convert, axis, np.zeros((3, 1)))


class TestExponentialAndLogarithm:
    def test_jacobians_at_zero_and_identity(self):
        assert_jacobians_match_finite_differences(so3.exp, np.zeros((1, 3)))
        assert_jacobians_match_finite_differences(so3.log, IDENTITY[None])
        assert_jacobians_match_finite_differences(se3.exp, np.zeros((1, 6)))
        assert_jacobians_match_finite_differences(se3.log, np.eye(4)[None])

    @all_dtypes
    def test_exact_at_zero(self, dtype):
        np.testing.assert_array_equal(so3.exp(tf.zeros([1, 3], dtype)), [IDENTITY])
        np.testing.assert_array_equal(so3.log(tf.eye(3, dtype=dtype)[None]), [[0.0, 0.0, 0.0]])
        np.testing.assert_array_equal(se3.exp(tf.zeros([1, 6], dtype)), [np.eye(4)])
        np.testing.assert_array_equal(se3.log(tf.eye(4, dtype=dtype)[None]), [np.zeros(6)])

    @all_dtypes
    def test_log_at_half_turns(self, dtype):
        rotations = special_rotations()
        (matrices,) = _as(dtype, rotations.as_matrix())
        rotation_vector = so3.log(matrices)
        np.testing.assert_allclose(
            np.linalg.norm(rotation_vector, axis=-1), rotations.magnitude(), atol=4 * ATOL[dtype]
        )
        np.testing.assert_allclose(so3.exp(rotation_vector), rotations.as_matrix(), atol=8 * ATOL[dtype])
        assert_finite_gradients(so3.log, matrices)
        transforms = tf.concat(
            [
                tf.concat([matrices, tf.ones_like(matrices[..., :1])], -1),
                tf.constant([[[0.0, 0, 0, 1]]], dtype) + tf.zeros_like(matrices[..., :1, :1]),
            ],
            -2,
        )
        np.testing.assert_allclose(se3.exp(se3.log(transforms)), transforms, atol=16 * ATOL[dtype])
        assert_finite_gradients(se3.log, transforms)


class TestGimbalLock:
    @staticmethod
    def _locked_matrices(sign):
        """Rz(z) Ry(±π/2) Rx(x) with exact zeros where the lock puts them."""
        x, z = np.meshgrid(np.linspace(-3, 3, 7), np.linspace(-3, 3, 7))
        y_turn = np.array([[0.0, 0, sign], [0, 1, 0], [-sign, 0, 0]])
        return (
            Rotation.from_euler("z", z.reshape(-1, 1)).as_matrix()
            @ y_turn
            @ Rotation.from_euler("x", x.reshape(-1, 1)).as_matrix()
        )

    @pytest.mark.parametrize("sign", [1.0, -1.0])
    @all_dtypes
    def test_exact_lock(self, sign, dtype):
        (matrices,) = _as(dtype, self._locked_matrices(sign))
        angles = euler.from_rotation_matrix(matrices).numpy()
        np.testing.assert_allclose(angles[:, 1], sign * np.pi / 2, atol=ATOL[dtype])
        np.testing.assert_array_equal(angles[:, 2], 0.0)
        np.testing.assert_allclose(rotation_matrix_3d.from_euler(angles), matrices, atol=4 * ATOL[dtype])
        assert_finite_gradients(euler.from_rotation_matrix, matrices)
        quaternions = quaternion.from_rotation_matrix(matrices)
        np.testing.assert_allclose(
            rotation_matrix_3d.from_euler(euler.from_quaternion(quaternions)), matrices, atol=4 * ATOL[dtype]
        )
        assert_finite_gradients(euler.from_quaternion, quaternions)

    @pytest.mark.parametrize("distance", [1e-3, 1e-5, 1e-7, 1e-9])
    @all_dtypes
    def test_near_lock_rebuilds_the_rotation(self, distance, dtype):
        rng = np.random.default_rng(0)
        angles = rng.uniform(-3, 3, size=(64, 3))
        angles[:, 1] = np.where(rng.uniform(size=64) < 0.5, 1, -1) * (np.pi / 2 - distance)
        (matrices,) = _as(dtype, Rotation.from_euler("xyz", angles).as_matrix())
        recovered = euler.from_rotation_matrix(matrices)
        np.testing.assert_allclose(rotation_matrix_3d.from_euler(recovered), matrices, atol=4 * ATOL[dtype])
        assert_finite_gradients(euler.from_rotation_matrix, matrices)


class TestBetweenTwoVectors:
    def _check(self, start, end, dtype):
        start, end = _as(dtype, start, end)
        q = quaternion.between_two_vectors_3d(start, end)
        np.testing.assert_allclose(np.linalg.norm(q, axis=-1), 1.0, atol=ATOL[dtype])
        unit = lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True)  # noqa: E731
        np.testing.assert_allclose(quaternion.rotate(unit(start.numpy()), q), unit(end.numpy()), atol=8 * ATOL[dtype])
        assert_finite_gradients(quaternion.between_two_vectors_3d, start, end)
        return q.numpy()

    @all_dtypes
    def test_opposite_vectors(self, dtype):
        rng = np.random.default_rng(0)
        start = np.concatenate([np.eye(3), -np.eye(3), half_turn_axes(), rng.normal(size=(16, 3))])
        q = self._check(start, -2.5 * start, dtype)
        np.testing.assert_allclose(q[:, 3], 0.0, atol=ATOL[dtype])  # half turns

    @pytest.mark.parametrize("gap", [1e-3, 1e-5, 1e-7])
    @all_dtypes
    def test_nearly_opposite_vectors(self, gap, dtype):
        rng = np.random.default_rng(0)
        start = rng.normal(size=(16, 3))
        normal = np.cross(start, rng.normal(size=(16, 3)))
        end = Rotation.from_rotvec((np.pi - gap) * normal / np.linalg.norm(normal, axis=-1, keepdims=True)).apply(start)
        self._check(start, end, dtype)

    @all_dtypes
    def test_parallel_and_zero_vectors_give_the_identity(self, dtype):
        start = np.array([[1.0, 2, 3], [0, 0, 0], [1, 0, 0]])
        end = np.array([[2.0, 4, 6], [1, 0, 0], [0, 0, 0]])
        np.testing.assert_allclose(
            quaternion.between_two_vectors_3d(*_as(dtype, start, end)),
            np.broadcast_to([0, 0, 0, 1.0], (3, 4)),
            atol=ATOL[dtype],
        )
        assert_finite_gradients(quaternion.between_two_vectors_3d, *_as(dtype, start, end))


class TestDistances:
    @pytest.mark.parametrize("angle", [0.0, 1e-6, 1e-3, np.pi - 1e-3, np.pi])
    @all_dtypes
    def test_relative_angle_and_geodesic_distance(self, angle, dtype):
        # Exactly representable inputs: any error comes from the formula, not from the data.
        half = np.array([np.sin(angle / 2), 0.0, 0.0, np.cos(angle / 2)])
        identity = np.array([0.0, 0.0, 0.0, 1.0])
        q1, q2 = _as(dtype, identity[None], half[None])
        m1, m2 = rotation_matrix_3d.from_quaternion(q1), rotation_matrix_3d.from_quaternion(q2)
        tolerance = 2e-7 if dtype == tf.float32 else 1e-15
        # The matrices are rounded to dtype, so their angle is only as accurate as sqrt(eps) at π.
        np.testing.assert_allclose(quaternion.relative_angle(q1, q2), [angle], atol=tolerance, rtol=tolerance)
        np.testing.assert_allclose(
            so3.geodesic_distance(m1, m2), [angle], atol=3e-4 if dtype == tf.float32 else 2e-8, rtol=tolerance
        )
        assert_finite_gradients(quaternion.relative_angle, q1, q2)
        assert_finite_gradients(so3.geodesic_distance, m1, m2)


class TestSlerp:
    @all_dtypes
    def test_equal_and_opposite_quaternions(self, dtype):
        q = Rotation.from_rotvec([[0.3, -0.2, 1.0]]).as_quat()
        for other in (q, -q):
            for t in (0.0, 0.3, 1.0):
                arguments = _as(dtype, q, other, [[t]])
                assert_same_quaternions(quaternion.slerp(*arguments), q, ATOL[dtype])
                assert_finite_gradients(quaternion.slerp, *arguments)

    def test_jacobian_at_equal_quaternions(self):
        q = Rotation.from_rotvec([[0.3, -0.2, 1.0]]).as_quat()
        assert_jacobians_match_finite_differences(quaternion.slerp, q, q, [[0.3]])


@all_dtypes
def test_degenerate_6d_inputs_give_rotations(dtype):
    raw = np.array(
        [[0, 0, 0, 1, 2, 3], [1, 2, 3, 2, 4, 6], [0, 0, 0, 0, 0, 0], [1, 2, 3, 0, 0, 0], [0, 0, 5, 0, 0, -1]],
        np.float64,
    )
    (raw,) = _as(dtype, raw)
    _assert_rotation_matrices(rotation_6d.to_rotation_matrix(raw), ATOL[dtype])
    assert_finite_gradients(rotation_6d.to_rotation_matrix, raw)


@all_dtypes
def test_degenerate_look_at_frames_are_finite(dtype):
    eye, target, up = _as(
        dtype, [[0, 0, 0], [1, 2, 3], [0, 0, 0]], [[0, 0, 5], [1, 2, 3], [0, 0, 0]], [[0, 0, 1], [0, 1, 0], [0, 0, 0]]
    )
    matrix = look_at.right_handed(eye, target, up)
    _assert_rotation_matrices(matrix[:, :3, :3], ATOL[dtype])
    assert_finite_gradients(look_at.right_handed, eye, target, up)


@all_dtypes
def test_zero_quaternions_are_finite(dtype):
    zero = tf.zeros([1, 4], dtype)
    np.testing.assert_array_equal(quaternion.inverse(zero), [[0.0, 0, 0, 0]])
    assert_finite_gradients(quaternion.inverse, zero)
    assert_finite_gradients(quaternion.normalize, zero)
    assert_finite_gradients(dual_quaternion.inverse, tf.zeros([1, 8], dtype))
    assert_finite_gradients(dual_quaternion.norm, tf.zeros([1, 8], dtype))
    assert_all_finite(quaternion.normalized_random_uniform([2], dtype=dtype))

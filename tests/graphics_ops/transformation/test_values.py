"""Values of graphics_ops.transformation on random batches, against scipy and float64 NumPy references."""

import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf
from scipy.spatial.transform import Rotation

from graphics_ops.transformation import (
    axis_angle,
    dual_quaternion,
    euler,
    linear_blend_skinning,
    look_at,
    quaternion,
    rigid,
    rotation_6d,
    rotation_matrix_2d,
    rotation_matrix_3d,
    rotation_matrix_common,
    se3,
    so3,
)
from tests.graphics_ops.testing import ATOL, all_dtypes, assert_same_quaternions, hamilton_product, random_rotations

COUNT = 256


@pytest.fixture
def rotations():
    return random_rotations(COUNT, seed=1)


@pytest.fixture
def points():
    return np.random.default_rng(7).normal(size=(COUNT, 3))


def _cast(dtype, *arrays):
    return [tf.constant(array, dtype) for array in arrays]


class TestQuaternion:
    @all_dtypes
    def test_from_rotation_matrix(self, rotations, dtype):
        (matrix,) = _cast(dtype, rotations.as_matrix())
        result = quaternion.from_rotation_matrix(matrix).numpy()
        assert_same_quaternions(result, rotations.as_quat(), 4 * ATOL[dtype])
        largest = np.take_along_axis(result, np.argmax(np.abs(result), -1)[:, None], -1)
        assert np.all(largest > 0)

    @all_dtypes
    def test_from_euler(self, rotations, dtype):
        (angles,) = _cast(dtype, rotations.as_euler("xyz"))
        assert_same_quaternions(quaternion.from_euler(angles), rotations.as_quat(), ATOL[dtype])

    def test_from_euler_with_small_angles_approximation(self):
        rng = np.random.default_rng(0)
        angles = rng.uniform(-0.1, 0.1, size=(COUNT, 3))
        half = angles / 2
        axes = np.eye(3)
        factors = [np.concatenate([half[:, [i]] * axes[i], 1 - half[:, [i]] ** 2 / 2], -1) for i in range(3)]
        expected = hamilton_product(factors[2], hamilton_product(factors[1], factors[0]))
        expected /= np.linalg.norm(expected, axis=-1, keepdims=True)
        approximate = quaternion.from_euler_with_small_angles_approximation(angles).numpy()
        np.testing.assert_allclose(approximate, expected, atol=1e-12)
        assert_same_quaternions(approximate, Rotation.from_euler("xyz", angles).as_quat(), 1e-3)

    @all_dtypes
    def test_from_axis_angle_normalizes_the_axis(self, rotations, dtype):
        rotvec = rotations.as_rotvec()
        angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
        axis, angle = _cast(dtype, 3.0 * rotvec / angle, angle)
        assert_same_quaternions(quaternion.from_axis_angle(axis, angle), rotations.as_quat(), ATOL[dtype])

    def test_multiply_conjugate_inverse(self, rotations):
        rng = np.random.default_rng(0)
        q1, q2 = rng.normal(size=(2, COUNT, 4))
        np.testing.assert_allclose(quaternion.multiply(q1, q2), hamilton_product(q1, q2), atol=1e-12)
        np.testing.assert_allclose(quaternion.conjugate(q1), q1 * [-1, -1, -1, 1])
        identity = quaternion.multiply(q1, quaternion.inverse(q1)).numpy()
        np.testing.assert_allclose(identity, np.broadcast_to([0, 0, 0, 1.0], identity.shape), atol=1e-12)
        other = random_rotations(COUNT, seed=2)
        assert_same_quaternions(
            quaternion.multiply(rotations.as_quat(), other.as_quat()), (rotations * other).as_quat(), 1e-12
        )

    @all_dtypes
    def test_rotate(self, rotations, points, dtype):
        point, q = _cast(dtype, points, rotations.as_quat())
        np.testing.assert_allclose(quaternion.rotate(point, q), rotations.apply(points), atol=4 * ATOL[dtype])

    @all_dtypes
    def test_relative_angle(self, rotations, dtype):
        other = random_rotations(COUNT, seed=2)
        q1, q2 = _cast(dtype, rotations.as_quat(), -other.as_quat())
        angle = quaternion.relative_angle(q1, q2)
        assert angle.shape == (COUNT,)
        np.testing.assert_allclose(angle, (rotations.inv() * other).magnitude(), atol=4 * ATOL[dtype])

    def test_normalize_and_is_normalized(self):
        rng = np.random.default_rng(0)
        q = rng.normal(size=(COUNT, 4))
        unit = quaternion.normalize(q).numpy()
        np.testing.assert_allclose(unit, q / np.linalg.norm(q, axis=-1, keepdims=True), atol=1e-15)
        np.testing.assert_array_equal(quaternion.is_normalized(unit), np.ones((COUNT, 1), bool))
        np.testing.assert_array_equal(quaternion.is_normalized(unit * 1.01), np.zeros((COUNT, 1), bool))
        np.testing.assert_array_equal(quaternion.is_normalized(unit * 1.01, atol=0.02), np.ones((COUNT, 1), bool))

    @all_dtypes
    def test_slerp(self, rotations, dtype):
        rng = np.random.default_rng(0)
        other = random_rotations(COUNT, seed=2)
        t = rng.uniform(-0.2, 1.2, size=(COUNT, 1))
        expected = rotations * Rotation.from_rotvec(t * (rotations.inv() * other).as_rotvec())
        q1, q2, percent = _cast(dtype, rotations.as_quat(), other.as_quat(), t)
        result = quaternion.slerp(q1, q2, percent).numpy()
        assert_same_quaternions(result, expected.as_quat(), 4 * ATOL[dtype])
        np.testing.assert_allclose(np.linalg.norm(result, axis=-1), 1.0, atol=ATOL[dtype])

    @all_dtypes
    def test_between_two_vectors_3d(self, dtype):
        rng = np.random.default_rng(0)
        v1, v2 = rng.normal(size=(2, COUNT, 3)) * rng.uniform(0.1, 10, size=(2, COUNT, 1))
        q = quaternion.between_two_vectors_3d(*_cast(dtype, v1, v2)).numpy()
        u1, u2 = (v / np.linalg.norm(v, axis=-1, keepdims=True) for v in (v1, v2))
        rotation = Rotation.from_quat(q)
        np.testing.assert_allclose(rotation.apply(u1), u2, atol=4 * ATOL[dtype])
        # Shortest arc: the angle is the angle between the vectors, about their common normal.
        np.testing.assert_allclose(
            rotation.magnitude(),
            np.arccos(np.clip(np.sum(u1 * u2, -1), -1, 1)),
            atol=1e-3 if dtype == tf.float32 else 1e-9,
        )
        np.testing.assert_allclose(np.sum(rotation.as_rotvec() * u1, -1), 0.0, atol=4 * ATOL[dtype])

    @all_dtypes
    def test_normalized_random_uniform_is_uniform(self, dtype):
        tf.random.set_seed(0)
        q = quaternion.normalized_random_uniform([100, 200], dtype=dtype).numpy()
        assert q.shape == (100, 200, 4) and q.dtype == dtype.as_numpy_dtype
        np.testing.assert_allclose(np.linalg.norm(q, axis=-1), 1.0, atol=ATOL[dtype])
        matrices = Rotation.from_quat(q.reshape(-1, 4)).as_matrix()
        # Haar measure on SO(3): the mean rotation matrix is 0, and E[q_i²] = 1/4.
        np.testing.assert_allclose(matrices.mean(axis=0), 0.0, atol=0.015)
        np.testing.assert_allclose(np.mean(q.reshape(-1, 4) ** 2, axis=0), 0.25, atol=0.01)

    def test_normalized_random_uniform_in_graphs(self):
        for jit in (False, True):
            sample = tf.function(lambda: quaternion.normalized_random_uniform([3, 2]), jit_compile=jit)()
            assert sample.shape == (3, 2, 4)
            np.testing.assert_allclose(np.linalg.norm(sample, axis=-1), 1.0, atol=1e-6)

    def test_normalized_random_uniform_initializer(self):
        initializer = quaternion.normalized_random_uniform_initializer()
        variable = tf.Variable(initializer(shape=[5, 4], dtype=tf.float64))
        assert variable.shape == (5, 4) and variable.dtype == tf.float64
        np.testing.assert_allclose(np.linalg.norm(variable.numpy(), axis=-1), 1.0, atol=1e-12)
        with pytest.raises(ValueError, match=r"shape must be \[A1, \.\.\., An, 4\], got \[5, 3\]"):
            initializer([5, 3])
        with pytest.raises(ValueError, match="dtype must be float32 or float64"):
            initializer([5, 4], dtype=tf.int32)


class TestRotationMatrix3d:
    @all_dtypes
    def test_conversions(self, rotations, dtype):
        quaternions, angles, matrices = _cast(
            dtype, rotations.as_quat(), rotations.as_euler("xyz"), rotations.as_matrix()
        )
        rotvec = rotations.as_rotvec()
        angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
        axis, angle = _cast(dtype, -0.5 * rotvec / angle, -angle)
        expected = rotations.as_matrix()
        np.testing.assert_allclose(rotation_matrix_3d.from_quaternion(quaternions), expected, atol=ATOL[dtype])
        np.testing.assert_allclose(rotation_matrix_3d.from_euler(angles), expected, atol=ATOL[dtype])
        np.testing.assert_allclose(rotation_matrix_3d.from_axis_angle(axis, angle), expected, atol=ATOL[dtype])
        np.testing.assert_allclose(rotation_matrix_3d.inverse(matrices), rotations.inv().as_matrix(), atol=ATOL[dtype])

    def test_from_euler_with_small_angles_approximation(self):
        rng = np.random.default_rng(0)
        angles = rng.uniform(-0.1, 0.1, size=(COUNT, 3))
        sine, cosine = angles, 1 - angles**2 / 2
        zero, one = np.zeros(COUNT), np.ones(COUNT)
        rx = np.stack(
            [
                np.stack([one, zero, zero], -1),
                np.stack([zero, cosine[:, 0], -sine[:, 0]], -1),
                np.stack([zero, sine[:, 0], cosine[:, 0]], -1),
            ],
            -2,
        )
        ry = np.stack(
            [
                np.stack([cosine[:, 1], zero, sine[:, 1]], -1),
                np.stack([zero, one, zero], -1),
                np.stack([-sine[:, 1], zero, cosine[:, 1]], -1),
            ],
            -2,
        )
        rz = np.stack(
            [
                np.stack([cosine[:, 2], -sine[:, 2], zero], -1),
                np.stack([sine[:, 2], cosine[:, 2], zero], -1),
                np.stack([zero, zero, one], -1),
            ],
            -2,
        )
        np.testing.assert_allclose(
            rotation_matrix_3d.from_euler_with_small_angles_approximation(angles), rz @ ry @ rx, atol=1e-15
        )

    @all_dtypes
    def test_rotate(self, rotations, points, dtype):
        point, matrix = _cast(dtype, points, rotations.as_matrix())
        np.testing.assert_allclose(
            rotation_matrix_3d.rotate(point, matrix), rotations.apply(points), atol=4 * ATOL[dtype]
        )

    def test_is_valid_and_assert(self, rotations):
        matrices = rotations.as_matrix()
        reflections = matrices * [1, 1, -1]
        np.testing.assert_array_equal(rotation_matrix_3d.is_valid(matrices), np.ones((COUNT, 1), bool))
        np.testing.assert_array_equal(rotation_matrix_3d.is_valid(reflections), np.zeros((COUNT, 1), bool))
        np.testing.assert_array_equal(rotation_matrix_3d.is_valid(matrices * 1.01), np.zeros((COUNT, 1), bool))
        np.testing.assert_array_equal(rotation_matrix_3d.is_valid(matrices * 1.0001), np.ones((COUNT, 1), bool))
        np.testing.assert_array_equal(rotation_matrix_3d.assert_rotation_matrix_normalized(matrices), matrices)
        with pytest.raises(tf.errors.InvalidArgumentError, match="matrix must hold rotation matrices"):
            rotation_matrix_3d.assert_rotation_matrix_normalized(reflections)


class TestRotationMatrix2dAndCommon:
    def test_rotation_matrix_2d(self):
        rng = np.random.default_rng(0)
        angle = rng.uniform(-4, 4, size=(COUNT, 1))
        cosine, sine = np.cos(angle[:, 0]), np.sin(angle[:, 0])
        expected = np.stack([np.stack([cosine, -sine], -1), np.stack([sine, cosine], -1)], -2)
        matrix = rotation_matrix_2d.from_euler(angle).numpy()
        np.testing.assert_allclose(matrix, expected, atol=1e-15)
        point = rng.normal(size=(COUNT, 2))
        np.testing.assert_allclose(
            rotation_matrix_2d.rotate(point, matrix), np.einsum("nij,nj->ni", expected, point), atol=1e-14
        )
        np.testing.assert_allclose(rotation_matrix_2d.inverse(matrix), np.swapaxes(expected, -1, -2))
        np.testing.assert_array_equal(rotation_matrix_2d.is_valid(matrix), np.ones((COUNT, 1), bool))
        np.testing.assert_array_equal(rotation_matrix_2d.is_valid(matrix[..., ::-1]), np.zeros((COUNT, 1), bool))
        small = 0.1 * angle
        approximate = rotation_matrix_2d.from_euler_with_small_angles_approximation(small).numpy()
        np.testing.assert_allclose(approximate[:, 0, 0], 1 - small[:, 0] ** 2 / 2)
        np.testing.assert_allclose(approximate[:, 1, 0], small[:, 0])

    @pytest.mark.parametrize("size", [2, 3, 4, 6])
    def test_common_is_valid_in_k_dimensions(self, size):
        rng = np.random.default_rng(0)
        rotations, _ = np.linalg.qr(rng.normal(size=(COUNT, size, size)))
        rotations[np.linalg.det(rotations) < 0, :, 0] *= -1
        reflections = rotations * np.r_[-1.0, np.ones(size - 1)]
        np.testing.assert_array_equal(rotation_matrix_common.is_valid(rotations), np.ones((COUNT, 1), bool))
        np.testing.assert_array_equal(rotation_matrix_common.is_valid(reflections), np.zeros((COUNT, 1), bool))
        np.testing.assert_array_equal(rotation_matrix_common.is_valid(rotations + 0.01), np.zeros((COUNT, 1), bool))


class TestAxisAngleAndEuler:
    @all_dtypes
    def test_axis_angle_conversions(self, rotations, dtype):
        quaternions, matrices, angles = _cast(
            dtype, rotations.as_quat(), rotations.as_matrix(), rotations.as_euler("xyz")
        )
        for axis, angle in (
            axis_angle.from_quaternion(quaternions),
            axis_angle.from_quaternion(-quaternions),
            axis_angle.from_rotation_matrix(matrices),
            axis_angle.from_euler(angles),
        ):
            assert np.all((angle.numpy() >= 0) & (angle.numpy() <= np.pi))
            np.testing.assert_allclose(np.linalg.norm(axis, axis=-1), 1.0, atol=ATOL[dtype])
            np.testing.assert_allclose(axis * angle, rotations.as_rotvec(), atol=8 * ATOL[dtype])

    def test_axis_angle_small_angles(self):
        rng = np.random.default_rng(0)
        angles = rng.uniform(-0.05, 0.05, size=(COUNT, 3))
        axis, angle = axis_angle.from_euler_with_small_angles_approximation(angles)
        np.testing.assert_allclose(axis * angle, Rotation.from_euler("xyz", angles).as_rotvec(), atol=1e-4)

    @all_dtypes
    def test_axis_angle_rotate_inverse_is_normalized(self, rotations, points, dtype):
        rotvec = rotations.as_rotvec()
        angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
        point, axis, angle = _cast(dtype, points, 2 * rotvec / angle, angle)
        np.testing.assert_allclose(axis_angle.rotate(point, axis, angle), rotations.apply(points), atol=4 * ATOL[dtype])
        inverse_axis, inverse_angle = axis_angle.inverse(axis, angle)
        np.testing.assert_allclose(
            axis_angle.rotate(point, inverse_axis, inverse_angle), rotations.inv().apply(points), atol=4 * ATOL[dtype]
        )
        np.testing.assert_array_equal(axis_angle.is_normalized(axis, angle), np.zeros((COUNT, 1), bool))
        np.testing.assert_array_equal(axis_angle.is_normalized(axis / 2, angle), np.ones((COUNT, 1), bool))

    @all_dtypes
    def test_euler_conversions(self, rotations, dtype):
        expected = rotations.as_euler("xyz")
        rotvec = rotations.as_rotvec()
        angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
        matrices, quaternions, axis, angle = _cast(
            dtype, rotations.as_matrix(), rotations.as_quat(), rotvec / angle, angle
        )
        tolerance = 1e-4 if dtype == tf.float32 else 1e-10  # Euler angles amplify errors near gimbal lock.
        np.testing.assert_allclose(euler.from_rotation_matrix(matrices), expected, atol=tolerance)
        np.testing.assert_allclose(euler.from_quaternion(quaternions), expected, atol=tolerance)
        np.testing.assert_allclose(euler.from_axis_angle(axis, angle), expected, atol=tolerance)

    def test_euler_inverse_is_the_inverse_rotation(self, rotations):
        inverse = euler.inverse(rotations.as_euler("xyz")).numpy()
        np.testing.assert_allclose(inverse, rotations.inv().as_euler("xyz"), atol=1e-10)
        single_axis = np.array([[0.3, 0.0, 0.0], [0.0, -1.1, 0.0], [0.0, 0.0, 2.5]])
        np.testing.assert_allclose(euler.inverse(single_axis), -single_axis, atol=1e-15)


class TestSo3Se3Rigid:
    def test_so3_maps(self, rotations, points):
        rotvec = rotations.as_rotvec()
        hats = so3.hat(rotvec).numpy()
        np.testing.assert_allclose(np.einsum("nij,nj->ni", hats, points), np.cross(rotvec, points), atol=1e-15)
        np.testing.assert_allclose(so3.vee(hats + np.eye(3)), rotvec, atol=1e-15)
        expected = np.stack([scipy.linalg.expm(h) for h in hats[:16]])
        np.testing.assert_allclose(so3.exp(rotvec[:16]), expected, atol=1e-13)
        np.testing.assert_allclose(so3.exp(rotvec), rotations.as_matrix(), atol=1e-13)
        np.testing.assert_allclose(so3.log(rotations.as_matrix()), rotvec, atol=1e-12)

    @all_dtypes
    def test_geodesic_distance(self, rotations, dtype):
        other = random_rotations(COUNT, seed=2)
        distance = so3.geodesic_distance(*_cast(dtype, rotations.as_matrix(), other.as_matrix()))
        assert distance.shape == (COUNT,)
        np.testing.assert_allclose(distance, (rotations.inv() * other).magnitude(), atol=4 * ATOL[dtype])

    def test_se3_maps(self):
        rng = np.random.default_rng(0)
        twist = np.concatenate([rng.normal(size=(COUNT, 3)), random_rotations(COUNT, seed=3).as_rotvec()], -1)
        twist_matrices = np.zeros((COUNT, 4, 4))
        twist_matrices[:, :3, :3] = so3.hat(twist[:, 3:]).numpy()
        twist_matrices[:, :3, 3] = twist[:, :3]
        expected = np.stack([scipy.linalg.expm(m) for m in twist_matrices[:32]])
        transforms = se3.exp(twist).numpy()
        np.testing.assert_allclose(transforms[:32], expected, atol=1e-12)
        np.testing.assert_allclose(transforms[:, 3], np.broadcast_to([0, 0, 0, 1.0], (COUNT, 4)))
        np.testing.assert_allclose(se3.log(transforms), twist, atol=1e-10)
        np.testing.assert_allclose(
            se3.log(expected[:4]),
            [np.real(scipy.linalg.logm(m))[[0, 1, 2, 2, 0, 1], [3, 3, 3, 1, 2, 0]] for m in expected[:4]],
            atol=1e-10,
        )

    def test_rigid(self, rotations):
        rng = np.random.default_rng(0)
        translation = rng.normal(size=(COUNT, 3))
        matrix = rigid.from_rotation_translation(rotations.as_matrix(), translation).numpy()
        rotation, back = rigid.to_rotation_translation(matrix)
        np.testing.assert_array_equal(rotation, rotations.as_matrix())
        np.testing.assert_array_equal(back, translation)
        np.testing.assert_allclose(
            matrix @ rigid.inverse(matrix).numpy(), np.broadcast_to(np.eye(4), matrix.shape), atol=1e-14
        )
        clouds = rng.normal(size=(COUNT, 7, 3))
        expected = np.einsum("nij,npj->npi", rotations.as_matrix(), clouds) + translation[:, None]
        np.testing.assert_allclose(rigid.transform_points(clouds, matrix), expected, atol=1e-14)

    def test_rigid_transform_points_broadcasts_over_clouds_and_transforms(self):
        rng = np.random.default_rng(0)
        matrices = rigid.from_rotation_translation(
            random_rotations(4, seed=5).as_matrix(), rng.normal(size=(4, 3))
        ).numpy()
        clouds = rng.normal(size=(2, 1, 9, 3))
        result = rigid.transform_points(clouds, matrices).numpy()
        assert result.shape == (2, 4, 9, 3)
        np.testing.assert_allclose(result[1, 2], clouds[1, 0] @ matrices[2, :3, :3].T + matrices[2, :3, 3], atol=1e-14)


class TestRotation6d:
    @all_dtypes
    def test_round_trip_and_gram_schmidt(self, rotations, dtype):
        rng = np.random.default_rng(0)
        (matrices,) = _cast(dtype, rotations.as_matrix())
        six = rotation_6d.from_rotation_matrix(matrices).numpy()
        np.testing.assert_array_equal(six, np.concatenate([matrices[..., 0], matrices[..., 1]], -1))
        np.testing.assert_allclose(rotation_6d.to_rotation_matrix(six), rotations.as_matrix(), atol=ATOL[dtype])
        raw = rng.normal(size=(COUNT, 6))
        b1 = raw[:, :3] / np.linalg.norm(raw[:, :3], axis=-1, keepdims=True)
        b2 = raw[:, 3:] - np.sum(b1 * raw[:, 3:], -1, keepdims=True) * b1
        b2 /= np.linalg.norm(b2, axis=-1, keepdims=True)
        expected = np.stack([b1, b2, np.cross(b1, b2)], -1)
        np.testing.assert_allclose(rotation_6d.to_rotation_matrix(raw), expected, atol=1e-12)


class TestDualQuaternion:
    @pytest.fixture
    def transforms(self, rotations):
        rng = np.random.default_rng(5)
        return rotations, rng.normal(size=(COUNT, 3))

    def test_round_trip(self, transforms):
        rotations, translation = transforms
        dq = dual_quaternion.from_rotation_translation(rotations.as_quat(), translation)
        rotation, back = dual_quaternion.to_rotation_translation(dq)
        np.testing.assert_allclose(rotation, rotations.as_quat(), atol=1e-15)
        np.testing.assert_allclose(back, translation, atol=1e-14)
        np.testing.assert_allclose(dual_quaternion.norm(dq), np.broadcast_to([1.0, 0.0], (COUNT, 2)), atol=1e-14)
        np.testing.assert_array_equal(dual_quaternion.is_normalized(dq), np.ones((COUNT, 1), bool))
        np.testing.assert_array_equal(dual_quaternion.is_normalized(2 * dq), np.zeros((COUNT, 1), bool))
        rotvec = rotations.as_rotvec()
        angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
        # -dq is the same transform as dq.
        assert_same_quaternions(
            dual_quaternion.from_axis_angle_translation(rotvec / angle, angle, translation), dq, 1e-14
        )

    def test_multiply_composes_and_inverse_inverts(self, transforms):
        rng = np.random.default_rng(0)
        rotations, translation = transforms
        other, other_translation = random_rotations(COUNT, seed=4), rng.normal(size=(COUNT, 3))
        dq1 = dual_quaternion.from_rotation_translation(rotations.as_quat(), translation)
        dq2 = dual_quaternion.from_rotation_translation(other.as_quat(), other_translation)
        rotation, composed_translation = dual_quaternion.to_rotation_translation(dual_quaternion.multiply(dq1, dq2))
        assert_same_quaternions(rotation, (rotations * other).as_quat(), 1e-14)
        np.testing.assert_allclose(composed_translation, rotations.apply(other_translation) + translation, atol=1e-13)
        identity = dual_quaternion.multiply(dual_quaternion.inverse(3 * dq1), 3 * dq1).numpy()
        np.testing.assert_allclose(identity, np.broadcast_to([0, 0, 0, 1.0, 0, 0, 0, 0], identity.shape), atol=1e-13)

    def test_conjugates_and_points(self, transforms, points):
        rotations, translation = transforms
        dq = dual_quaternion.from_rotation_translation(rotations.as_quat(), translation).numpy()
        np.testing.assert_array_equal(dual_quaternion.conjugate(dq), dq * [-1, -1, -1, 1, -1, -1, -1, 1])
        np.testing.assert_array_equal(dual_quaternion.conjugate_dual(dq), dq * [1, 1, 1, 1, -1, -1, -1, -1])
        point = dual_quaternion.point_to_dual_quaternion(points).numpy()
        np.testing.assert_array_equal(point[:, :4], np.broadcast_to([0, 0, 0, 1.0], (COUNT, 4)))
        moved = dual_quaternion.multiply(
            dual_quaternion.multiply(dq, point), dual_quaternion.conjugate_dual(dual_quaternion.conjugate(dq))
        )
        np.testing.assert_allclose(moved[:, 4:7], rotations.apply(points) + translation, atol=1e-13)


@all_dtypes
def test_look_at(dtype):
    rng = np.random.default_rng(0)
    eye, target, up = rng.normal(size=(3, COUNT, 3))
    matrix = look_at.right_handed(*_cast(dtype, eye, target, up)).numpy().astype(np.float64)
    rotation = matrix[:, :3, :3]
    tolerance = 10 * ATOL[dtype]
    np.testing.assert_allclose(
        rotation @ np.swapaxes(rotation, -1, -2), np.broadcast_to(np.eye(3), rotation.shape), atol=tolerance
    )
    np.testing.assert_allclose(np.linalg.det(rotation), 1.0, atol=tolerance)
    homogeneous = lambda p: np.concatenate([p, np.ones((COUNT, 1))], -1)  # noqa: E731
    np.testing.assert_allclose(
        np.einsum("nij,nj->ni", matrix, homogeneous(eye)), np.broadcast_to([0, 0, 0, 1.0], (COUNT, 4)), atol=tolerance
    )
    seen = np.einsum("nij,nj->ni", matrix, homogeneous(target))
    np.testing.assert_allclose(seen[:, :2], 0.0, atol=tolerance)
    np.testing.assert_allclose(-seen[:, 2], np.linalg.norm(target - eye, axis=-1), atol=tolerance)
    up_in_camera = np.einsum("nij,nj->ni", rotation, up)
    np.testing.assert_allclose(up_in_camera[:, 0], 0.0, atol=tolerance)
    assert np.all(up_in_camera[:, 1] > 0)


def test_linear_blend_skinning():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(2, 5, 3))
    weights = rng.dirichlet(np.ones(4), size=(2, 5))
    rotations = random_rotations(3 * 4, seed=6).as_matrix().reshape(3, 4, 3, 3)
    translations = rng.normal(size=(3, 4, 3))
    result = linear_blend_skinning.blend(points, weights, rotations, translations).numpy()
    assert result.shape == (3, 2, 5, 3)
    for pose in range(3):
        for index in np.ndindex(2, 5):
            expected = sum(
                weights[index][w] * (rotations[pose, w] @ points[index] + translations[pose, w]) for w in range(4)
            )
            np.testing.assert_allclose(result[(pose, *index)], expected, atol=1e-14)

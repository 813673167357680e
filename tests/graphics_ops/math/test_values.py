"""Values of graphics_ops.math against float64 references, and its singular and degenerate inputs."""

import math

import numpy as np
import pytest
import tensorflow as tf
from scipy import special
from scipy.interpolate import BSpline, RegularGridInterpolator
from scipy.spatial.transform import Rotation, Slerp

from graphics_ops.math import math_helpers, vector
from graphics_ops.math.interpolation import bspline, slerp, trilinear, weighted
from tests.graphics_ops.testing import (
    assert_all_finite,
    assert_jacobians_match_finite_differences,
    assert_same_quaternions,
    weighted_gradients,
)

RNG = np.random.default_rng(7)


def _gradients(function, *inputs):
    return [g.numpy() for g in weighted_gradients(function, *inputs)]


class TestSphericalCoordinates:
    def test_match_reference_and_round_trip(self):
        points = RNG.normal(size=(50, 3))
        spherical = math_helpers.cartesian_to_spherical_coordinates(points).numpy()
        radius = np.linalg.norm(points, axis=-1)
        expected = np.stack([radius, np.arccos(points[:, 2] / radius), np.arctan2(points[:, 1], points[:, 0])], -1)
        np.testing.assert_allclose(spherical, expected, atol=1e-12)
        np.testing.assert_allclose(math_helpers.spherical_to_cartesian_coordinates(spherical), points, atol=1e-12)

    def test_theta_is_accurate_near_the_poles(self):
        # acos(z / r) gives 0 or 1.5e-8 here: z / r rounds to 1.
        points = np.array([[1e-9, 0.0, 1.0], [0.0, 3e-10, -2.0]])
        theta = math_helpers.cartesian_to_spherical_coordinates(points).numpy()[:, 1]
        np.testing.assert_allclose(theta, [1e-9, np.pi - 1.5e-10], rtol=1e-12)

    @pytest.mark.parametrize("point", [[0.0, 0.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, -1.0]])
    def test_gradients_are_finite_at_the_origin_and_poles(self, point):
        function = math_helpers.cartesian_to_spherical_coordinates
        np.testing.assert_allclose(function(point)[1:].numpy(), [0.0 if point[2] >= 0 else np.pi, 0.0])
        assert_all_finite(*_gradients(function, np.array([point])))

    def test_square_maps_uniformly_onto_the_sphere(self):
        square = RNG.uniform(size=(20, 2))
        spherical = math_helpers.square_to_spherical_coordinates(square).numpy()
        np.testing.assert_allclose(spherical[:, 0], 1.0)
        np.testing.assert_allclose(np.cos(spherical[:, 1]), 1.0 - 2.0 * square[:, 0], atol=1e-12)
        np.testing.assert_allclose(spherical[:, 2], 2.0 * np.pi * square[:, 1], atol=1e-12)
        np.testing.assert_allclose(
            math_helpers.square_to_spherical_coordinates([[0.0, 0.0], [1.0, 1.0]]).numpy()[:, 1], [0, np.pi]
        )


class TestFactorials:
    @pytest.mark.parametrize("dtype, largest", [(tf.int32, 12), (tf.int64, 20)])
    def test_integer_factorial_is_exact(self, dtype, largest):
        n = np.arange(-2, largest + 1)
        result = math_helpers.factorial(tf.constant(n, dtype))
        assert result.dtype == dtype
        assert result.numpy().tolist() == [1, 1] + [math.factorial(k) for k in range(largest + 1)]

    @pytest.mark.parametrize("dtype, largest", [(tf.int32, 19), (tf.int64, 33)])
    def test_integer_double_factorial_is_exact(self, dtype, largest):
        n = np.arange(-1, largest + 1)
        expected = [1] + [math.prod(range(k, 1, -2)) for k in range(largest + 1)]
        assert math_helpers.double_factorial(tf.constant(n, dtype)).numpy().tolist() == expected

    def test_float_factorials_match_references(self):
        n = np.arange(0.0, 25.0)
        np.testing.assert_allclose(math_helpers.factorial(n), special.gamma(n + 1), rtol=1e-12)
        np.testing.assert_allclose(math_helpers.factorial(np.array([0.5, 2.5])), special.gamma([1.5, 3.5]), rtol=1e-12)
        expected = [float(math.prod(range(int(k), 1, -2))) for k in n]
        np.testing.assert_allclose(math_helpers.double_factorial(n), expected, rtol=1e-12)
        np.testing.assert_allclose(math_helpers.double_factorial(np.array([-3.0, -1.0, 1.0])), 1.0)

    def test_other_dtypes_are_rejected(self):
        with pytest.raises(TypeError, match="n must"):
            math_helpers.factorial(tf.constant([1], tf.int8))
        with pytest.raises(TypeError, match="n must"):
            math_helpers.double_factorial(tf.constant([True]))


class TestVector:
    @pytest.mark.parametrize("axis", [-1, 0, -2, 1])
    def test_match_numpy_along_any_axis(self, axis):
        shape = [3, 3, 3]
        v1, v2 = RNG.normal(size=shape), RNG.normal(size=shape)
        np.testing.assert_allclose(vector.cross(v1, v2, axis=axis), np.cross(v1, v2, axis=axis), atol=1e-12)
        np.testing.assert_allclose(vector.dot(v1, v2, axis=axis), np.sum(v1 * v2, axis=axis, keepdims=True), atol=1e-12)
        np.testing.assert_allclose(
            vector.dot(v1, v2, axis=axis, keepdims=False), np.sum(v1 * v2, axis=axis), atol=1e-12
        )
        normal = v2 / np.linalg.norm(v2, axis=axis, keepdims=True)
        reflected = vector.reflect(v1, normal, axis=axis).numpy()
        np.testing.assert_allclose(vector.reflect(reflected, normal, axis=axis), v1, atol=1e-12)
        np.testing.assert_allclose(np.linalg.norm(reflected, axis=axis), np.linalg.norm(v1, axis=axis), atol=1e-12)
        np.testing.assert_allclose(np.sum(reflected * normal, axis=axis), -np.sum(v1 * normal, axis=axis), atol=1e-12)

    def test_batch_dimensions_broadcast(self):
        v1, v2 = RNG.normal(size=(4, 1, 3)), RNG.normal(size=(5, 3))
        np.testing.assert_allclose(vector.cross(v1, v2), np.cross(v1, v2), atol=1e-12)

    def test_bad_axis_and_sizes_are_named(self):
        with pytest.raises(ValueError, match="axis 3 is out of range for vector1"):
            vector.cross(np.ones((3, 3)), np.ones((3, 3)), axis=3)
        with pytest.raises(ValueError, match="vector2"):
            vector.cross(np.ones((3, 2)), np.ones((4, 2)), axis=0)
        with pytest.raises(ValueError, match="dimension M must agree"):
            vector.dot(np.ones(3), np.ones(4))


class TestSlerp:
    def test_quaternions_match_scipy(self):
        rotations1, rotations2 = Rotation.random(30, random_state=1), Rotation.random(30, random_state=2)
        percent = RNG.uniform(size=(30, 1))
        result = slerp.interpolate(rotations1.as_quat(), rotations2.as_quat(), percent).numpy()
        expected = np.stack(
            [
                Slerp([0, 1], Rotation.concatenate([a, b]))(t[0]).as_quat()
                for a, b, t in zip(rotations1, rotations2, percent)
            ]
        )
        assert_same_quaternions(result, expected, 1e-12)
        np.testing.assert_allclose(np.linalg.norm(result, axis=-1), 1.0, atol=1e-12)

    def test_quaternion_ends_and_opposite_hemispheres(self):
        q1, q2 = Rotation.random(10, random_state=3).as_quat(), Rotation.random(10, random_state=4).as_quat()
        # As in TensorFlow Graphics, the weight of q1 takes the sign: q1 may come back as -q1.
        assert_same_quaternions(slerp.interpolate(q1, q2, 0.0), q1, 1e-15)
        np.testing.assert_allclose(slerp.interpolate(q1, q2, 1.0), q2, atol=1e-15)
        middle = slerp.interpolate(q1, q2, 0.5).numpy()
        assert_same_quaternions(slerp.interpolate(q1, -q2, 0.5), middle, 1e-12)
        # The shorter arc: the middle is closer to q1 than 90° in rotation angle terms.
        assert np.all(np.abs(np.sum(middle * q1, axis=-1)) >= np.abs(np.sum(q1 * q2, axis=-1)) - 1e-12)

    def test_identical_quaternions_have_exact_gradients(self):
        # The weights depend on the angle squared, so their derivatives vanish where the quaternions
        # are equal; TensorFlow Graphics differentiates acos near 1 there and gets nonzero gradients.
        q = Rotation.random(4, random_state=5).as_quat()
        percent = np.full((4, 1), 0.3)
        for dtype in (tf.float32, tf.float64):
            same = tf.constant(q, dtype)
            with tf.GradientTape() as tape:
                tape.watch(same)
                total = tf.add_n(slerp.quaternion_weights(same, same, tf.constant(percent, dtype)))
            np.testing.assert_array_equal(tape.gradient(total, same), 0.0)
        for function in (slerp.quaternion_weights, slerp.interpolate):
            assert_all_finite(*_gradients(function, q, q, percent))
        assert_jacobians_match_finite_differences(slerp.interpolate, q, q, percent, tolerance=1e-7)
        assert_jacobians_match_finite_differences(slerp.interpolate, q, q + 1e-9, percent, tolerance=1e-6)

    def test_vectors_move_at_constant_angular_speed(self):
        v1, v2 = RNG.normal(size=(20, 4)), RNG.normal(size=(20, 4))
        v1 /= np.linalg.norm(v1, axis=-1, keepdims=True)
        v2 /= np.linalg.norm(v2, axis=-1, keepdims=True)
        percent = RNG.uniform(-0.5, 1.5, size=(20, 1))
        result = slerp.interpolate(v1, v2, percent, method=slerp.InterpolationType.VECTOR).numpy()
        angle = np.arccos(np.sum(v1 * v2, axis=-1, keepdims=True))
        expected = (np.sin((1 - percent) * angle) * v1 + np.sin(percent * angle) * v2) / np.sin(angle)
        np.testing.assert_allclose(result, expected, atol=1e-12)

    def test_vector_weights_ignore_lengths_and_fall_back_to_lerp_when_opposite(self):
        v = np.array([[1.0, 2.0, 2.0]])
        weights = slerp.vector_weights(3.0 * v, -v, [[0.25]])
        np.testing.assert_allclose(np.concatenate(weights, -1), [[0.75, 0.25]])
        assert_all_finite(*_gradients(slerp.vector_weights, 3.0 * v, -v, np.array([[0.25]])))
        near = slerp.vector_weights(v, v * (1 + 1e-9) + [[0, 1e-12, 0]], [[0.25]])
        np.testing.assert_allclose(np.concatenate(near, -1), [[0.75, 0.25]], atol=1e-12)
        assert_all_finite(*_gradients(slerp.vector_weights, v, v, np.array([[0.25]])))

    def test_unknown_method_is_rejected(self):
        with pytest.raises(ValueError, match="method"):
            slerp.interpolate([1.0, 0, 0, 0], [0.0, 1, 0, 0], 0.5, method="quaternion")


def _scipy_spline(knots, positions, degree, cyclical):
    """Cardinal B-spline reference for 1D `knots`: knot j weighs the B-spline on integers j - D ... j + 1."""
    count = len(knots)
    if cyclical:
        knots = np.concatenate([knots, knots[:degree]])
        positions = np.mod(positions, count)
    return BSpline(np.arange(len(knots) + degree + 1, dtype=float), knots, degree)(positions + degree)


class TestBSpline:
    @pytest.mark.parametrize("degree", range(5))
    @pytest.mark.parametrize("cyclical", [False, True])
    def test_matches_scipy(self, degree, cyclical):
        knots = RNG.normal(size=(2, 7))
        end = 7.0 if cyclical else 7.0 - degree
        positions = np.concatenate([RNG.uniform(0, end, size=20), [0.0, end if not cyclical else 6.999, 1.0, 2.0]])
        result = bspline.interpolate(knots, positions, degree, cyclical).numpy()
        expected = np.stack([_scipy_spline(row, positions, degree, cyclical) for row in knots], -1)
        np.testing.assert_allclose(result, expected, atol=1e-12)
        weights = bspline.knot_weights(positions, 7, degree, cyclical).numpy()
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-12)

    def test_the_end_position_is_valid(self):
        # TensorFlow Graphics reads knot C there, one past the end, and fails.
        knots = RNG.normal(size=6)
        result = bspline.interpolate(knots, [3.0], 3, False).numpy()
        np.testing.assert_allclose(result, [(knots[3] + 4 * knots[4] + knots[5]) / 6], atol=1e-12)

    def test_sparse_weights_reassemble_the_dense_ones(self):
        positions = RNG.uniform(0, 7, size=(3, 4))
        dense = bspline.knot_weights(positions, 7, 3, True).numpy()
        sparse, shift = bspline.knot_weights(positions, 7, 3, True, sparse_mode=True)
        rebuilt = np.zeros_like(dense)
        for k in range(4):
            np.put_along_axis(rebuilt, np.mod(shift.numpy() + k, 7)[..., None], sparse.numpy()[..., k : k + 1], -1)
        np.testing.assert_allclose(rebuilt, dense, atol=1e-15)
        assert shift.dtype == tf.int32

    def test_identical_knots_give_a_constant_with_zero_position_gradient(self):
        positions = tf.constant(RNG.uniform(0, 3, size=10))
        with tf.GradientTape() as tape:
            tape.watch(positions)
            result = bspline.interpolate(tf.fill([6], tf.constant(2.5, tf.float64)), positions, 3, False)
        np.testing.assert_allclose(result, 2.5, atol=1e-14)
        np.testing.assert_allclose(tape.gradient(result, positions), 0.0, atol=1e-13)

    def test_linear_knots_are_reproduced(self):
        # Uniform B-splines of degree >= 1 reproduce straight lines, shifted by (degree - 1) / 2.
        for degree in range(1, 5):
            positions = RNG.uniform(0, 8 - degree, size=10)
            result = bspline.interpolate(np.arange(8.0), positions, degree, False).numpy()
            np.testing.assert_allclose(result, positions + (degree - 1) / 2, atol=1e-12)

    def test_bad_degrees_are_rejected(self):
        with pytest.raises(ValueError, match="degree must be an int from 0 to 4"):
            bspline.knot_weights([0.5], 7, 5, False)
        with pytest.raises(ValueError, match="degree must be below num_knots"):
            bspline.knot_weights([0.5], 3, 3, False)
        with pytest.raises(ValueError, match="knots must have a static last dimension"):
            tf.function(lambda k: bspline.interpolate(k, [0.5], 1, False)).get_concrete_function(tf.TensorSpec([None]))


class TestTrilinear:
    def test_matches_scipy_and_clamps_outside(self):
        grid = RNG.normal(size=(2, 4, 5, 3, 2))
        inside = RNG.uniform(0, [3, 4, 2], size=(2, 30, 3))
        result = trilinear.interpolate(grid, inside).numpy()
        axes = (np.arange(4), np.arange(5), np.arange(3))
        expected = np.stack([RegularGridInterpolator(axes, grid[b])(inside[b]) for b in range(2)])
        np.testing.assert_allclose(result, expected, atol=1e-12)
        outside = inside + RNG.choice([-5.0, 0.0, 5.0], size=inside.shape)
        np.testing.assert_allclose(
            trilinear.interpolate(grid, outside),
            trilinear.interpolate(grid, np.clip(outside, 0, [3, 4, 2])),
            atol=1e-12,
        )

    def test_grid_batch_broadcasts_over_points(self):
        grid = RNG.normal(size=(1, 3, 3, 3, 1))
        points = RNG.uniform(0, 2, size=(4, 6, 3))
        result = trilinear.interpolate(grid, points)
        assert result.shape == (4, 6, 1)
        np.testing.assert_allclose(result[2], trilinear.interpolate(grid[0], points[2]), atol=1e-12)


class TestWeighted:
    def test_interpolate_matches_numpy(self):
        points = RNG.normal(size=(4, 5, 3))
        indices = RNG.integers(0, [4, 5], size=(6, 2, 2))
        weights = RNG.uniform(size=(6, 2))
        result = weighted.interpolate(points, weights, indices).numpy()
        gathered = points[indices[..., 0], indices[..., 1]]
        expected = np.sum(weights[..., None] * gathered, axis=-2) / weights.sum(-1, keepdims=True)
        np.testing.assert_allclose(result, expected, atol=1e-12)
        raw = weighted.interpolate(points, weights, indices, normalize=False).numpy()
        np.testing.assert_allclose(raw, np.sum(weights[..., None] * gathered, axis=-2), atol=1e-12)

    def test_zero_weights_give_zero_and_negative_weights_need_permission(self):
        points = RNG.normal(size=(3, 2))
        zero = weighted.interpolate(points, [[0.0, 0.0]], [[[0], [1]]])
        np.testing.assert_array_equal(zero, [[0.0, 0.0]])
        with pytest.raises(tf.errors.InvalidArgumentError, match="weights must be non-negative"):
            weighted.interpolate(points, [[-1.0, 2.0]], [[[0], [1]]])
        allowed = weighted.interpolate(points, [[-1.0, 2.0]], [[[0], [1]]], allow_negative_weights=True)
        np.testing.assert_allclose(allowed, [2 * points[1] - points[0]], atol=1e-12)

    def test_barycentric_coordinates_match_a_linear_solve(self):
        triangles = RNG.normal(size=(5, 3, 2))
        pixels = RNG.normal(size=(5, 8, 2))
        coordinates, valid = weighted.get_barycentric_coordinates(triangles, pixels)
        system = np.concatenate([np.swapaxes(triangles, -1, -2), np.ones((5, 1, 3))], axis=-2)
        rhs = np.concatenate([np.swapaxes(pixels, -1, -2), np.ones((5, 1, 8))], axis=-2)
        expected = np.swapaxes(np.linalg.solve(system, rhs), -1, -2)
        np.testing.assert_allclose(coordinates, expected, atol=1e-10)
        np.testing.assert_array_equal(valid, np.all(expected >= 0, axis=-1))

    def test_degenerate_triangles_give_zeros_marked_invalid(self):
        triangles = np.array([[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]])
        pixels = np.array([[[0.5, 0.5], [3.0, 0.0]]] * 2)
        coordinates, valid = weighted.get_barycentric_coordinates(triangles, pixels)
        np.testing.assert_array_equal(coordinates, 0.0)
        assert not np.any(valid)
        gradients = _gradients(lambda t, p: weighted.get_barycentric_coordinates(t, p)[0], triangles, pixels)
        for gradient in gradients:
            np.testing.assert_array_equal(gradient, 0.0)

"""Values of graphics_ops.camera against float64 NumPy references, round trips and edge cases.

Edge cases: points behind, at and just in front of the camera (reported by `project_with_validity`,
finite values and gradients), zero distortion, distortion beyond its valid range, principal points on
the image border, and fields of view near the ends of their range.
"""

from fractions import Fraction

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from graphics_ops.camera import (
    FRUSTUM_EDGES,
    Camera,
    brown_conrady,
    frustum_corners,
    orthographic,
    perspective,
    quadratic_radial_distortion,
)
from tests.graphics_ops.camera import camera_testing as ref
from tests.graphics_ops.testing import all_dtypes, assert_all_finite, assert_finite_gradients, weighted_gradients

TOLERANCE = {tf.float32: 2e-5, tf.float64: 1e-11}
BATCH = (4, 5)
SETTINGS = settings(max_examples=25, deadline=None)


def _inputs(*kinds, batch=BATCH, seed=0):
    rng = np.random.default_rng(seed)
    return [ref.KINDS[kind](rng, batch) for kind in kinds]


def _as(dtype, *arrays):
    return [tf.constant(array, dtype) for array in arrays]


def _assert_close(actual, expected, dtype, scale=1.0):
    """Relative to the magnitude of `expected` (at least 1)."""
    expected = np.asarray(expected, np.float64)
    atol = scale * TOLERANCE[dtype] * max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected, rtol=0, atol=atol)


class TestPerspective:
    @all_dtypes
    def test_project_ray_unproject_match_numpy(self, dtype):
        point, focal, principal_point, pixel, depth = _inputs("point_3d", "focal", "principal_point", "pixel", "depth")
        tensors = _as(dtype, point, focal, principal_point, pixel, depth)
        point_t, focal_t, principal_t, pixel_t, depth_t = tensors
        expected = ref.project(point, focal, principal_point)
        _assert_close(perspective.project(point_t, focal_t, principal_t), expected, dtype)
        _assert_close(perspective.ray(pixel_t, focal_t, principal_t), ref.ray(pixel, focal, principal_point), dtype)
        _assert_close(
            perspective.unproject(pixel_t, depth_t, focal_t, principal_t),
            ref.ray(pixel, focal, principal_point) * depth,
            dtype,
        )

    @all_dtypes
    def test_round_trips(self, dtype):
        point, focal, principal_point, pixel, depth = _as(
            dtype, *_inputs("point_3d", "focal", "principal_point", "pixel", "depth")
        )
        pixel_of_point = perspective.project(point, focal, principal_point)
        back = perspective.unproject(pixel_of_point, point[..., 2:], focal, principal_point)
        _assert_close(back, point, dtype)
        again = perspective.project(perspective.unproject(pixel, depth, focal, principal_point), focal, principal_point)
        _assert_close(again, pixel, dtype)

    @all_dtypes
    def test_points_behind_and_at_the_camera_are_reported(self, dtype):
        eps = perspective.min_depth(dtype)
        depths = np.array([-3.0, -1e-3, -1e-30, 0.0, 1e-30, 0.5 * eps, eps, 2.0 * eps, 1e-3, 3.0])
        point = np.stack([np.full_like(depths, 0.3), np.full_like(depths, -0.2), depths], axis=-1)
        focal, principal_point = np.array([500.0, 400.0]), np.array([320.0, 240.0])
        point_t, focal_t, principal_t = _as(dtype, point, focal, principal_point)
        pixel, valid = perspective.project_with_validity(point_t, focal_t, principal_t)
        np.testing.assert_array_equal(valid[:, 0], depths > eps)
        np.testing.assert_array_equal(pixel, perspective.project(point_t, focal_t, principal_t))
        assert_finite_gradients(perspective.project, point_t, focal_t, principal_t)
        pixel_only = lambda *args: perspective.project_with_validity(*args)[0]  # noqa: E731
        assert_finite_gradients(pixel_only, point_t, focal_t, principal_t)
        # Exact pinhole images wherever valid; |z| clamped to eps (sign kept, 0 as +) elsewhere.
        clamped = np.where(np.abs(depths) < eps, np.where(depths >= 0, eps, -eps), depths)
        expected = ref.project(np.concatenate([point[:, :2], clamped[:, None]], -1), focal, principal_point)
        np.testing.assert_allclose(pixel, expected, rtol=TOLERANCE[dtype])

    def test_points_behind_the_camera_project_through_its_centre(self):
        point, focal, principal_point = _inputs("point_3d", "focal", "principal_point")
        np.testing.assert_allclose(
            perspective.project(-point, focal, principal_point), perspective.project(point, focal, principal_point)
        )
        assert not np.any(perspective.project_with_validity(-point, focal, principal_point)[1])

    @all_dtypes
    def test_depth_gradient_vanishes_only_where_clamped(self, dtype):
        eps = perspective.min_depth(dtype)
        point = tf.constant([[1.0, 2.0, 0.0], [1.0, 2.0, -0.5 * eps], [1.0, 2.0, 1.0]], dtype)
        focal, principal_point = tf.constant([2.0, 3.0], dtype), tf.zeros([2], dtype)
        with tf.GradientTape() as tape:
            tape.watch(point)
            pixel = perspective.project(point, focal, principal_point)
        jacobian = tape.batch_jacobian(pixel, point).numpy()
        np.testing.assert_array_equal(jacobian[:2, :, 2], 0.0)
        np.testing.assert_allclose(jacobian[0, :, :2], [[2.0 / eps, 0.0], [0.0, 3.0 / eps]], rtol=1e-6)
        np.testing.assert_allclose(jacobian[2], [[2.0, 0.0, -2.0], [0.0, 3.0, -6.0]], rtol=1e-6)

    @all_dtypes
    def test_principal_point_on_the_image_border_and_zero_focal(self, dtype):
        principal_point = tf.constant([[0.0, 0.0], [640.0, 480.0], [640.0, 0.0]], dtype)
        focal = tf.constant([500.0, 500.0], dtype)
        rays = perspective.ray(principal_point, focal, principal_point)
        np.testing.assert_array_equal(rays, [[0.0, 0.0, 1.0]] * 3)
        corner = tf.constant([[0.0, 0.0]], dtype)
        _assert_close(perspective.ray(corner, focal, principal_point)[:, :2], -principal_point / 500.0, dtype)
        assert_finite_gradients(perspective.ray, corner, focal, principal_point)
        # A zero focal length is clamped like a zero depth: finite values and gradients.
        zero_focal = tf.constant([0.0, 500.0], dtype)
        assert_finite_gradients(perspective.ray, corner, zero_focal, principal_point)
        assert_finite_gradients(perspective.unproject, corner, tf.ones([1, 1], dtype), zero_focal, principal_point)

    @all_dtypes
    def test_intrinsic_matrix_round_trip(self, dtype):
        focal, principal_point, skew = _inputs("focal", "principal_point", "skew")
        matrix = perspective.matrix_from_intrinsics(*_as(dtype, focal, principal_point, skew))
        cast = dtype.as_numpy_dtype
        np.testing.assert_array_equal(matrix, ref.intrinsic_matrix(focal, principal_point, skew).astype(cast))
        for got, want in zip(perspective.intrinsics_from_matrix(matrix), (focal, principal_point, skew)):
            np.testing.assert_array_equal(got, want.astype(cast))
        # The default skew is zero, broadcast to the batch.
        default = perspective.matrix_from_intrinsics(*_as(dtype, focal, principal_point))
        np.testing.assert_array_equal(default, ref.intrinsic_matrix(focal, principal_point, 0 * skew).astype(cast))

    def test_right_handed_literal_and_clip_depths(self):
        matrix = perspective.right_handed([np.pi / 2], [2.0], [1.0], [3.0])
        np.testing.assert_allclose(matrix, [[0.5, 0, 0, 0], [0, 1, 0, 0], [0, 0, -2, -3], [0, 0, -1, 0]], atol=1e-7)
        # Points on the near and far planes (in front: -z) get normalized depths -1 and 1.
        clip = np.asarray(matrix) @ np.array([[0.0, 0.0, -1.0, 1.0], [0.0, 0.0, -3.0, 1.0]]).T
        np.testing.assert_allclose(clip[2] / clip[3], [-1.0, 1.0], atol=1e-6)

    @all_dtypes
    def test_right_handed_matches_numpy_and_round_trips(self, dtype):
        parameters = _inputs("field_of_view", "aspect_ratio", "near", "far")
        # Fields of view close to both ends of (0, π).
        parameters[0][0, :, 0] = [1e-3, 0.1, np.pi - 0.1, np.pi - 1e-3, np.pi / 2]
        matrix = perspective.right_handed(*_as(dtype, *parameters))
        expected = ref.right_handed(*parameters)
        scale = 1.0 if dtype == tf.float64 else 50.0  # 1 / tan(1e-3 / 2) in float32
        _assert_close(matrix, expected, dtype, scale=scale)
        for got, want in zip(perspective.parameters_from_right_handed(tf.constant(expected, dtype)), parameters):
            _assert_close(got, want, dtype, scale=20.0)


class TestRandomRaysAndPatches:
    FOCAL, PRINCIPAL_POINT = _inputs("focal", "principal_point", batch=(2, 3))

    @all_dtypes
    def test_random_rays(self, dtype):
        focal, principal_point = _as(dtype, self.FOCAL, self.PRINCIPAL_POINT)
        rays, pixels = perspective.random_rays(focal, principal_point, 48, 64, 500, margin=3, seed=[1, 2])
        assert rays.shape == (2, 3, 500, 3) and rays.dtype == dtype
        assert pixels.shape == (2, 3, 500, 2) and pixels.dtype == tf.int32
        x, y = np.moveaxis(pixels.numpy(), -1, 0)
        assert x.min() == 3 and x.max() == 60 and y.min() == 3 and y.max() == 44
        expected = perspective.ray(tf.cast(pixels, dtype), focal[..., None, :], principal_point[..., None, :])
        np.testing.assert_array_equal(rays, expected)
        again = perspective.random_rays(focal, principal_point, 48, 64, 500, margin=3, seed=[1, 2])[1]
        other = perspective.random_rays(focal, principal_point, 48, 64, 500, margin=3, seed=[1, 3])[1]
        np.testing.assert_array_equal(again, pixels)
        assert np.any(other.numpy() != pixels.numpy())
        stateful = perspective.random_rays(focal, principal_point, 48, 64, 5)[1]
        assert stateful.shape == (2, 3, 5, 2)

    @pytest.mark.parametrize("indexing", ["ij", "xy"])
    def test_random_patches(self, indexing):
        focal, principal_point = _as(tf.float64, self.FOCAL, self.PRINCIPAL_POINT)
        rays, pixels = perspective.random_patches(
            focal, principal_point, 48, 64, 3, 5, scale=2.0, indexing=indexing, seed=[4, 5]
        )
        assert rays.shape == (2, 3, 15, 3) and pixels.shape == (2, 3, 15, 2) and pixels.dtype == tf.float64
        pixels = pixels.numpy()
        offsets = pixels - pixels[..., :1, :]
        # Five columns (x) and three rows (y), two pixels apart; x-major for "ij", row-major for "xy".
        grid_x, grid_y = np.meshgrid(2.0 * np.arange(5), 2.0 * np.arange(3), indexing=indexing)
        grid = np.stack([grid_x.ravel(), grid_y.ravel()], -1)
        np.testing.assert_array_equal(offsets, np.broadcast_to(grid, offsets.shape))
        assert np.all(pixels[..., :1, :] == np.round(pixels[..., :1, :]))
        assert pixels[..., 0].min() >= 0 and pixels[..., 0].max() <= 63
        assert pixels[..., 1].min() >= 0 and pixels[..., 1].max() <= 47
        np.testing.assert_array_equal(rays, perspective.ray(pixels, focal[..., None, :], principal_point[..., None, :]))

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="indexing must be 'ij' or 'xy'"):
            perspective.random_patches(self.FOCAL, self.PRINCIPAL_POINT, 48, 64, 3, 3, indexing="yx")
        with pytest.raises(ValueError, match="does not fit"):
            perspective.random_patches(self.FOCAL, self.PRINCIPAL_POINT, 48, 64, 30, 3, scale=2.0)
        with pytest.raises(ValueError, match="leaves no pixel"):
            perspective.random_rays(self.FOCAL, self.PRINCIPAL_POINT, 48, 64, 3, margin=24)
        with pytest.raises(ValueError, match=r"^focal must have shape"):
            perspective.random_rays(np.zeros(3), self.PRINCIPAL_POINT, 48, 64, 3)

    @pytest.mark.parametrize("seed", [None, [7, 8]], ids=["stateful", "stateless"])
    def test_tf_function_with_unknown_batch_and_xla(self, seed):
        signature = [tf.TensorSpec([None, None, 2], tf.float32)] * 2
        focal, principal_point = _as(tf.float32, self.FOCAL, self.PRINCIPAL_POINT)

        def sample(focal, principal_point):
            rays, pixels = perspective.random_rays(focal, principal_point, 48, 64, 7, seed=seed)
            patch_rays, patch = perspective.random_patches(focal, principal_point, 48, 64, 2, 3, seed=seed)
            return rays, pixels, patch_rays, patch

        for jit_compile in (False, True):
            rays, pixels, patch_rays, patch = tf.function(sample, input_signature=signature, jit_compile=jit_compile)(
                focal, principal_point
            )
            assert rays.shape == (2, 3, 7, 3) and pixels.shape == (2, 3, 7, 2) and patch.shape == (2, 3, 6, 2)
            np.testing.assert_allclose(
                rays, perspective.ray(tf.cast(pixels, tf.float32), focal[..., None, :], principal_point[..., None, :])
            )


class TestOrthographic:
    @all_dtypes
    def test_values(self, dtype):
        point, pixel, depth = _as(dtype, *_inputs("point_3d", "pixel", "depth"))
        np.testing.assert_array_equal(orthographic.project(point), point[..., :2])
        np.testing.assert_array_equal(orthographic.ray(pixel), np.broadcast_to([0.0, 0.0, 1.0], BATCH + (3,)))
        np.testing.assert_array_equal(orthographic.unproject(pixel, depth), tf.concat([pixel, depth], -1))
        np.testing.assert_array_equal(orthographic.project(orthographic.unproject(pixel, depth)), pixel)
        (gradient,) = weighted_gradients(orthographic.ray, pixel)
        np.testing.assert_array_equal(gradient, 0.0)

    def test_unproject_broadcasts(self):
        assert orthographic.unproject(np.zeros((4, 1, 2)), np.ones((3, 1))).shape == (4, 3, 3)


class TestQuadraticRadialDistortion:
    @all_dtypes
    def test_distortion_factor_and_overflow(self, dtype):
        squared_radius = np.array([[[0.0, 0.5, 1.0, 2.0]]])
        coefficient = np.array([-0.2])
        factor, overflow = quadratic_radial_distortion.distortion_factor(*_as(dtype, squared_radius, coefficient))
        _assert_close(factor, 1.0 - 0.2 * squared_radius, dtype)
        # r (1 + k r²) stops increasing at r² = -1 / (3 k) = 5/3.
        np.testing.assert_array_equal(overflow, [[[False, False, False, True]]])

    @all_dtypes
    def test_undistortion_inverts_distortion(self, dtype):
        rng = np.random.default_rng(3)
        coefficient = rng.uniform(-0.3, 0.6, size=(6,))
        squared_radius = rng.uniform(0, 1.5, size=(6, 4, 5))
        # Undistorted radii within the monotonic range: their images are in the valid range.
        largest = np.where(coefficient < 0, -0.95 / (3 * coefficient), 9.0)
        squared_radius = np.minimum(squared_radius, largest[:, None, None])
        distorted = squared_radius * (1 + coefficient[:, None, None] * squared_radius) ** 2
        factor, overflow = quadratic_radial_distortion.undistortion_factor(
            *_as(dtype, distorted, coefficient), num_iterations=8
        )
        assert not np.any(overflow)
        _assert_close(np.square(factor) * distorted, squared_radius, dtype, scale=10.0)

    def test_five_iterations_converge_away_from_the_fold(self):
        product = np.concatenate([np.linspace(-0.99 * 4 / 27, 0, 50), np.geomspace(1e-6, 1e4, 50)])
        factor, _ = quadratic_radial_distortion.undistortion_factor(product[None, :], 1.0)
        factor = factor.numpy()[0]
        np.testing.assert_allclose(factor * (1 + product * factor**2), 1.0, atol=1e-12)
        assert np.all(1 + 3 * product * factor**2 > 0)  # the root on the monotonic branch

    @all_dtypes
    def test_overflow_gives_one_with_finite_gradients(self, dtype):
        distorted = tf.constant([[[0.0, 1.0, 4.0 / 27.0, 2.0]]], dtype)
        coefficient = tf.constant([-1.0], dtype)
        factor, overflow = quadratic_radial_distortion.undistortion_factor(distorted, coefficient)
        np.testing.assert_array_equal(overflow, [[[False, True, False, True]]])
        np.testing.assert_array_equal(factor.numpy()[overflow.numpy()], 1.0)
        # At the fold itself (k r'² = -4/27) the factor is 3/2.
        np.testing.assert_allclose(factor.numpy()[0, 0, 2], 1.5, rtol=0.02)
        radial = quadratic_radial_distortion
        for function in (radial.distortion_factor, radial.undistortion_factor):
            assert_finite_gradients(lambda r, k: function(r, k)[0], distorted, coefficient)

    def test_zero_coefficient_gradients(self):
        distorted, coefficient = tf.constant([[[0.0, 0.5, 2.0]]], tf.float64), tf.constant([0.0], tf.float64)
        with tf.GradientTape() as tape:
            tape.watch([distorted, coefficient])
            factor, _ = quadratic_radial_distortion.undistortion_factor(distorted, coefficient)
        gradient_r, gradient_k = tape.gradient(factor, [distorted, coefficient])
        np.testing.assert_array_equal(factor, 1.0)
        np.testing.assert_array_equal(gradient_r, 0.0)
        # d/dk of u(k r'²) at 0 is -r'².
        np.testing.assert_allclose(gradient_k, [-2.5])


class TestBrownConrady:
    def test_hand_computed_pixel(self):
        # (X, Y, Z) = (1, -1/2, 2), so (x, y) = (1/2, -1/4) and r² = 5/16; with k1, k2, p1, p2, k3 =
        # 1/10, 1/100, 1/1000, 2/1000, 5/10000, OpenCV's formula, evaluated exactly with fractions,
        # gives x' = 8478653/16384000 and y' = -8458173/32768000.
        pixel = brown_conrady.project(
            np.array([1.0, -0.5, 2.0]), [800.0, 600.0], [320.0, 240.0], np.array([0.1, 0.01, 0.001, 0.002, 0.0005])
        )
        expected = [800 * Fraction(8478653, 16384000) + 320, 600 * Fraction(-8458173, 32768000) + 240]
        np.testing.assert_allclose(pixel, [float(value) for value in expected], rtol=1e-15)

    @all_dtypes
    def test_distort_and_project_match_numpy(self, dtype):
        normalized, distortion, point, focal, principal_point = _inputs(
            "normalized", "distortion", "point_3d", "focal", "principal_point"
        )
        distorted = brown_conrady.distort(*_as(dtype, normalized, distortion))
        _assert_close(distorted, ref.distort(normalized, distortion), dtype)
        expected = ref.distort(point[..., :2] / point[..., 2:], distortion) * focal + principal_point
        _assert_close(brown_conrady.project(*_as(dtype, point, focal, principal_point, distortion)), expected, dtype)

    @all_dtypes
    def test_undistort_inverts_distort_for_usual_lenses(self, dtype):
        normalized, distortion = _inputs("normalized", "distortion", batch=(50, 40))
        distorted = ref.distort(normalized, distortion)
        _assert_close(brown_conrady.undistort(*_as(dtype, distorted, distortion)), normalized, dtype, scale=4.0)
        # Distorted points of radius up to 0.65 are images of points inside the valid range.
        distorted_t, distortion_t = _as(dtype, 0.7 * normalized, distortion)
        _assert_close(
            brown_conrady.distort(brown_conrady.undistort(distorted_t, distortion_t), distortion_t),
            distorted_t,
            dtype,
            scale=4.0,
        )

    def test_undistort_strong_lenses_within_the_valid_range(self):
        rng = np.random.default_rng(5)
        count = 4000
        distortion = rng.uniform([-0.5, -0.2, -0.01, -0.01, -0.05], [0.5, 0.3, 0.01, 0.01, 0.05], size=(count, 5))
        normalized = rng.uniform(-1.0, 1.0, size=(count, 2))
        # Keep the points whose whole segment to the centre is well inside the valid range.
        keep = np.ones(count, bool)
        for fraction in np.linspace(0.02, 1.0, 50):
            jacobian = _numpy_jacobian(fraction * normalized, distortion)
            keep &= (np.linalg.det(jacobian) > 0.1) & (jacobian[:, 0, 0] > 0.3) & (jacobian[:, 1, 1] > 0.3)
        assert keep.mean() > 0.6
        distorted = ref.distort(normalized[keep], distortion[keep])
        undistorted = brown_conrady.undistort(distorted, distortion[keep])
        np.testing.assert_allclose(undistorted, normalized[keep], atol=1e-9)

    @all_dtypes
    def test_zero_distortion_is_the_identity(self, dtype):
        normalized, point, focal, principal_point, pixel, depth = _as(
            dtype, *_inputs("normalized", "point_3d", "focal", "principal_point", "pixel", "depth")
        )
        zero = tf.zeros([5], dtype)
        np.testing.assert_array_equal(brown_conrady.distort(normalized, zero), normalized)
        np.testing.assert_array_equal(brown_conrady.undistort(normalized, zero), normalized)
        pinhole = perspective.project(point, focal, principal_point)
        _assert_close(brown_conrady.project(point, focal, principal_point, zero), pinhole, dtype)
        _assert_close(
            brown_conrady.unproject(pixel, depth, focal, principal_point, zero),
            perspective.unproject(pixel, depth, focal, principal_point),
            dtype,
        )
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([normalized, zero])
            undistorted = brown_conrady.undistort(normalized, zero)
            loss = tf.reduce_sum(undistorted * tf.constant([1.0, 2.0], dtype))
        np.testing.assert_array_equal(tape.gradient(loss, normalized), np.broadcast_to([1.0, 2.0], BATCH + (2,)))
        assert_all_finite(tape.gradient(loss, zero))

    @all_dtypes
    def test_radial_only_matches_quadratic_radial_distortion(self, dtype):
        normalized = _inputs("normalized", batch=(3, 6))[0]
        k1 = np.array([-0.2, 0.0, 0.3])
        distortion = np.zeros((3, 1, 5))
        distortion[:, 0, 0] = k1
        squared_radius = np.sum(normalized**2, -1)
        # One image per row: squared radii [3, 1, 6], one coefficient per image.
        factor, _ = quadratic_radial_distortion.distortion_factor(*_as(dtype, squared_radius[:, None], k1))
        distorted = brown_conrady.distort(*_as(dtype, normalized, distortion))
        _assert_close(distorted, factor[:, 0, :, None] * normalized, dtype)
        distorted_squared = tf.reduce_sum(tf.square(distorted), -1)[:, None]
        undistortion, _ = quadratic_radial_distortion.undistortion_factor(distorted_squared, tf.constant(k1, dtype))
        undistorted = brown_conrady.undistort(distorted, tf.constant(distortion, dtype))
        _assert_close(undistorted, undistortion[:, 0, :, None] * distorted, dtype)

    def test_validity_matches_numpy(self):
        rng = np.random.default_rng(11)
        count = 4000
        distortion = rng.uniform([-0.6, -0.3, -0.02, -0.02, -0.2], [0.3, 0.3, 0.02, 0.02, 0.2], size=(count, 5))
        depth = rng.choice([-1.0, 1.0, 1.0, 1.0], size=(count, 1)) * rng.uniform(0.3, 2, size=(count, 1))
        point = np.concatenate([rng.uniform(-2, 2, size=(count, 2)), depth], -1)
        normalized = point[:, :2] / point[:, 2:]
        monotonic = ref.radially_monotonic(normalized, distortion, samples=1001)
        determinant = np.linalg.det(_numpy_jacobian(normalized, distortion))
        expected = (point[:, 2] > perspective.min_depth(tf.float64)) & monotonic & (determinant > 0)
        # Leave out points within rounding of the boundary of either criterion.
        clear = np.abs(determinant) > 1e-6
        clear &= ref.radially_monotonic(normalized * 0.999, distortion, samples=1001) == ref.radially_monotonic(
            normalized * 1.001, distortion, samples=1001
        )
        _, valid = brown_conrady.project_with_validity(point, [500.0, 500.0], [320.0, 240.0], distortion)
        assert 0.2 < expected.mean() < 0.8 and clear.mean() > 0.95
        np.testing.assert_array_equal(valid.numpy()[clear, 0], expected[clear])

    @all_dtypes
    def test_outside_the_valid_range_stays_finite(self, dtype):
        rng = np.random.default_rng(2)
        distorted = rng.uniform(-50, 50, size=(500, 2))
        distortion = rng.uniform(-2, 2, size=(500, 5))
        assert_finite_gradients(brown_conrady.undistort, *_as(dtype, distorted, distortion))
        point = np.concatenate([rng.uniform(-5, 5, size=(500, 2)), rng.uniform(-1, 1, size=(500, 1))], -1)
        focal, principal_point = np.array([500.0, 500.0]), np.array([320.0, 240.0])
        # Points at and near z = 0, whose normalized radius is clamped at 1000.
        point[:3] = [[0.3, 0.2, 0.0], [5.0, 5.0, 1e-30], [5.0, -5.0, -1e-9]]
        arguments = _as(dtype, point * [1, 1, 1e-3], focal, principal_point, distortion)
        assert_finite_gradients(brown_conrady.project, *arguments)
        assert_finite_gradients(lambda *args: brown_conrady.project_with_validity(*args)[0], *arguments)
        assert not np.any(brown_conrady.project_with_validity(*arguments)[1][:3])


def _numpy_jacobian(point, distortion, delta=1e-7):
    """Central-difference Jacobian `[..., 2, 2]` of the NumPy distortion."""
    columns = []
    for axis in range(2):
        step = np.zeros(2)
        step[axis] = delta
        columns.append((ref.distort(point + step, distortion) - ref.distort(point - step, distortion)) / (2 * delta))
    return np.stack(columns, axis=-1)


def _random_camera(batch=(3,), distortion=False, seed=0, dtype=tf.float64):
    kinds = ["rotation", "translation", "focal", "principal_point"] + (["distortion"] if distortion else [])
    values = _inputs(*kinds, batch=batch, seed=seed)
    return Camera(*_as(dtype, *values[:4]), 640, 480, *(_as(dtype, values[4]) if distortion else [])), values


class TestCamera:
    @all_dtypes
    @pytest.mark.parametrize("distorted", [False, True], ids=["pinhole", "distorted"])
    def test_project_unproject_and_rays_match_numpy(self, dtype, distorted):
        camera, values = _random_camera(distortion=distorted, dtype=dtype)
        rotation, translation, focal, principal_point = values[:4]
        point = _inputs("world_point", batch=(3,), seed=1)[0]
        in_camera = ref.world_to_camera(rotation, translation, point)
        normalized = in_camera[..., :2] / in_camera[..., 2:]
        if distorted:
            normalized = ref.distort(normalized, values[4])
        pixel = normalized * focal + principal_point
        point_t = tf.constant(point, dtype)
        _assert_close(camera.world_to_camera(point_t), in_camera, dtype)
        _assert_close(camera.project(point_t), pixel, dtype)
        projected, valid = camera.project_with_validity(point_t)
        np.testing.assert_array_equal(projected, camera.project(point_t))
        assert np.all(valid)
        depth = tf.constant(in_camera[..., 2:], dtype)
        _assert_close(camera.unproject(tf.constant(pixel, dtype), depth), point, dtype, scale=10.0)
        origin, direction = camera.rays(tf.constant(pixel, dtype))
        _assert_close(origin, ref.camera_to_world(rotation, translation, np.zeros(3)), dtype)
        _assert_close(origin + depth * direction, point, dtype, scale=10.0)

    def test_points_behind_the_camera_are_invalid(self):
        camera = Camera.from_look_at(
            np.array([0.0, 0.0, 5.0]), [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [500.0, 500.0], [320.0, 240.0], 640, 480
        )
        points = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 5.0], [0.3, 0.0, 6.0], [1.0, 1.0, -3.0]])
        pixel, valid = camera.project_with_validity(points)
        np.testing.assert_array_equal(valid[:, 0], [True, False, False, True])
        assert_all_finite(pixel)
        distorted = camera.replace(distortion=[-0.2, 0.05, 0.0, 0.0, 0.0])
        np.testing.assert_array_equal(distorted.project_with_validity(points)[1][:, 0], [True, False, False, True])

    def test_from_look_at(self):
        position = np.array([[1.0, 2.0, 3.0], [-4.0, 0.5, 0.0]])
        target = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
        up = np.array([0.0, 0.0, 1.0])
        camera = Camera.from_look_at(position, target, up, [500.0, 400.0], [320.0, 240.0], 640, 480)
        rotation = camera.rotation.numpy()
        identity = np.broadcast_to(np.eye(3), (2, 3, 3))
        np.testing.assert_allclose(rotation @ np.swapaxes(rotation, -1, -2), identity, atol=1e-12)
        np.testing.assert_allclose(np.linalg.det(rotation), 1.0)
        np.testing.assert_allclose(camera.position, position, atol=1e-12)
        np.testing.assert_allclose(camera.project(target), [[320.0, 240.0]] * 2, atol=1e-9)
        # Up in the world is up (smaller y) in the image; depth grows towards the target.
        above = camera.project(target + 0.1 * up)
        assert np.all(above[:, 1] < 240.0)
        np.testing.assert_allclose(camera.world_to_camera(target)[:, 2], np.linalg.norm(target - position, axis=-1))

    @pytest.mark.parametrize("distorted", [False, True], ids=["pinhole", "distorted"])
    def test_frustum_corners(self, distorted):
        camera, _ = _random_camera(batch=(2,), distortion=distorted)
        if distorted:
            # Milder lenses, whose valid range covers the image corners (radius about 1).
            camera = camera.replace(distortion=0.3 * camera.distortion)
        near, far = np.array([[0.5], [1.0]]), np.array([[4.0], [9.0]])
        corners = frustum_corners(camera, near, far)
        assert corners.shape == (2, 8, 3)
        np.testing.assert_array_equal(corners, camera.frustum_corners(near, far))
        pixels = camera[:, None].project(corners).numpy()
        image_corners = np.array([[-0.5, -0.5], [639.5, -0.5], [639.5, 479.5], [-0.5, 479.5]] * 2)
        np.testing.assert_allclose(pixels, np.broadcast_to(image_corners, pixels.shape), atol=1e-8)
        depths = camera[:, None].world_to_camera(corners).numpy()[..., 2]
        np.testing.assert_allclose(depths, np.concatenate([np.repeat(near, 4, 1), np.repeat(far, 4, 1)], 1))
        # near = 0 collapses the near rectangle onto the camera centre.
        pyramid = camera.frustum_corners(0.0, 1.0).numpy()
        np.testing.assert_allclose(pyramid[:, :4], np.repeat(camera.position.numpy()[:, None], 4, 1), atol=1e-12)
        assert FRUSTUM_EDGES.shape == (12, 2) and set(np.unique(FRUSTUM_EDGES)) == set(range(8))
        assert len({tuple(sorted(edge)) for edge in FRUSTUM_EDGES.tolist()}) == 12

    def test_batch_indexing_applies_each_camera_to_its_points(self):
        camera, _ = _random_camera(batch=(3,), distortion=True)
        points = _inputs("world_point", batch=(3, 7))[0]
        together = camera[:, None].project(points)
        assert together.shape == (3, 7, 2)
        for index in range(3):
            np.testing.assert_allclose(together[index], camera[index].project(points[index]), atol=1e-12)
        assert camera[1].batch_shape == () and camera[None].batch_shape == (1, 3)
        with pytest.raises(IndexError, match="too many indices"):
            camera[0, 0]

    def test_fields_broadcast_and_are_immutable(self):
        camera = Camera(np.eye(3), np.zeros((4, 3)), [500.0, 500.0], [320.0, 240.0], 640, 480)
        assert camera.batch_shape == (4,) and camera.rotation.shape == (4, 3, 3) and camera.dtype == tf.float64
        with pytest.raises(AttributeError, match="immutable"):
            camera.focal = None
        moved = camera.replace(translation=[0.0, 0.0, 1.0], focal=[[400.0, 400.0]])
        assert moved.batch_shape == (4,) and moved.focal.shape == (4, 2)
        np.testing.assert_array_equal(moved.translation, np.broadcast_to([0.0, 0.0, 1.0], (4, 3)))
        assert "width=640" in repr(camera)

    def test_bad_arguments_are_named(self):
        with pytest.raises(ValueError, match=r"^rotation must have shape \[A1, \.\.\., An, 3, 3\]"):
            Camera(np.eye(4), np.zeros(3), [1.0, 1.0], [0.0, 0.0], 640, 480)
        with pytest.raises(ValueError, match=r"^distortion must have shape \[A1, \.\.\., An, 5\]"):
            Camera(np.eye(3), np.zeros(3), [1.0, 1.0], [0.0, 0.0], 640, 480, np.zeros(4))
        with pytest.raises(ValueError, match="width must be a positive int"):
            Camera(np.eye(3), np.zeros(3), [1.0, 1.0], [0.0, 0.0], 640.0, 480)
        with pytest.raises(TypeError, match="focal must have dtype float64, got float32"):
            Camera(np.eye(3), np.zeros(3), tf.ones([2]), [0.0, 0.0], 640, 480)
        camera = Camera(np.eye(3), np.zeros((2, 3)), [1.0, 1.0], [0.0, 0.0], 640, 480)
        with pytest.raises(ValueError, match=r"batch dimensions .* of camera and point must be broadcast-compatible"):
            camera.project(np.zeros((3, 3)))
        with pytest.raises(ValueError, match=r"^point_2d must have shape"):
            camera.unproject(np.zeros((2, 3)), np.ones((2, 1)))
        with pytest.raises(TypeError, match="unknown Camera fields"):
            camera.replace(fov=1.0)

    def test_camera_passes_through_tf_function_with_unknown_batch(self):
        camera, _ = _random_camera(batch=(2,), distortion=True, dtype=tf.float32)
        specs = [tf.TensorSpec([None] + field.shape[1:].as_list(), tf.float32) for field in tf.nest.flatten(camera)]
        spec = Camera.__tf_unflatten__((640, 480, True), specs)
        points = tf.constant(_inputs("world_point", batch=(2,))[0], tf.float32)
        for jit_compile in (False, True):
            project = tf.function(
                lambda camera, point: camera.project_with_validity(point),
                input_signature=[spec, tf.TensorSpec([None, 3])],
                jit_compile=jit_compile,
            )
            pixel, valid = project(camera, points)
            np.testing.assert_allclose(pixel, camera.project(points), rtol=1e-5)
            assert valid.shape == (2, 1)
        identity = tf.function(lambda camera: camera)(camera)
        assert isinstance(identity, Camera) and identity.width == 640
        assert len(tf.nest.flatten(camera)) == 5


class TestRoundTripProperties:
    """Round trips on batches drawn by hypothesis, which favours 0 and the ends of the ranges."""

    @SETTINGS
    @given(
        hnp.arrays(np.float64, (16, 2), elements=st.floats(0, 640)),
        hnp.arrays(np.float64, (16, 1), elements=st.floats(1e-3, 1e3)),
        hnp.arrays(np.float64, (16, 2), elements=st.floats(1, 5000)),
        hnp.arrays(np.float64, (16, 2), elements=st.floats(0, 640)),
    )
    def test_pinhole_unproject_then_project(self, pixel, depth, focal, principal_point):
        point = perspective.unproject(pixel, depth, focal, principal_point)
        np.testing.assert_allclose(point[:, 2:], depth, rtol=1e-15)
        np.testing.assert_allclose(perspective.project(point, focal, principal_point), pixel, rtol=1e-12, atol=1e-9)

    @SETTINGS
    @given(
        # Up to radius 0.85, all lenses between DISTORTION_LOW and DISTORTION_HIGH are invertible
        # (at (0.75, 0.75) with all coefficients lowest, they no longer are).
        hnp.arrays(np.float64, (16, 2), elements=st.floats(-0.6, 0.6)),
        hnp.arrays(np.float64, (16, 5), elements=st.floats(-1, 1)),
    )
    def test_distort_then_undistort_in_the_valid_range(self, normalized, unit):
        distortion = ref.DISTORTION_LOW + (unit + 1) / 2 * (ref.DISTORTION_HIGH - ref.DISTORTION_LOW)
        distorted = brown_conrady.distort(normalized, distortion)
        np.testing.assert_allclose(distorted, ref.distort(normalized, distortion), atol=1e-15)
        np.testing.assert_allclose(brown_conrady.undistort(distorted, distortion), normalized, atol=1e-12)
        point = np.concatenate([normalized, np.ones((16, 1))], -1)
        _, valid = brown_conrady.project_with_validity(point, [500.0, 500.0], [320.0, 240.0], distortion)
        assert np.all(valid)

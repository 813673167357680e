"""Values of graphics_ops.image against float64 NumPy/SciPy references, and degenerate inputs."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from graphics_ops.image import matting, pyramid, transformer
from graphics_ops.image.color_space import linear_rgb, srgb
from tests.graphics_ops.testing import assert_all_finite, weighted_gradients

RNG = np.random.default_rng(11)
BINOMIAL = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0


def _same_padding(size):
    """Top padding and output size of a stride-2, 5-tap "SAME" convolution over `size` samples."""
    out = -(-size // 2)
    return max((out - 1) * 2 + 5 - size, 0) // 2, out


def _downsample_reference(image):
    """Zero-padded 5x5 binomial filter, every other pixel, in float64 loops."""
    batch, height, width, channels = image.shape
    (top, out_h), (left, out_w) = _same_padding(height), _same_padding(width)
    padded = np.zeros((batch, 2 * out_h + 4, 2 * out_w + 4, channels))
    padded[:, top : top + height, left : left + width] = image
    result = np.zeros((batch, out_h, out_w, channels))
    for a in range(5):
        for b in range(5):
            result += BINOMIAL[a, b] * padded[:, a : a + 2 * out_h : 2, b : b + 2 * out_w : 2]
    return result


def _upsample_reference(image, height, width):
    """4 times the adjoint of `_downsample_reference` for a `height` x `width` image."""
    batch, out_h, out_w, channels = image.shape
    top, left = _same_padding(height)[0], _same_padding(width)[0]
    padded = np.zeros((batch, 2 * out_h + 4, 2 * out_w + 4, channels))
    for a in range(5):
        for b in range(5):
            padded[:, a : a + 2 * out_h : 2, b : b + 2 * out_w : 2] += 4.0 * BINOMIAL[a, b] * image
    return padded[:, top : top + height, left : left + width]


class TestPyramid:
    @pytest.mark.parametrize("height, width", [(8, 8), (13, 10), (5, 3)])
    def test_levels_match_the_reference(self, height, width):
        image = RNG.uniform(size=(2, height, width, 3))
        levels = pyramid.downsample(image, 2)
        np.testing.assert_array_equal(levels[0], image)
        np.testing.assert_allclose(levels[1], _downsample_reference(image), atol=1e-12)
        np.testing.assert_allclose(levels[2], _downsample_reference(_downsample_reference(image)), atol=1e-12)
        low = levels[1].numpy()
        up = pyramid.upsample(low, 1)[1].numpy()
        np.testing.assert_allclose(up, _upsample_reference(low, 2 * low.shape[1], 2 * low.shape[2]), atol=1e-12)
        split = pyramid.split(image, 1)
        np.testing.assert_allclose(split[0], image - _upsample_reference(low, height, width), atol=1e-12)
        np.testing.assert_allclose(split[1], low, atol=1e-12)

    def test_upsample_is_four_times_the_adjoint_of_downsample(self):
        image, coarse = RNG.normal(size=(1, 9, 7, 2)), RNG.normal(size=(1, 5, 4, 2))
        down = pyramid.downsample(image, 1)[1].numpy()
        up = pyramid.merge([np.zeros_like(image), coarse]).numpy()
        np.testing.assert_allclose(np.sum(down * coarse) * 4.0, np.sum(image * up), rtol=1e-12)

    @pytest.mark.parametrize("jit_compile", [False, True])
    def test_gradients_are_the_adjoint_filters(self, jit_compile):
        image, weights = tf.constant(RNG.normal(size=(1, 9, 6, 2))), RNG.normal(size=(1, 5, 3, 2))

        @tf.function(jit_compile=jit_compile)
        def gradient(image):
            with tf.GradientTape() as tape:
                tape.watch(image)
                total = tf.reduce_sum(pyramid.downsample(image, 1)[1] * weights)
            return tape.gradient(total, image)

        np.testing.assert_allclose(gradient(image), _upsample_reference(weights, 9, 6) / 4.0, atol=1e-12)

    def test_merge_inverts_split_exactly(self):
        image = RNG.uniform(size=(2, 23, 17, 3))
        levels = pyramid.split(image, 4)
        assert [level.shape[1:3] for level in levels] == [(23, 17), (12, 9), (6, 5), (3, 3), (2, 2)]
        np.testing.assert_allclose(pyramid.merge(levels), image, atol=1e-12)

    def test_constant_interior_is_kept_and_zero_levels_are_the_image(self):
        levels = pyramid.downsample(np.ones((1, 16, 16, 1)), 1)
        np.testing.assert_allclose(levels[1][0, 1:-1, 1:-1], 1.0, atol=1e-15)
        image = RNG.uniform(size=(1, 4, 4, 1))
        assert len(pyramid.split(image, 0)) == 1
        np.testing.assert_array_equal(pyramid.merge(pyramid.split(image, 0)), image)


def _map_coordinates(image, warp, order, mode):
    """scipy.ndimage at integer-centred `[x, y]` positions, per batch and channel."""
    return np.stack(
        [
            np.stack(
                [
                    ndimage.map_coordinates(
                        image[b, ..., c], [warp[b, ..., 1], warp[b, ..., 0]], order=order, mode=mode
                    )
                    for c in range(image.shape[-1])
                ],
                -1,
            )
            for b in range(image.shape[0])
        ]
    )


BORDERS = [(transformer.BorderType.ZERO, "grid-constant"), (transformer.BorderType.DUPLICATE, "nearest")]


class TestSample:
    @pytest.mark.parametrize("border, mode", BORDERS)
    @pytest.mark.parametrize("pixel", [transformer.PixelType.INTEGER, transformer.PixelType.HALF_INTEGER])
    def test_bilinear_matches_scipy(self, border, mode, pixel):
        image = RNG.uniform(size=(2, 6, 7, 3))
        warp = RNG.uniform(-3, 10, size=(2, 5, 4, 2))
        result = transformer.sample(image, warp, border_type=border, pixel_type=pixel).numpy()
        shift = 0.5 if pixel == transformer.PixelType.HALF_INTEGER else 0.0
        np.testing.assert_allclose(result, _map_coordinates(image, warp - shift, 1, mode), atol=1e-12)

    @pytest.mark.parametrize("border, mode", BORDERS)
    def test_nearest_reads_the_pixel_containing_the_point(self, border, mode):
        image = RNG.uniform(size=(1, 5, 6, 2))
        warp = RNG.uniform(-3, 9, size=(1, 40, 2))
        warp[0, :4] = [[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [0.0, 0.0]]  # pixel borders: halves round up
        result = transformer.sample(image, warp, resampling_type=transformer.ResamplingType.NEAREST, border_type=border)
        np.testing.assert_array_equal(result, _map_coordinates(image, np.floor(warp), 0, mode))

    def test_single_pixel_images_and_non_finite_warps(self):
        image = np.full((1, 1, 1, 2), 3.0)
        warp = np.array([[[0.5, 0.5], [4.0, -2.0]]])
        duplicate = transformer.sample(image, warp, border_type=transformer.BorderType.DUPLICATE)
        np.testing.assert_allclose(duplicate, 3.0)
        bad = np.array([[[np.nan, 0.5], [np.inf, 0.5], [0.5, -np.inf]]])
        np.testing.assert_array_equal(transformer.sample(image, bad), 0.0)

    def test_sizes_may_be_unknown_when_traced(self):
        image, warp = RNG.uniform(size=(2, 6, 7, 3)), RNG.uniform(-1, 8, size=(2, 9, 2))
        traced = tf.function(
            transformer.sample,
            input_signature=[
                tf.TensorSpec([None, None, None, 3], tf.float64),
                tf.TensorSpec([None, None, 2], tf.float64),
            ],
        )
        np.testing.assert_allclose(traced(image, warp), transformer.sample(image, warp), atol=1e-12)


class TestPerspectiveTransform:
    @pytest.mark.parametrize("pixel", [transformer.PixelType.INTEGER, transformer.PixelType.HALF_INTEGER])
    def test_identity_and_integer_shifts(self, pixel):
        image = RNG.uniform(size=(2, 5, 6, 3))
        identity = np.tile(np.eye(3), (2, 1, 1))
        np.testing.assert_allclose(
            transformer.perspective_transform(image, identity, pixel_type=pixel), image, atol=1e-12
        )
        shift = identity.copy()
        shift[:, 0, 2], shift[:, 1, 2] = 2.0, -1.0  # output (x, y) reads input (x + 2, y - 1)
        result = transformer.perspective_transform(image, shift, pixel_type=pixel).numpy()
        np.testing.assert_allclose(result[:, 1:, :-2], image[:, :-1, 2:], atol=1e-12)
        np.testing.assert_array_equal(result[:, 0], 0.0)
        np.testing.assert_array_equal(result[:, :, -2:], 0.0)

    def test_matches_sampling_at_projected_points(self):
        image = RNG.uniform(size=(1, 6, 8, 2))
        matrix = np.array([[[0.9, 0.1, 0.7], [-0.05, 1.1, 0.2], [0.02, -0.01, 1.0]]])
        result = transformer.perspective_transform(image, matrix, output_shape=(4, 5)).numpy()
        x, y = np.meshgrid(np.arange(5) + 0.5, np.arange(4) + 0.5)
        projected = np.einsum("ij,hwj->hwi", matrix[0], np.stack([x, y, np.ones_like(x)], -1))
        warp = projected[..., :2] / projected[..., 2:]
        np.testing.assert_allclose(result, _map_coordinates(image, warp[None] - 0.5, 1, "grid-constant"), atol=1e-12)

    def test_points_at_infinity_read_outside_with_finite_gradients(self):
        image = RNG.uniform(size=(1, 4, 4, 1))
        matrix = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]])  # k = 0 everywhere
        np.testing.assert_array_equal(transformer.perspective_transform(image, matrix), 0.0)
        assert_all_finite(*weighted_gradients(transformer.perspective_transform, image, matrix))


def _srgb_to_linear(values):
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


class TestColorSpace:
    def test_match_the_standard_and_invert_each_other(self):
        values = np.concatenate([RNG.uniform(size=(100, 3)), [[0.0, 0.04045, 1.0], [0.003, 0.0031308, 0.5]]])
        linear = linear_rgb.from_srgb(values).numpy()
        np.testing.assert_allclose(linear, _srgb_to_linear(values), atol=1e-12)
        # The standard's knees (0.04045 and 0.0031308) disagree by 3e-8, so round trips only match that well.
        np.testing.assert_allclose(srgb.from_linear_rgb(linear), values, atol=5e-8)
        np.testing.assert_allclose(linear_rgb.from_srgb(srgb.from_linear_rgb(values)), values, atol=5e-8)

    def test_gradients_are_finite_at_black_and_outside_the_range(self):
        # TensorFlow Graphics' from_linear_rgb has a nan gradient at 0, its from_srgb below -0.055.
        values = np.array([[0.0, -0.2, 1.5], [0.0, 0.0, 0.0]])
        for function, slope in ((srgb.from_linear_rgb, 12.92), (linear_rgb.from_srgb, 1 / 12.92)):
            with tf.GradientTape() as tape:
                tensor = tf.constant(values)
                tape.watch(tensor)
                result = function(tensor)
            gradient = tape.gradient(result, tensor).numpy()
            assert_all_finite(result, gradient)
            np.testing.assert_allclose(gradient[1], slope)


def _levin_window_laplacian(window, eps):
    """Levin et al.'s closed form for one window's Laplacian: [size², size²]."""
    pixels, channels = window.shape
    mean = window.mean(0)
    centred = window - mean
    covariance = centred.T @ centred / pixels
    inverse = np.linalg.inv(covariance + eps / pixels * np.eye(channels))
    return np.eye(pixels) - (1.0 + centred @ inverse @ centred.T) / pixels


class TestMatting:
    @pytest.mark.parametrize("size", [3, 5])
    def test_laplacian_and_loss_match_levins_closed_form(self, size):
        image, matte = RNG.uniform(size=(2, 7, 8, 3)), RNG.uniform(size=(2, 7, 8, 1))
        eps = 1e-4
        laplacian, pseudo_inverse = matting.build_matrices(image, size, eps)
        pad = size - 1
        assert laplacian.shape == (2, 7 - pad, 8 - pad, size**2, size**2)
        assert pseudo_inverse.shape == (2, 7 - pad, 8 - pad, 4, size**2)
        height, width = 7 - pad, 8 - pad
        total = 0.0
        for b in range(2):
            full = np.zeros((56, 56))
            for i in range(height):
                for j in range(width):
                    window = image[b, i : i + size, j : j + size].reshape(-1, 3)
                    expected = _levin_window_laplacian(window, eps)
                    np.testing.assert_allclose(laplacian[b, i, j], expected, atol=1e-8)
                    index = ((i + np.arange(size))[:, None] * 8 + (j + np.arange(size))[None]).ravel()
                    full[np.ix_(index, index)] += expected
            total += matte[b].ravel() @ full @ matte[b].ravel()
        np.testing.assert_allclose(matting.loss(matte, laplacian), total / (2 * height * width), rtol=1e-8)

    def test_affine_mattes_are_recovered(self):
        image = RNG.uniform(size=(1, 6, 7, 3))
        a, b = np.array([0.5, -0.3, 0.8]), 0.1
        matte = image @ a[:, None] + b
        laplacian, pseudo_inverse = matting.build_matrices(image, 3, 1e-9)
        assert matting.loss(matte, laplacian) < 1e-8
        coeff_mul, coeff_add = matting.linear_coefficients(matte, pseudo_inverse)
        np.testing.assert_allclose(coeff_mul, np.broadcast_to(a, (1, 6, 7, 3)), atol=1e-5)
        np.testing.assert_allclose(coeff_add, b, atol=1e-5)
        np.testing.assert_allclose(matting.reconstruct(image, coeff_mul, coeff_add), matte, atol=1e-6)

    def test_coefficients_are_window_averages(self):
        image, matte = RNG.uniform(size=(1, 5, 6, 2)), RNG.uniform(size=(1, 5, 6, 1))
        _, pseudo_inverse = matting.build_matrices(image, 3, 1e-3)
        coeff_mul, coeff_add = matting.linear_coefficients(matte, pseudo_inverse)
        windows = np.zeros((5, 6, 3))
        counts = np.zeros((5, 6, 1))
        for i in range(3):
            for j in range(4):
                coefficients = pseudo_inverse[0, i, j].numpy() @ matte[0, i : i + 3, j : j + 3].ravel()
                windows[i : i + 3, j : j + 3] += coefficients
                counts[i : i + 3, j : j + 3] += 1
        expected = windows / counts
        np.testing.assert_allclose(coeff_mul[0], expected[..., :2], atol=1e-10)
        np.testing.assert_allclose(coeff_add[0], expected[..., 2:], atol=1e-10)

    def test_constant_windows_stay_finite(self):
        # A flat image makes A_wᵀ A_w singular; eps keeps the system positive definite.
        laplacian, pseudo_inverse = matting.build_matrices(np.full((1, 4, 4, 3), 0.5), 3, 1e-7)
        assert_all_finite(laplacian, pseudo_inverse)
        np.testing.assert_allclose(matting.loss(np.full((1, 4, 4, 1), 0.7), laplacian), 0.0, atol=1e-9)

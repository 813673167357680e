"""Values of point, directional and ambient lights against float64 NumPy references, and singular inputs."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.lighting import ambient_light, directional_light, point_light
from graphics_ops.reflectance import ggx, lambertian, phong
from graphics_ops.util import safe_ops
from tests.graphics_ops import shading_testing as ref
from tests.graphics_ops.testing import ATOL, all_dtypes, assert_finite_gradients, weighted_gradients

COUNT = 256


def _scene(seed=0, count=COUNT):
    """Surface points with unit normals, lights on both sides of them and observers on both sides."""
    rng = np.random.default_rng(seed)
    surface = rng.normal(size=(count, 3))
    normal = ref.random_unit(rng, (count,))
    light = surface + 3.0 * rng.normal(size=(count, 3))
    observer = surface + 3.0 * rng.normal(size=(count, 3))
    power = rng.uniform(1.0, 10.0, (count, 3))
    return power, light, surface, normal, observer


def _cast(dtype, *arrays):
    return [tf.constant(array, dtype) for array in arrays]


def _lambert(albedo):
    return lambda incoming, outgoing, normal: lambertian.brdf(incoming, outgoing, normal, albedo)


class TestPointLight:
    @all_dtypes
    @pytest.mark.parametrize("fall_off", [False, True])
    def test_matches_tensorflow_graphics_formula(self, dtype, fall_off):
        """Lights [B] and surface points [A] give every pair [A, B]; per-point BRDF parameters get a light axis."""
        power, light, surface, normal, observer = _scene(count=64)
        rng = np.random.default_rng(1)
        albedo, shininess = rng.uniform(size=(64, 1, 3)), rng.uniform(1.0, 20.0, (64, 1, 1))

        def reference_brdf(incoming, outgoing, normal_):
            diffuse = ref.lambertian(incoming, outgoing, normal_, albedo)
            return diffuse + ref.phong(incoming, outgoing, normal_, shininess, albedo)

        def brdf(incoming, outgoing, normal_):
            albedo_, shininess_ = _cast(dtype, albedo, shininess)
            return lambertian.brdf(incoming, outgoing, normal_, albedo_) + phong.brdf(
                incoming, outgoing, normal_, shininess_, albedo_
            )

        expected = ref.point_light(
            power[None], light[None], surface[:, None], normal[:, None], observer[:, None], reference_brdf, fall_off
        )
        assert 0.3 < np.mean(expected == 0) < 0.9  # lights or observers below the surface
        actual = point_light.estimate_radiance(
            *_cast(dtype, power, light, surface, normal, observer), brdf, reflected_light_fall_off=fall_off
        )
        np.testing.assert_allclose(actual, expected, rtol=5e-5 if dtype == tf.float32 else 1e-12, atol=ATOL[dtype])

    def test_incoming_light_is_inverse_square(self):
        light = np.array([[0.0, 0.0, 2.0], [1.0, 1.0, 1.0]])
        direction, irradiance = point_light.incoming_light([[4.0 * np.pi], [8.0 * np.pi]], light, np.zeros((5, 3)))
        assert direction.shape == (5, 2, 3) and irradiance.shape == (5, 2, 1)
        np.testing.assert_allclose(direction[0], -light / np.linalg.norm(light, axis=-1, keepdims=True), rtol=1e-15)
        np.testing.assert_allclose(irradiance[0, :, 0], [1.0 / 4.0, 8.0 / 12.0], rtol=1e-15)

    def test_estimate_radiance_is_incoming_light_times_brdf_and_cosine(self):
        power, light, surface, normal, observer = _scene(2, 16)
        brdf = _lambert(np.array([0.3, 0.6, 0.9]))
        direction, irradiance = point_light.incoming_light(power[:4], light[:4], surface)
        radiance = point_light.estimate_radiance(power[:4], light[:4], surface, normal, observer, brdf)
        outgoing = ref.unit(observer - surface)[:, None]
        cosine = np.sum(-direction * normal[:, None], -1, keepdims=True)
        below = (cosine < 0) | (np.sum(outgoing * normal[:, None], -1, keepdims=True) < 0)
        expected = np.where(below, 0.0, irradiance * brdf(direction, outgoing, normal[:, None]) * cosine)
        np.testing.assert_allclose(radiance, expected, rtol=1e-13)

    @all_dtypes
    def test_light_at_the_surface_point_gives_zero_with_finite_gradients(self, dtype):
        normal, observer = np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0])
        for surface, light in [
            (np.zeros(3), np.zeros(3)),  # exactly at the point
            (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),
            (np.zeros(3), np.array([0.0, 0.0, 0.1 * safe_ops.tiny(dtype)])),  # closer than tiny
        ]:
            inputs = _cast(dtype, np.ones(3), light, surface, normal, observer)

            def function(*args):
                return point_light.estimate_radiance(*args, brdf=_ggx_material(dtype))

            np.testing.assert_array_equal(function(*inputs), 0.0)
            assert_finite_gradients(function, *inputs)
            _, irradiance = point_light.incoming_light(*inputs[:3])
            np.testing.assert_array_equal(irradiance, 0.0)
            assert_finite_gradients(point_light.incoming_light, *inputs[:3])

    @all_dtypes
    def test_grazing_and_back_facing_light_give_exactly_zero(self, dtype):
        surface, normal, observer = np.zeros(3), np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0])
        # Along the surface (twice), below it (twice), above it.
        light = np.array([[2.0, 0.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, -2.0], [1.0, 1.0, -1e-9], [0.0, 0.0, 2.0]])
        inputs = _cast(dtype, np.ones(3), light, surface, normal, observer)

        def function(*args):
            return point_light.estimate_radiance(*args, brdf=_ggx_material(dtype))

        values = function(*inputs).numpy()
        assert values.shape == (5, 3)
        np.testing.assert_array_equal(values[:4], 0.0)
        assert np.all(values[4] > 0)
        assert_finite_gradients(function, *inputs)
        # The lights below the surface have zero gradients.
        for gradient in weighted_gradients(function, inputs[0], inputs[1][2:4], *inputs[2:]):
            np.testing.assert_array_equal(gradient, 0.0)

    def test_observer_at_the_surface_point_or_below_it(self):
        """Finite values and gradients; 0 from below, and 0 at the point when the reflected light falls off."""
        surface, normal, light = np.zeros(3), np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 2.0])
        observers = tf.constant([[0.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, -1.0, 1.0]], tf.float64)
        for fall_off in (False, True):

            def function(observer):
                brdf = _lambert(np.ones(3))
                return point_light.estimate_radiance(
                    np.ones(3), light, surface, normal, observer, brdf, reflected_light_fall_off=fall_off
                )

            values = function(observers).numpy()
            np.testing.assert_array_equal(values[1], 0.0)
            assert np.all(values[2] > 0.0)
            assert_finite_gradients(function, observers)
            if fall_off:
                np.testing.assert_array_equal(values[0], 0.0)


def _ggx_material(dtype):
    def brdf(incoming, outgoing, normal):
        material = _cast(dtype, [0.9, 0.6, 0.3], [0.2], [0.4])
        return ggx.brdf(incoming, outgoing, normal, *material)

    return brdf


class TestDirectionalLight:
    @all_dtypes
    def test_matches_reference(self, dtype):
        rng = np.random.default_rng(3)
        _, _, surface, normal, observer = _scene(3, 64)
        direction = ref.random_unit(rng, (4,)) * rng.uniform(0.5, 2.0, (4, 1))  # any nonzero length
        irradiance = rng.uniform(0.5, 2.0, (4, 3))
        albedo = np.array([0.2, 0.4, 0.8])
        radiance = directional_light.estimate_radiance(
            *_cast(dtype, irradiance, direction, surface, normal, observer), _lambert(tf.constant(albedo, dtype))
        )
        assert radiance.shape == (64, 4, 3)
        incoming = ref.unit(direction)[None]
        outgoing = ref.unit(observer - surface)[:, None]
        cosine = np.sum(-incoming * normal[:, None], -1, keepdims=True)
        visible = (cosine >= 0) & (np.sum(outgoing * normal[:, None], -1, keepdims=True) >= 0)
        expected = np.where(visible, irradiance * albedo / np.pi * cosine, 0.0)
        assert 0 < np.mean(visible) < 1
        np.testing.assert_allclose(radiance, expected, rtol=2e-6 if dtype == tf.float32 else 1e-13, atol=ATOL[dtype])
        incoming_direction, incoming_irradiance = directional_light.incoming_light(irradiance, direction, surface)
        np.testing.assert_allclose(incoming_direction, np.broadcast_to(incoming, (64, 4, 3)), atol=ATOL[dtype])
        np.testing.assert_allclose(incoming_irradiance, np.broadcast_to(irradiance, (64, 4, 3)), rtol=1e-6)

    def test_grazing_back_facing_and_zero_direction_give_exactly_zero(self):
        directions = tf.constant([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]])
        surface, normal = np.zeros(3, np.float32), np.array([0.0, 0.0, 1.0], np.float32)
        observer = np.ones(3, np.float32)

        def function(d):
            return directional_light.estimate_radiance(
                np.ones(3, np.float32), d, surface, normal, observer, _ggx_material(tf.float32)
            )

        values = function(directions).numpy()
        np.testing.assert_array_equal(values[:3], 0.0)
        assert np.all(values[3] > 0)
        assert_finite_gradients(function, directions)
        _, irradiance = directional_light.incoming_light(np.ones(3, np.float32), directions, surface)
        np.testing.assert_array_equal(irradiance.numpy()[2], 0.0)


class TestAmbientLight:
    def test_lambertian_reflection_of_uniform_radiance(self):
        """albedo * L: the Lambertian BRDF times L cos θ integrated over the hemisphere."""
        directions, weights = ref.hemisphere_quadrature(16, 8)
        albedo = np.array([0.2, 0.5, 1.0])
        integral = np.sum(
            ref.lambertian(-directions, np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, 1.0]), albedo)
            * 2.0
            * directions[:, 2:]
            * weights[:, None],
            axis=0,
        )
        np.testing.assert_allclose(ambient_light.estimate_radiance([2.0, 2.0, 2.0], albedo), integral, rtol=1e-12)

    def test_shapes(self):
        radiance = ambient_light.estimate_radiance(np.ones((2, 3)), np.ones((5, 4, 3)))
        assert radiance.shape == (5, 4, 2, 3)
        with pytest.raises(ValueError, match=r"dimension K must agree: light_radiance has K=3, albedo has K=4"):
            ambient_light.estimate_radiance(np.ones(3), np.ones(4))

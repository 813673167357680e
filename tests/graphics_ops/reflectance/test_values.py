"""Values of graphics_ops.reflectance against float64 NumPy references, energy bounds and singular inputs."""

import pathlib
import re

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.reflectance import blinn_phong, ggx, lambertian, phong
from tests.graphics_ops import shading_testing as ref
from tests.graphics_ops.testing import ATOL, all_dtypes, assert_all_finite, assert_finite_gradients, weighted_gradients

COUNT = 512
THREE_LUT = pathlib.Path(__file__).parents[3] / "frontend/node_modules/three/src/renderers/shaders/DFGLUTData.js"


@pytest.fixture
def frames():
    """Random frames, a quarter of them with the light or the view below the surface."""
    return ref.random_shading_frames(np.random.default_rng(5), COUNT, below_fraction=0.25)


def _cast(dtype, *arrays):
    return [tf.constant(array, dtype) for array in arrays]


def _rtol(dtype):
    return 2e-5 if dtype == tf.float32 else 1e-12


class TestAgainstReferences:
    @all_dtypes
    def test_lambertian(self, frames, dtype):
        albedo = np.array([0.2, 0.5, 0.9])  # one albedo shared by the batch
        expected = ref.lambertian(*frames, albedo)
        assert np.any(expected == 0) and np.any(expected > 0)
        np.testing.assert_allclose(lambertian.brdf(*_cast(dtype, *frames, albedo)), expected, atol=ATOL[dtype])

    @all_dtypes
    @pytest.mark.parametrize("normalize", [True, False])
    @pytest.mark.parametrize("module,reference", [(phong, ref.phong), (blinn_phong, ref.blinn_phong)])
    def test_phong_models(self, frames, dtype, normalize, module, reference):
        rng = np.random.default_rng(2)
        shininess, albedo = rng.uniform(0.0, 40.0, (COUNT, 1)), rng.uniform(size=(COUNT, 3))
        expected = reference(*frames, shininess, albedo, normalize)
        actual = module.brdf(*_cast(dtype, *frames, shininess, albedo), brdf_normalization=normalize)
        np.testing.assert_allclose(actual, expected, rtol=_rtol(dtype), atol=ATOL[dtype])

    @all_dtypes
    def test_ggx_is_gltf_appendix_b_with_height_correlated_visibility(self, frames, dtype):
        rng = np.random.default_rng(3)
        base = rng.uniform(size=(COUNT, 3))
        metallic = rng.choice([0.0, 1.0, 0.3, 0.7], size=(COUNT, 1))
        roughness = rng.uniform(0.05, 1.0, (COUNT, 1))
        expected = ref.ggx(*frames, base, metallic, roughness)
        actual = ggx.brdf(*_cast(dtype, *frames, base, metallic, roughness))
        np.testing.assert_allclose(actual, expected, rtol=10 * _rtol(dtype), atol=ATOL[dtype])

    @all_dtypes
    def test_ggx_terms(self, dtype):
        rng = np.random.default_rng(4)
        cos_l, cos_v, cos_h = rng.uniform(0.01, 1.0, (3, COUNT, 1))
        roughness, f0 = rng.uniform(0.05, 1.0, (COUNT, 1)), rng.uniform(size=(COUNT, 3))
        alpha = roughness**2
        rtol = 10 * _rtol(dtype)
        np.testing.assert_allclose(
            ggx.distribution(*_cast(dtype, cos_h, roughness)), ref.ggx_distribution(cos_h, alpha), rtol=rtol
        )
        for correlated, reference in ((True, ref.smith_correlated_visibility), (False, ref.smith_separable_visibility)):
            actual = ggx.visibility(*_cast(dtype, cos_l, cos_v, roughness), height_correlated=correlated)
            np.testing.assert_allclose(actual, reference(cos_l, cos_v, alpha), rtol=rtol)
        np.testing.assert_allclose(ggx.fresnel_schlick(*_cast(dtype, f0, cos_h)), ref.schlick(f0, cos_h), rtol=rtol)

    def test_distribution_is_normalized(self):
        """∫ D(h) (n·h) dω_h = 1 over the hemisphere, by Gauss-Legendre quadrature in n·h."""
        directions, weights = ref.hemisphere_quadrature(400, 1)
        for roughness in (0.2, 0.5, 1.0):
            density = ggx.distribution(directions[:, 2:], np.full((len(weights), 1), roughness)).numpy()[:, 0]
            assert abs(np.sum(density * directions[:, 2] * weights) - 1.0) < 1e-6

    def test_ggx_reduces_to_pure_dielectric_and_pure_metal(self, frames):
        base = np.random.default_rng(6).uniform(size=(COUNT, 3))
        n_l, n_v, n_h, v_h, alpha = ref.ggx_terms(*frames, 0.5)
        specular = ref.ggx_distribution(n_h, alpha) * ref.smith_correlated_visibility(n_l, n_v, alpha)
        mask = ref.above(*frames)
        metal = ggx.brdf(*frames, base, np.ones((1,)), np.full((1,), 0.5))
        np.testing.assert_allclose(metal, np.where(mask, ref.schlick(base, v_h) * specular, 0.0), rtol=1e-12)
        dielectric = ggx.brdf(*frames, base, np.zeros((1,)), np.full((1,), 0.5))
        fresnel = ref.schlick(0.04, v_h)
        expected = np.where(mask, fresnel * specular + (1.0 - fresnel) * base / np.pi, 0.0)
        np.testing.assert_allclose(dielectric, expected, rtol=1e-12)

    def test_tensorflow_graphics_conventions(self):
        """Light from +z toward the surface (-z), normal +z, view along the mirror direction."""
        normal = np.array([0.0, 0.0, 1.0])
        incoming = ref.unit(np.array([1.0, 0.0, -1.0]))
        mirror = ref.unit(np.array([1.0, 0.0, 1.0]))
        albedo = np.array([1.0, 0.5, 0.25])
        np.testing.assert_allclose(lambertian.brdf(incoming, mirror, normal, albedo), albedo / np.pi, rtol=1e-15)
        normalized = phong.brdf(incoming, mirror, normal, [3.0], albedo)
        np.testing.assert_allclose(normalized, albedo * 5 / (2 * np.pi), rtol=1e-15)
        np.testing.assert_allclose(phong.brdf(incoming, mirror, normal, [3.0], albedo, False), albedo, rtol=1e-15)
        np.testing.assert_allclose(blinn_phong.brdf(incoming, mirror, normal, [7.0], albedo, False), albedo, rtol=1e-15)
        # The light coming from below: 0.
        np.testing.assert_array_equal(lambertian.brdf(-incoming, mirror, normal, albedo), np.zeros(3))


class TestClampsAndSingularInputs:
    @all_dtypes
    @pytest.mark.parametrize("module", [lambertian, phong, blinn_phong, ggx])
    def test_grazing_back_facing_and_zero_vectors_are_finite(self, module, dtype):
        normal = np.array([0.0, 0.0, 1.0])
        along = np.array([1.0, 0.0, 0.0])
        up = np.array([0.0, 0.6, 0.8])
        cases = np.array(
            [
                [-up, up, normal],  # regular
                [along, up, normal],  # grazing light
                [-up, along, normal],  # grazing view
                [along, along, normal],  # both grazing: light and view opposite, zero half vector
                [-along, along, normal],  # both grazing, mirror
                [up, up, normal],  # light from below
                [-up, -up, normal],  # view from below
                [-normal, normal, normal],  # normal incidence: mirror direction exactly
                [np.zeros(3), up, normal],  # zero-length light
                [-up, np.zeros(3), normal],  # zero-length view
                [-up, up, np.zeros(3)],  # zero-length normal
            ]
        )
        incoming, outgoing, normals = [tf.constant(cases[:, k], dtype) for k in range(3)]
        count = len(cases)
        color = tf.constant(np.full((count, 3), 0.5), dtype)
        shininess = tf.constant(np.tile([[0.0], [0.5], [1.0], [20.0]], (3, 1))[:count], dtype)
        metallic = tf.constant(np.full((count, 1), 0.5), dtype)
        roughness = tf.constant(np.tile([[0.0], [0.5]], (6, 1))[:count], dtype)
        extra = {
            lambertian: [color],
            phong: [shininess, color],
            blinn_phong: [shininess, color],
            ggx: [color, metallic, roughness],
        }[module]
        values = module.brdf(incoming, outgoing, normals, *extra).numpy()
        assert_finite_gradients(module.brdf, incoming, outgoing, normals, *extra)
        # Below the surface: exactly 0, with zero gradients.
        np.testing.assert_array_equal(values[5:7], 0.0)
        assert np.all(values[:5] >= 0.0)

    def test_back_facing_light_has_zero_gradients(self):
        normal, light, view = np.array([[0.0, 0.0, 1.0]]), np.array([[0.0, 0.6, 0.8]]), np.array([[0.0, 0.6, 0.8]])
        inputs = [tf.constant(a, tf.float64) for a in (light, view, normal, [[0.8, 0.5, 0.2]], [[0.5]], [[0.5]])]
        for gradient in weighted_gradients(ggx.brdf, *inputs):
            np.testing.assert_array_equal(gradient, 0.0)

    def test_phong_power_at_the_edge_of_the_lobe(self):
        """cos α = 0 exactly: 0 ** s is 0 (1 for s = 0), with zero gradients w.r.t. s, where pow gives nan."""
        normal = np.array([0.0, 0.0, 1.0])
        incoming = ref.unit(np.array([1.0, 0.0, -1.0]))
        view = ref.unit(np.array([-1.0, 0.0, 1.0]))  # orthogonal to the mirror direction
        shininess = tf.constant([[0.0], [0.5], [2.0]], tf.float64)
        values = phong.brdf(incoming, view, normal, shininess, [1.0, 1.0, 1.0], brdf_normalization=False)
        np.testing.assert_allclose(values[:, 0], [1.0, 0.0, 0.0], atol=1e-7)
        with tf.GradientTape() as tape:
            tape.watch(shininess)
            value = phong.brdf(incoming, view, normal, shininess, [1.0, 1.0, 1.0])
        assert_all_finite(tape.gradient(value, shininess))

    @pytest.mark.parametrize("roughness", [0.0, 1e-9, 0.02])
    def test_roughness_is_clamped_at_the_documented_minimum(self, roughness):
        frames = ref.random_shading_frames(np.random.default_rng(8), 64)
        base = np.full((64, 3), 0.9)
        at_minimum = ggx.brdf(*frames, base, [1.0], [ggx.MINIMUM_ROUGHNESS])
        rough = tf.constant([roughness], tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(rough)
            value = ggx.brdf(*frames, base, [1.0], rough)
        np.testing.assert_allclose(value, at_minimum, rtol=1e-6)
        assert tape.gradient(value, rough).numpy() == 0.0
        assert ggx.MINIMUM_ROUGHNESS == 0.045  # three.js 0.187's minimum (lights_physical_fragment)

    def test_peak_at_minimum_roughness_is_finite_in_float32(self):
        normal = np.array([0.0, 0.0, 1.0], np.float32)
        value = ggx.brdf(-normal, normal, normal, np.ones(3, np.float32), [1.0], [0.0]).numpy()
        assert np.all(np.isfinite(value)) and value[0] > 1e4


def _directional_albedo(brdf, view, roughness, count=96):
    """∫ brdf(l, v) (n·l) dω_l over the hemisphere (n = +z), per view, by multiple importance sampling.

    Deterministic stratified samples of a cosine-weighted and of a GGX half-vector distribution
    for `roughness`, combined by the balance heuristic, so that sharp lobes are integrated
    accurately too.
    """
    u1, u2 = np.meshgrid((np.arange(count) + 0.5) / count, (np.arange(count) + 0.5) / count)
    u1, u2 = u1.ravel(), u2.ravel()
    radius, angle = np.sqrt(u1), 2 * np.pi * u2
    cosine_samples = np.stack([radius * np.cos(angle), radius * np.sin(angle), np.sqrt(1 - u1)], -1)
    alpha2 = max(roughness, ggx.MINIMUM_ROUGHNESS) ** 4
    cos_h = np.sqrt((1 - u1) / (1 + (alpha2 - 1) * u1))
    sin_h = np.sqrt(1 - cos_h**2)
    half = np.stack([sin_h * np.cos(2 * np.pi * u2), sin_h * np.sin(2 * np.pi * u2), cos_h], -1)
    results = []
    for v in view:
        ggx_samples = 2.0 * (half @ v)[:, None] * half - v
        lights = np.concatenate([cosine_samples, ggx_samples])
        n_l = lights[:, 2:]
        h = ref.unit(lights + v)
        pdf_cosine = np.maximum(n_l, 0) / np.pi
        pdf_ggx = ref.ggx_distribution(h[:, 2:], np.sqrt(alpha2)) * h[:, 2:] / (4 * np.maximum(h @ v, 1e-12)[:, None])
        values = brdf(-lights, np.broadcast_to(v, lights.shape), np.array([0.0, 0.0, 1.0])).numpy()
        contribution = np.where(n_l > 0, values * n_l / (count**2 * (pdf_cosine + pdf_ggx)), 0.0)
        results.append(contribution.sum(0))
    return np.array(results)


def _views(cosines):
    cosines = np.asarray(cosines, np.float64)
    return np.stack([np.sqrt(1 - cosines**2), np.zeros_like(cosines), cosines], -1)


class TestEnergy:
    def test_integrator_is_exact_for_known_cases(self):
        views = _views([1.0, 0.5, 0.1])
        albedo = np.array([0.9, 0.5, 0.1])
        lambert = _directional_albedo(lambda l, v, n: lambertian.brdf(l, v, n, albedo), views, 0.5)
        np.testing.assert_allclose(lambert, np.broadcast_to(albedo, lambert.shape), rtol=1e-3)
        # Normalized Phong reflects exactly its albedo at normal incidence.
        shiny = _directional_albedo(lambda l, v, n: phong.brdf(l, v, n, [20.0], albedo), views[:1], 0.3)
        np.testing.assert_allclose(shiny[0], albedo, rtol=2e-3)

    def test_ggx_white_furnace_reflects_at_most_all_light(self):
        """A white metal (F <= 1 times the GGX lobe) reflects at most all light, at every angle."""
        views = _views([1.0, 0.7, 0.3, 0.05])
        for roughness in (0.0, 0.1, 0.3, 0.6, 1.0):
            albedo = _directional_albedo(
                lambda l, v, n: ggx.brdf(l, v, n, np.ones(3), [1.0], [roughness]), views, roughness
            )
            assert np.all(albedo <= 1.0 + 2e-3), (roughness, albedo.max())
            assert np.all(albedo > 0.3)

    def test_white_dielectric_conserves_energy_except_at_grazing_view(self):
        """glTF's fresnel_mix weights the diffuse by 1 - F(v·h) per light direction, not by what the
        specular lobe takes for this view, so a white dielectric reflects more than it receives at
        grazing view (three.js' direct light does the same). Up to n·v = 0.8 it does not."""
        views = _views([1.0, 0.9, 0.8, 0.05])
        grazing = {}
        for roughness in (0.0, 0.3, 0.6, 1.0):
            albedo = _directional_albedo(
                lambda l, v, n: ggx.brdf(l, v, n, np.ones(3), [0.0], [roughness]), views, roughness
            )[:, 0]
            assert np.all(albedo[:3] <= 1.0 + 2e-3), (roughness, albedo)
            reference = _directional_albedo(
                lambda l, v, n: tf.constant(ref.ggx(l, v, n, np.ones(3), 0.0, roughness)), views[3:], roughness
            )[:, 0]
            np.testing.assert_allclose(albedo[3:], reference, rtol=1e-9)  # the model's excess, not ours
            grazing[roughness] = albedo[3]
        assert grazing[0.0] > 1.5 and grazing[1.0] < 1.01

    def test_multiple_scattering_compensation_restores_energy_of_white_metal(self):
        views = _views([1.0, 0.7, 0.3])
        for roughness in (0.1, 0.5, 1.0):

            def metal(l, v, n, multiple_scattering):
                return ggx.brdf(l, v, n, np.ones(3), [1.0], [roughness], multiple_scattering=multiple_scattering)

            single = _directional_albedo(lambda l, v, n: metal(l, v, n, False), views, roughness)
            multiple = _directional_albedo(lambda l, v, n: metal(l, v, n, True), views, roughness)
            np.testing.assert_allclose(multiple, 1.0, atol=5e-3)
            if roughness == 1.0:
                assert np.all(single < 0.8)  # what the compensation makes up for

    def test_blinn_phong_reflects_at_most_its_albedo(self):
        views = _views([1.0, 0.5, 0.1])
        for shininess in (1.0, 10.0, 100.0):
            # GGX half vectors of a similar width sample the lobe: α² ≈ 2 / (s + 2).
            roughness = (2.0 / (shininess + 2.0)) ** 0.25
            albedo = _directional_albedo(
                lambda l, v, n: blinn_phong.brdf(l, v, n, [shininess], np.ones(3)), views, roughness
            )
            assert np.all(albedo <= 1.0 + 2e-3), (shininess, albedo.max())


@pytest.mark.skipif(not THREE_LUT.exists(), reason="three.js is not installed in frontend/node_modules")
def test_multiple_scattering_matches_three_js_lookup_table():
    """three.js' DFG LUT (16 x 16 half floats, x = roughness, y = n·v at texel centers) holds E = dfg.x + dfg.y."""
    words = [int(word, 16) for word in re.findall(r"0x([0-9a-fA-F]{4})", THREE_LUT.read_text())]
    lut = np.array(words, np.uint16).view(np.float16).astype(np.float64).reshape(16, 16, 2).sum(-1)
    centers = (np.arange(16) + 0.5) / 16
    cos_v, roughness = [grid.reshape(-1, 1) for grid in np.meshgrid(centers, centers, indexing="ij")]
    view = np.concatenate([np.sqrt(1 - cos_v**2), np.zeros_like(cos_v), cos_v], -1)
    normal = np.array([0.0, 0.0, 1.0])
    # A white metal: the compensation factor is 1 / E(roughness, n·v).
    single = ggx.brdf(-view * [-1, 1, 1], view, normal, np.ones(3), [1.0], roughness).numpy()[:, :1]
    multiple = ggx.brdf(-view * [-1, 1, 1], view, normal, np.ones(3), [1.0], roughness, multiple_scattering=True)
    np.testing.assert_allclose(single / multiple.numpy()[:, :1], lut.reshape(-1, 1), atol=0.015)

"""Helpers for the graphics_ops.reflectance and graphics_ops.lighting tests: float64 NumPy references.

The references are written from the published formulas, independently of the TensorFlow code:
Lambert; Phong with the (s + 2) / 2π factor; Blinn-Phong with Giesen's factor; the glTF 2.0
metallic-roughness BRDF with GGX, height-correlated Smith visibility and Schlick Fresnel; point
lights as TensorFlow Graphics defines them; real spherical harmonics from SciPy's complex ones.
"""

import numpy as np
from scipy.special import sph_harm_y

MINIMUM_ROUGHNESS = 0.045


def unit(array):
    return array / np.linalg.norm(array, axis=-1, keepdims=True)


def random_unit(rng, size):
    return unit(rng.normal(size=tuple(size) + (3,)))


def dot(a, b):
    return np.sum(a * b, axis=-1, keepdims=True)


def random_shading_frames(rng, count, below_fraction=0.0):
    """Unit normals, light directions toward the surface and view directions away from it.

    Light and view are above the surface by at least 0.05 in cosine, except a fraction of the
    samples where one of them is flipped below it.
    """
    normal = random_unit(rng, (count,))
    to_light, view = random_unit(rng, (count,)), random_unit(rng, (count,))
    for vector in (to_light, view):
        cosine = dot(vector, normal)
        vector -= np.where(cosine < 0.05, 2.0 * cosine - 0.1, 0.0) * normal  # reflect into the hemisphere
        vector /= np.linalg.norm(vector, axis=-1, keepdims=True)
    below = rng.uniform(size=(count, 1)) < below_fraction
    flip_light = rng.uniform(size=(count, 1)) < 0.5
    to_light = np.where(below & flip_light, to_light - 2.0 * dot(to_light, normal) * normal, to_light)
    view = np.where(below & ~flip_light, view - 2.0 * dot(view, normal) * normal, view)
    return -to_light, view, normal


def above(incoming, outgoing, normal):
    return np.minimum(dot(-incoming, normal), dot(outgoing, normal)) >= 0


def lambertian(incoming, outgoing, normal, albedo):
    return np.where(above(incoming, outgoing, normal), albedo / np.pi, 0.0)


def phong(incoming, outgoing, normal, shininess, albedo, normalize=True):
    reflected = incoming - 2.0 * dot(incoming, normal) * normal
    cosine = np.maximum(dot(unit(reflected), outgoing), 0.0)
    value = albedo * cosine**shininess * ((shininess + 2.0) / (2.0 * np.pi) if normalize else 1.0)
    return np.where(above(incoming, outgoing, normal), value, 0.0)


def blinn_phong(incoming, outgoing, normal, shininess, albedo, normalize=True):
    half = unit(outgoing - incoming)
    cosine = np.maximum(dot(normal, half), 0.0)
    factor = (shininess + 2.0) * (shininess + 4.0) / (8.0 * np.pi * (2.0 ** (-shininess / 2.0) + shininess))
    value = albedo * cosine**shininess * (factor if normalize else 1.0)
    return np.where(above(incoming, outgoing, normal), value, 0.0)


def ggx_terms(incoming, outgoing, normal, roughness):
    """n·l, n·v, n·h, v·h and α for the glTF BRDF."""
    to_light = -incoming
    half = unit(to_light + outgoing)
    alpha = np.clip(roughness, MINIMUM_ROUGHNESS, 1.0) ** 2
    return dot(normal, to_light), dot(normal, outgoing), dot(normal, half), dot(outgoing, half), alpha


def ggx_distribution(n_h, alpha):
    return alpha**2 / (np.pi * (n_h**2 * (alpha**2 - 1.0) + 1.0) ** 2)


def smith_correlated_visibility(n_l, n_v, alpha):
    """G2 / (4 n·l n·v) with G2 = 1 / (1 + Λ(l) + Λ(v)), Λ(x) = (sqrt(1 + α² tan²θ_x) - 1) / 2."""

    def lambda_(cosine):
        return 0.5 * (np.sqrt(1.0 + alpha**2 * (1.0 - cosine**2) / cosine**2) - 1.0)

    return 1.0 / ((1.0 + lambda_(n_l) + lambda_(n_v)) * 4.0 * n_l * n_v)


def smith_separable_visibility(n_l, n_v, alpha):
    def g1(cosine):
        return 2.0 * cosine / (cosine + np.sqrt(alpha**2 + (1.0 - alpha**2) * cosine**2))

    return g1(n_l) * g1(n_v) / (4.0 * n_l * n_v)


def schlick(f0, v_h):
    return f0 + (1.0 - f0) * (1.0 - v_h) ** 5


def ggx(incoming, outgoing, normal, base_color, metallic, roughness):
    """glTF 2.0 appendix B: mix(fresnel_mix(0.04, diffuse, specular), conductor_fresnel(base, specular), metallic)."""
    n_l, n_v, n_h, v_h, alpha = ggx_terms(incoming, outgoing, normal, roughness)
    specular = ggx_distribution(n_h, alpha) * smith_correlated_visibility(n_l, n_v, alpha)
    dielectric_fresnel = schlick(0.04, v_h)
    dielectric = (1.0 - dielectric_fresnel) * base_color / np.pi + dielectric_fresnel * specular
    metal = schlick(base_color, v_h) * specular
    value = (1.0 - metallic) * dielectric + metallic * metal
    return np.where(above(incoming, outgoing, normal), value, 0.0)


def point_light(radiance, light_position, surface, normal, observation, brdf, fall_off=False):
    """TensorFlow Graphics' point light for one light per surface point (no light batch axes)."""
    to_surface = surface - light_position
    distance = np.linalg.norm(to_surface, axis=-1, keepdims=True)
    incoming, outgoing = to_surface / distance, unit(observation - surface)
    cosine = dot(-incoming, normal)
    value = radiance * brdf(incoming, outgoing, normal) * cosine / (4.0 * np.pi * distance**2)
    if fall_off:
        value = value / np.sum((observation - surface) ** 2, axis=-1, keepdims=True)
    return np.where(np.minimum(cosine, dot(outgoing, normal)) >= 0, value, 0.0)


def real_spherical_harmonic(degree, order, theta, phi):
    """TensorFlow Graphics' real Y_l^m from SciPy's complex one (both with the Condon-Shortley phase)."""
    complex_value = sph_harm_y(degree, abs(order), theta, phi)
    if order == 0:
        return complex_value.real
    return np.sqrt(2.0) * (complex_value.real if order > 0 else complex_value.imag)


def hemisphere_quadrature(normal_count=64, azimuth_count=128):
    """Directions (z up) and weights integrating over the upper hemisphere: Gauss-Legendre in cos θ."""
    nodes, weights = np.polynomial.legendre.leggauss(normal_count)
    cosine, cos_weights = 0.5 * (nodes + 1.0), 0.5 * weights
    phi = (np.arange(azimuth_count) + 0.5) * 2.0 * np.pi / azimuth_count
    sine = np.sqrt(1.0 - cosine**2)
    directions = _spherical(sine[:, None], cosine[:, None], phi)
    weights = np.broadcast_to(cos_weights[:, None] * (2.0 * np.pi / azimuth_count), directions.shape[:2])
    return directions.reshape(-1, 3), weights.reshape(-1)


def sphere_quadrature(polar_count=48, azimuth_count=96):
    """Directions and weights integrating exactly any polynomial of degree < 2 * polar_count over the sphere."""
    nodes, weights = np.polynomial.legendre.leggauss(polar_count)
    phi = (np.arange(azimuth_count) + 0.5) * 2.0 * np.pi / azimuth_count
    sine = np.sqrt(1.0 - nodes**2)
    directions = _spherical(sine[:, None], nodes[:, None], phi)
    weights = np.broadcast_to(weights[:, None] * (2.0 * np.pi / azimuth_count), directions.shape[:2])
    return directions.reshape(-1, 3), weights.reshape(-1)


def _spherical(sine, cosine, phi):
    """Unit vectors of polar angle θ (given by its sine and cosine) and azimuth φ, broadcast."""
    return np.stack(np.broadcast_arrays(sine * np.cos(phi), sine * np.sin(phi), cosine), -1)

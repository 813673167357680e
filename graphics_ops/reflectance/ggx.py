"""The GGX (Trowbridge-Reitz) microfacet BRDF with glTF 2.0's metallic-roughness parameters.

Beyond TensorFlow Graphics, with its conventions: the incoming light direction points toward the
surface, the outgoing one away from it, directions and normals are unit vectors (not normalized
here), and the BRDF is 0 where the light or the view is below the surface. Shapes are
`[A1, ..., An, k]`, where the batch dimensions broadcast between arguments.

The variant, chosen to match glTF's reference BRDF and what three.js' `MeshStandardMaterial`
(three 0.187, the viewer's version) shows for punctual lights:

    l = -direction_incoming_light, v = direction_outgoing_light, h = normalize(l + v)
    α = r², r = roughness clamped to [MINIMUM_ROUGHNESS, 1]
    D = α² / (π ((n·h)² (α² - 1) + 1)²)                            Trowbridge-Reitz / GGX
    V = 0.5 / (n·l sqrt(α² + (1 - α²) (n·v)²) + n·v sqrt(α² + (1 - α²) (n·l)²))
                                          height-correlated Smith (Heitz 2014), G / (4 n·l n·v)
    F(f0) = f0 + (1 - f0) (1 - v·h)⁵                               Schlick
    f = F(mix(0.04, base_color, metallic)) D V                     specular, metals and dielectrics
      + (1 - F(0.04)) (1 - metallic) base_color / π                diffuse, under the dielectric coat

This is the BRDF of glTF 2.0 appendix B (`mix(dielectric_brdf, metal_brdf, metallic)` with
`fresnel_mix(ior = 1.5)`, i.e. f0 = 0.04) with two choices made explicit:
  - visibility: appendix B writes the *separable* Smith form, G1(l) G1(v); the Khronos sample
    renderer, Filament and three.js use the height-correlated form above, which is more accurate
    (it does not count masking and shadowing twice) and is what the viewer shows. `visibility`
    offers both.
  - diffuse weight: the diffuse lobe is weighted by `1 - F(0.04)`, the dielectric Fresnel, exactly
    as appendix B's `fresnel_mix` and three.js do, not by `1 - F(mix(0.04, base_color, metallic))`
    as appendix B's simplified sample code does; both agree when metallic is 0 or 1.

Deliberate differences from three.js: Schlick's exact `(1 - v·h)⁵`, where three.js uses the
spherical-Gaussian fit `2 ** ((-5.55473 v·h - 6.98316) v·h)` (they differ by less than 0.004 in F);
no `geometryRoughness` (three.js raises roughness by the screen-space derivative of the normal,
which a per-point BRDF cannot know); and three.js' multiple-scattering compensation of direct
specular light (Turquin 2019: `1 + f0 (1 / E(r, n·v) - 1)`) is optional here
(`multiple_scattering=True`), with E computed by quadrature rather than read from its 16x16 LUT.
Energy: a white metal reflects at most all light at every angle (at roughness 1, the
single-scattering lobe reflects only 31% at normal view; `multiple_scattering` restores 100%).
A white dielectric does not, at grazing view: `1 - F(0.04)` is taken per light direction (its
v·h), not as what the specular lobe reflects for this view, so at n·v = 0.05 a smooth white
dielectric reflects 1.7 times the light it receives (at most 1.0 for n·v >= 0.8). That is glTF's
`fresnel_mix` and three.js' direct lighting, kept on purpose so that renders match the viewer.

Roughness is clamped below at 0.045, three.js' (and Filament's) minimum: at roughness 0 the GGX
lobe is a Dirac delta, whose point evaluation is 0 or infinite.
"""

import functools
import math

import numpy as np
import tensorflow as tf

from graphics_ops.reflectance import _common
from graphics_ops.util import safe_ops, shading, shape, trace_hook, vector

MINIMUM_ROUGHNESS = 0.045
DIELECTRIC_F0 = 0.04
# Lower bound of the visibility's denominator, as three.js' EPSILON: it only acts when both n·l and
# n·v are below about 1e-6 / α (both directions grazing).
_VISIBILITY_EPSILON = 1e-6
_TABLE_SIZE = 33


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def brdf(
    direction_incoming_light,
    direction_outgoing_light,
    surface_normal,
    base_color,
    metallic,
    roughness,
    multiple_scattering=False,
    name="ggx_brdf",
):
    """Evaluates the glTF metallic-roughness BRDF: GGX specular over a Lambertian diffuse base.

    See the module docstring for the exact formulas. Values and gradients are finite everywhere:
    for grazing light or view (n·l or n·v = 0), for light and view opposite (zero half vector),
    for zero-length vectors, and for any roughness (clamped to [0.045, 1], with zero gradient
    outside that range).

    Args:
      direction_incoming_light: A tensor of shape `[A1, ..., An, 3]`: unit, toward the surface.
      direction_outgoing_light: A tensor of shape `[A1, ..., An, 3]`: unit, away from it to the viewer.
      surface_normal: A tensor of shape `[A1, ..., An, 3]`: unit normals.
      base_color: A tensor of shape `[A1, ..., An, 3]`: linear RGB base colour in [0, 1].
      metallic: A tensor of shape `[A1, ..., An, 1]`: metalness in [0, 1].
      roughness: A tensor of shape `[A1, ..., An, 1]`: perceptual roughness (α = roughness²).
      multiple_scattering: Whether to scale the specular lobe by three.js' multiple-scattering
        energy compensation `1 + f0 (1 / E(roughness, n·v) - 1)`, where E is the directional
        albedo of the GGX lobe with F = 1. Then a white metal reflects all light in a white
        furnace, and the result matches three.js' direct lighting more closely; the BRDF is no
        longer reciprocal.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`: the BRDF, 0 where the light or the view is below the
      surface.
    """
    with tf.name_scope(name):
        incoming, outgoing, normal, (base_color, metallic, roughness), cos_incoming, cos_outgoing = (
            _common.check_inputs(
                direction_incoming_light,
                direction_outgoing_light,
                surface_normal,
                base_color=(base_color, 3),
                metallic=(metallic, 1),
                roughness=(roughness, 1),
            )
        )
        half = safe_ops.normalize(outgoing - incoming)
        cos_half = tf.clip_by_value(vector.dot(normal, half), 0.0, 1.0)
        # v·h = l·h = |l + v| / 2 for unit l and v; this form is symmetric in l and v for any
        # inputs, so the BRDF stays reciprocal even for zero-length vectors.
        cos_outgoing_half = tf.clip_by_value(0.5 * safe_ops.norm(outgoing - incoming), 0.0, 1.0)
        f0 = DIELECTRIC_F0 + (base_color - DIELECTRIC_F0) * metallic
        specular = (
            _fresnel(f0, cos_outgoing_half)
            * _distribution(cos_half, roughness)
            * _visibility_correlated(cos_incoming, cos_outgoing, roughness)
        )
        if multiple_scattering:
            albedo = _directional_albedo(roughness, tf.clip_by_value(cos_outgoing, 0.0, 1.0))
            specular = specular * (1.0 + f0 * (1.0 / albedo - 1.0))
        diffuse = (1.0 - _fresnel(DIELECTRIC_F0, cos_outgoing_half)) * (1.0 - metallic) * base_color / math.pi
        return shading.where_above_surface(cos_incoming, cos_outgoing, specular + diffuse)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def distribution(cos_normal_half, roughness, name="ggx_distribution"):
    """The GGX (Trowbridge-Reitz) normal distribution D = α² / (π ((n·h)² (α² - 1) + 1)²).

    Args:
      cos_normal_half: A tensor of shape `[A1, ..., An, 1]`: n·h, clamped to [0, 1].
      roughness: A tensor of shape `[A1, ..., An, 1]`: perceptual roughness, clamped to
        [MINIMUM_ROUGHNESS, 1]; α = roughness².
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 1]`, in 1/sr: `∫ D (n·h) dω_h = 1` over the hemisphere.
    """
    with tf.name_scope(name):
        cos_normal_half, roughness = shape.check_inputs(cos_normal_half=(cos_normal_half, 1), roughness=(roughness, 1))
        return _distribution(tf.clip_by_value(cos_normal_half, 0.0, 1.0), roughness)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def visibility(cos_normal_incoming, cos_normal_outgoing, roughness, height_correlated=True, name="ggx_visibility"):
    """The Smith visibility term V = G2 / (4 n·l n·v) of the GGX distribution.

    Args:
      cos_normal_incoming: A tensor of shape `[A1, ..., An, 1]`: n·l, the cosine of the direction
        toward the light with the normal; clamped to [0, 1].
      cos_normal_outgoing: A tensor of shape `[A1, ..., An, 1]`: n·v; clamped to [0, 1].
      roughness: A tensor of shape `[A1, ..., An, 1]`: perceptual roughness, clamped to
        [MINIMUM_ROUGHNESS, 1]; α = roughness².
      height_correlated: True for the height-correlated Smith function
        `0.5 / (n·l sqrt(α² + (1 - α²) (n·v)²) + n·v sqrt(α² + (1 - α²) (n·l)²))` (what `brdf`
        uses); False for the separable form of glTF 2.0 appendix B,
        `1 / ((n·l + sqrt(α² + (1 - α²) (n·l)²)) (n·v + sqrt(α² + (1 - α²) (n·v)²)))`.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 1]`.
    """
    with tf.name_scope(name):
        cos_normal_incoming, cos_normal_outgoing, roughness = shape.check_inputs(
            cos_normal_incoming=(cos_normal_incoming, 1),
            cos_normal_outgoing=(cos_normal_outgoing, 1),
            roughness=(roughness, 1),
        )
        if height_correlated:
            return _visibility_correlated(cos_normal_incoming, cos_normal_outgoing, roughness)
        alpha_squared = tf.square(_alpha(roughness))
        cos_l = tf.clip_by_value(cos_normal_incoming, 0.0, 1.0)
        cos_v = tf.clip_by_value(cos_normal_outgoing, 0.0, 1.0)
        light = cos_l + tf.sqrt(alpha_squared + (1.0 - alpha_squared) * tf.square(cos_l))
        view = cos_v + tf.sqrt(alpha_squared + (1.0 - alpha_squared) * tf.square(cos_v))
        return 1.0 / (light * view)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def fresnel_schlick(f0, cos_outgoing_half, name="fresnel_schlick"):
    """Schlick's Fresnel approximation F = f0 + (1 - f0) (1 - v·h)⁵.

    Args:
      f0: A tensor of shape `[A1, ..., An, 3]`: reflectance at normal incidence.
      cos_outgoing_half: A tensor of shape `[A1, ..., An, 1]`: v·h, clamped to [0, 1].
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        f0, cos_outgoing_half = shape.check_inputs(f0=(f0, 3), cos_outgoing_half=(cos_outgoing_half, 1))
        return _fresnel(f0, tf.clip_by_value(cos_outgoing_half, 0.0, 1.0))


def _alpha(roughness):
    return tf.square(tf.clip_by_value(roughness, MINIMUM_ROUGHNESS, 1.0))


def _distribution(cos_half, roughness):
    alpha_squared = tf.square(_alpha(roughness))
    # At least α² > 0 for n·h in [0, 1].
    denominator = tf.square(cos_half) * (alpha_squared - 1.0) + 1.0
    return alpha_squared / (math.pi * tf.square(denominator))


def _visibility_correlated(cos_incoming, cos_outgoing, roughness):
    alpha_squared = tf.square(_alpha(roughness))
    cos_l = tf.clip_by_value(cos_incoming, 0.0, 1.0)
    cos_v = tf.clip_by_value(cos_outgoing, 0.0, 1.0)
    # The square roots' arguments are at least α² > 0, so their gradients are finite.
    view = cos_l * tf.sqrt(alpha_squared + (1.0 - alpha_squared) * tf.square(cos_v))
    light = cos_v * tf.sqrt(alpha_squared + (1.0 - alpha_squared) * tf.square(cos_l))
    return 0.5 / tf.maximum(view + light, _VISIBILITY_EPSILON)


def _fresnel(f0, cos_outgoing_half):
    weight = 1.0 - cos_outgoing_half
    return f0 + (1.0 - f0) * tf.square(tf.square(weight)) * weight


def _directional_albedo(roughness, cos_outgoing):
    """E(r, n·v) = ∫ D V (n·l) dω_l, bilinearly interpolated in a table over [0, 1]²."""
    table = tf.constant(_albedo_table(), dtype=roughness.dtype)
    last = _TABLE_SIZE - 1
    r = tf.clip_by_value(roughness, MINIMUM_ROUGHNESS, 1.0) * last
    mu = cos_outgoing * last
    r0 = tf.clip_by_value(tf.floor(r), 0.0, last - 1.0)
    mu0 = tf.clip_by_value(tf.floor(mu), 0.0, last - 1.0)
    wr, wmu = r - r0, mu - mu0
    index = tf.cast(r0, tf.int32) * _TABLE_SIZE + tf.cast(mu0, tf.int32)
    flat = tf.reshape(table, [-1])
    corners = [tf.gather(flat, index + offset) for offset in (0, 1, _TABLE_SIZE, _TABLE_SIZE + 1)]
    return (1.0 - wr) * ((1.0 - wmu) * corners[0] + wmu * corners[1]) + wr * (
        (1.0 - wmu) * corners[2] + wmu * corners[3]
    )


@functools.lru_cache(maxsize=None)
def _albedo_table():
    """E(r, μ) on a 33 x 33 grid of roughness r and n·v = μ in [0, 1], by quadrature in float64.

    Half vectors are parameterized by u in [0, 1] and φ so that D(h) (n·h) dω_h = du dφ / 2π
    (cos²θ_h = (1 - u) / (1 + (α² - 1) u)); with dω_l = 4 (v·h) dω_h,
    E = ∫∫ V (n·l) 4 (v·h) / (n·h) du dφ / 2π over the half vectors whose reflection l is above
    the surface. Gauss-Legendre in u (96 nodes), midpoints in φ over [0, π] (by symmetry). It
    agrees with three.js' LUT to 0.014.
    """
    nodes, weights = np.polynomial.legendre.leggauss(96)
    u, u_weights = 0.5 * (nodes + 1.0), 0.5 * weights
    count_phi = 96
    phi = (np.arange(count_phi) + 0.5) * np.pi / count_phi
    grid = np.linspace(0.0, 1.0, _TABLE_SIZE)
    mu = grid[:, None, None]
    view = np.stack(np.broadcast_arrays(np.sqrt(1.0 - mu * mu), 0.0 * mu, mu), -1)  # [μ, 1, 1, 3]
    table = np.empty((_TABLE_SIZE, _TABLE_SIZE))
    for i, roughness in enumerate(grid):
        a2 = max(roughness, MINIMUM_ROUGHNESS) ** 4
        cos_h = np.sqrt((1.0 - u) / (1.0 + (a2 - 1.0) * u))[:, None]
        sin_h = np.sqrt(np.maximum(1.0 - cos_h**2, 0.0))
        half = np.stack(np.broadcast_arrays(sin_h * np.cos(phi), sin_h * np.sin(phi), cos_h), -1)  # [u, φ, 3]
        v_dot_h = np.sum(view * half, -1)  # [μ, u, φ]
        n_dot_l = 2.0 * v_dot_h * cos_h - mu  # z of l = 2 (v·h) h - v
        visibility = 0.5 / np.maximum(
            n_dot_l * np.sqrt(a2 + (1.0 - a2) * mu * mu) + mu * np.sqrt(a2 + (1.0 - a2) * n_dot_l**2), 1e-12
        )
        integrand = np.where((n_dot_l > 0) & (v_dot_h > 0), visibility * n_dot_l * 4.0 * v_dot_h / cos_h, 0.0)
        table[i] = np.sum(u_weights[:, None] * integrand, axis=(1, 2)) / count_phi
    return table

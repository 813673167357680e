"""Real spherical harmonics for lighting: evaluation, zonal rotation, products and least-squares fits.

Names, arguments and conventions follow TensorFlow Graphics' `math.spherical_harmonics`: the real
basis of Green's "Spherical Harmonic Lighting: The Gritty Details" (2003), with the
Condon-Shortley phase (-1)^m in the associated Legendre polynomials P_l^m:

    Y_l^m = sqrt(2) K_l^m P_l^m(cos θ) cos(m φ)       for m > 0
    Y_l^0 = K_l^0 P_l^0(cos θ)
    Y_l^m = sqrt(2) K_l^|m| P_l^|m|(cos θ) sin(|m| φ)  for m < 0,   K_l^m = sqrt((2l+1)/(4π) (l-m)!/(l+m)!)

orthonormal over the sphere, with θ the polar angle from +z and φ the azimuth from +x toward +y
(the direction (sin θ cos φ, sin θ sin φ, cos θ)). Coefficients of all bands up to L are ordered
l = 0, ..., L and, within band l, m = -l, ..., l (`generate_l_m_permutations`), so coefficient
l² + l + m multiplies Y_l^m. Batch dimensions `[A1, ..., An]` broadcast between arguments.

Beyond TensorFlow Graphics: `evaluate_basis` (all (L+1)² functions from Cartesian directions, as
polynomials, so gradients are finite and exact at the poles too), `fit_coefficients` (weighted,
regularized least squares, differentiable), `clamped_cosine_zonal_coefficients` (for irradiance:
Ramamoorthi and Hanrahan, "An efficient representation for irradiance environment maps", 2001),
batched zonal coefficients in `rotate_zonal_harmonics` and `tile_zonal_coefficients`, and finite
gradients everywhere. Other differences: arguments broadcast (TensorFlow Graphics wants equal
batch dimensions in `evaluate_spherical_harmonics`), there are no range asserts (angles outside
[0, π] and [0, 2π] are valid angles), non-integer degrees or orders raise TypeError (not
ValueError), and degrees known only at run time are limited to `MAXIMUM_DYNAMIC_DEGREE`.
"""

import math

import numpy as np
import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook, vector

_SQRT2 = math.sqrt(2.0)
# The largest l - |m| that `evaluate_spherical_harmonics` and `evaluate_legendre_polynomial` handle
# when the degrees are only known at run time (they then run a bounded `tf.while_loop`).
MAXIMUM_DYNAMIC_DEGREE = 64


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def integration_product(harmonics1, harmonics2, keepdims=True, name="spherical_harmonics_integration_product"):
    """The integral over the sphere of the product of two functions given by their coefficients.

    By orthonormality of the basis it is the dot product of the coefficients.

    Args:
      harmonics1: A tensor of shape `[A1, ..., An, C]`: coefficients.
      harmonics2: A tensor of shape `[A1, ..., An, C]`: coefficients.
      keepdims: Whether to keep the last axis (with size 1).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 1]`, or `[A1, ..., An]` if `keepdims` is False.
    """
    with tf.name_scope(name):
        harmonics1, harmonics2 = shape.check_inputs(harmonics1=(harmonics1, "C"), harmonics2=(harmonics2, "C"))
        return vector.dot(harmonics1, harmonics2, keepdims=keepdims)


@trace_hook.op
def generate_l_m_permutations(max_band, name="spherical_harmonics_generate_l_m_permutations"):
    """The degree l and order m of each coefficient of bands 0 to `max_band`, in coefficient order.

    Args:
      max_band: A Python int, the highest band L.
      name: A name for this op.

    Returns:
      Two int32 tensors of shape `[(L + 1)²]`: l = 0, 1, 1, 1, 2, ... and m = 0, -1, 0, 1, -2, ....
    """
    with tf.name_scope(name):
        degrees, orders = zip(*[(l, m) for l in range(max_band + 1) for m in range(-l, l + 1)])
        return tf.constant(degrees, tf.int32), tf.constant(orders, tf.int32)


@trace_hook.op
def generate_l_m_zonal(max_band, name="spherical_harmonics_generate_l_m_zonal"):
    """The degrees and orders of the zonal harmonics (m = 0) of bands 0 to `max_band`.

    Args:
      max_band: A Python int, the highest band L.
      name: A name for this op.

    Returns:
      Two int32 tensors of shape `[L + 1]`: l = 0, ..., L and m = 0, ..., 0.
    """
    with tf.name_scope(name):
        return tf.range(max_band + 1, dtype=tf.int32), tf.zeros([max_band + 1], tf.int32)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate_legendre_polynomial(degree_l, order_m, x, name="spherical_harmonics_evaluate_legendre_polynomial"):
    """The associated Legendre polynomial P_l^m(x), with the Condon-Shortley phase (-1)^m.

    By the upward recurrence in l from P_m^m = (-1)^m (2m - 1)!! (1 - x²)^(m/2), unrolled when
    the degrees and orders are constants, else in a `tf.while_loop` (then l - m must be at most
    `MAXIMUM_DYNAMIC_DEGREE`). The gradient is finite at x = ±1, where for odd m the true one is
    infinite (there the square root (1 - x²)^(1/2) is given a zero gradient).

    Args:
      degree_l: An integer tensor of shape `[A1, ..., An]`: degrees l >= 0.
      order_m: An integer tensor of shape `[A1, ..., An]`: orders 0 <= m <= l.
      x: A tensor of shape `[A1, ..., An]`, in [-1, 1].
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]`.
    """
    with tf.name_scope(name):
        dtype = shape.common_float_dtype(x)
        bound, (degree_l, order_m, x) = _check_degrees_orders(degree_l, order_m, dtype, x=(x, ()))
        degree_l, order_m, x = _broadcast(degree_l, order_m, x)
        m = tf.cast(order_m, dtype)
        # (2m - 1)!! = 2^m Γ(m + 1/2) / sqrt(π), exact after rounding; in float64 for accuracy.
        m64 = tf.cast(order_m, tf.float64)
        double_factorial = tf.round(tf.exp(m64 * math.log(2.0) + tf.math.lgamma(m64 + 0.5) - 0.5 * math.log(math.pi)))
        sign = 1.0 - 2.0 * tf.cast(order_m % 2, tf.float64)
        w = 1.0 - tf.square(x)
        positive = w > 0.0
        root = tf.where(positive, tf.sqrt(tf.where(positive, w, tf.ones_like(w))), tf.zeros_like(w))
        odd = tf.equal(order_m % 2, 1)
        # (1 - x²)^(m/2), as a polynomial times one square root for odd m (exact gradients for even m).
        p_mm = tf.cast(sign * double_factorial, dtype) * _integer_power(w, order_m // 2)
        p_mm = p_mm * tf.where(odd, root, tf.ones_like(root))
        p_next = x * (2.0 * m + 1.0) * p_mm

        def step(n, p_previous, p_current):
            return ((2.0 * n - 1.0) * x * p_current - (n + m - 1.0) * p_previous) / (n - m)

        return _upward(degree_l - order_m, m, p_mm, p_next, step, bound)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate_spherical_harmonics(
    degree_l, order_m, theta, phi, name="spherical_harmonics_evaluate_spherical_harmonics"
):
    """Evaluates the real spherical harmonics Y_l^m at the directions (θ, φ).

    When `degree_l` and `order_m` are constants (as from `generate_l_m_permutations`), the
    recurrence is unrolled; otherwise it runs in a `tf.while_loop` up to the largest degree,
    which must then be at most `MAXIMUM_DYNAMIC_DEGREE` (checked, except under XLA). Prefer
    `evaluate_basis` for all functions of the first bands at once.

    Args:
      degree_l: An integer tensor of shape `[A1, ..., An, C]`: degrees l >= 0.
      order_m: An integer tensor of shape `[A1, ..., An, C]`: orders -l <= m <= l.
      theta: A tensor of shape `[A1, ..., An, 1]`: polar angles.
      phi: A tensor of shape `[A1, ..., An, 1]`: azimuthal angles.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, C]`.
    """
    with tf.name_scope(name):
        dtype = shape.common_float_dtype(theta, phi)
        bound, (degree_l, order_m, theta, phi) = _check_degrees_orders(
            degree_l, order_m, dtype, inner="C", theta=(theta, 1), phi=(phi, 1)
        )
        degree_l, order_m, theta, phi = _broadcast(degree_l, order_m, theta, phi)
        order = tf.abs(order_m)
        m = tf.cast(order, dtype)
        cos_theta, sin_theta = tf.cos(theta), tf.sin(theta)
        # Normalized P̄_m^m = (-1)^m sqrt((2m + 1) / 4π · Π_{k<=m} (2k - 1) / 2k) sin^m θ, the
        # product being Γ(m + 1/2) / (sqrt(π) Γ(m + 1)); in float64 for accuracy.
        m64 = tf.cast(order, tf.float64)
        log_product = tf.math.lgamma(m64 + 0.5) - tf.math.lgamma(m64 + 1.0) - 0.5 * math.log(math.pi)
        sign = 1.0 - 2.0 * tf.cast(order % 2, tf.float64)
        start = sign * tf.exp(0.5 * (tf.math.log((2.0 * m64 + 1.0) / (4.0 * math.pi)) + log_product))
        p_mm = tf.cast(start, dtype) * _integer_power(sin_theta, order)
        p_next = cos_theta * tf.sqrt(2.0 * m + 3.0) * p_mm

        def step(n, p_previous, p_current):
            a = tf.sqrt((4.0 * n * n - 1.0) / (n * n - m * m))
            b = tf.sqrt((tf.square(n - 1.0) - m * m) / (4.0 * tf.square(n - 1.0) - 1.0))
            return a * (cos_theta * p_current - b * p_previous)

        legendre = _upward(degree_l - order, m, p_mm, p_next, step, bound)
        trigonometric = tf.where(order_m > 0, tf.cos(m * phi), tf.sin(m * phi))
        return tf.where(tf.equal(order_m, 0), legendre, _SQRT2 * legendre * trigonometric)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def evaluate_basis(direction, max_band, name="spherical_harmonics_evaluate_basis"):
    """Evaluates every real spherical harmonic of bands 0 to `max_band` at unit directions.

    The same functions and order as `evaluate_spherical_harmonics` with
    `generate_l_m_permutations(max_band)`, computed as polynomials in the Cartesian coordinates:
    r^l Y_l^m is a polynomial in (x, y, z), so values and gradients are exact everywhere,
    including at the poles, where θ and φ are singular.

    Args:
      direction: A tensor of shape `[A1, ..., An, 3]`: directions of any nonzero length (they
        are normalized; a zero vector is evaluated as the point (0, 0, 0) of the polynomials).
      max_band: A Python int, the highest band L.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, (L + 1)²]`.
    """
    with tf.name_scope(name):
        (direction,) = shape.check_inputs(direction=(direction, 3))
        x, y, z = tf.unstack(safe_ops.normalize(direction), axis=-1)
        return _basis(x, y, z, max_band)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def rotate_zonal_harmonics(zonal_coeffs, theta, phi, name="spherical_harmonics_rotate_zonal_harmonics"):
    """Rotates functions symmetric about +z so that their axis points along (θ, φ).

    A zonal function with coefficients z_l (of Y_l^0) rotated to the axis d has the coefficients
    sqrt(4π / (2l + 1)) z_l Y_l^m(d).

    Args:
      zonal_coeffs: A tensor of shape `[A1, ..., An, C]`: zonal coefficients of bands 0 to
        C - 1 (TensorFlow Graphics takes shape `[C]` only).
      theta: A tensor of shape `[A1, ..., An, 1]`: polar angles of the new axes.
      phi: A tensor of shape `[A1, ..., An, 1]`: azimuthal angles of the new axes.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, C²]`: coefficients of the rotated functions.
    """
    with tf.name_scope(name):
        zonal_coeffs, theta, phi = shape.check_inputs(zonal_coeffs=(zonal_coeffs, None), theta=(theta, 1), phi=(phi, 1))
        bands = zonal_coeffs.shape[-1]
        if bands is None:
            raise ValueError("zonal_coeffs must have a statically known last dimension C (the number of bands)")
        sin_theta = tf.sin(theta[..., 0])
        x, y = sin_theta * tf.cos(phi[..., 0]), sin_theta * tf.sin(phi[..., 0])
        basis = _basis(x, y, tf.cos(theta[..., 0]), bands - 1)
        scale = np.concatenate([np.full(2 * l + 1, math.sqrt(4.0 * math.pi / (2 * l + 1))) for l in range(bands)])
        return _tile(zonal_coeffs, bands) * tf.constant(scale, zonal_coeffs.dtype) * basis


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def tile_zonal_coefficients(coefficients, name="spherical_harmonics_tile_zonal_coefficients"):
    """Repeats each zonal coefficient z_l over the 2l + 1 orders of its band.

    Args:
      coefficients: A tensor of shape `[A1, ..., An, C]`: one coefficient per band 0 to C - 1
        (TensorFlow Graphics takes shape `[C]` only).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, C²]`: z_0, z_1, z_1, z_1, z_2, ....
    """
    with tf.name_scope(name):
        (coefficients,) = shape.check_inputs(coefficients=(coefficients, None))
        bands = coefficients.shape[-1]
        if bands is None:
            raise ValueError("coefficients must have a statically known last dimension C (the number of bands)")
        return _tile(coefficients, bands)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def fit_coefficients(
    direction, radiance, max_band, weights=None, l2_regularizer=0.0, name="spherical_harmonics_fit_coefficients"
):
    """Least-squares spherical-harmonic coefficients of radiance observed along N directions.

    Minimizes `Σ_i w_i |Σ_j c_j Y_j(d_i) - radiance_i|² + l2_regularizer |c|²` per channel, by
    the normal equations and a Cholesky factorization, so the result is differentiable w.r.t.
    the directions, radiance and weights. With the weights of a quadrature that integrates
    products of the basis functions exactly, the fit is the projection `∫ radiance Y_j`. The
    coefficients are determined by at least (L + 1)² well-spread directions, or by
    `l2_regularizer > 0`; a diagonal of `(L + 1)² eps` times the mean diagonal (a change at
    rounding level) is always added, so that with too few samples the result stays finite.

    Args:
      direction: A tensor of shape `[A1, ..., An, N, 3]`: sample directions (normalized here).
      radiance: A tensor of shape `[A1, ..., An, N, K]`: K channels observed per direction.
      max_band: A Python int, the highest band L.
      weights: A tensor of shape `[A1, ..., An, N, 1]` of non-negative sample weights, or None
        for all ones.
      l2_regularizer: A non-negative scalar: the weight of the squared norm of the coefficients.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, K, (L + 1)²]`: coefficients per channel.
    """
    with tf.name_scope(name):
        arguments = {"direction": (direction, ("N", 3)), "radiance": (radiance, ("N", None))}
        if weights is not None:
            arguments["weights"] = (weights, ("N", 1))
        checked = shape.check_inputs(**arguments)
        direction, radiance = checked[:2]
        x, y, z = tf.unstack(safe_ops.normalize(direction), axis=-1)
        basis = _basis(x, y, z, max_band)
        weighted = basis if weights is None else basis * checked[2]
        gram = tf.linalg.matmul(weighted, basis, transpose_a=True)
        count = (max_band + 1) ** 2
        mean_diagonal = tf.reduce_mean(tf.linalg.diag_part(gram), axis=-1)[..., None, None]
        jitter = count * safe_ops.eps(gram.dtype) * mean_diagonal + safe_ops.tiny(gram.dtype)
        regularizer = tf.cast(l2_regularizer, gram.dtype) + jitter
        gram = gram + regularizer * tf.eye(count, dtype=gram.dtype)
        right = tf.linalg.matmul(weighted, radiance, transpose_a=True)
        gram, right = shape.broadcast((gram, 2), (right, 2))
        solution = tf.linalg.cholesky_solve(tf.linalg.cholesky(gram), right)
        return tf.linalg.matrix_transpose(solution)


@trace_hook.op
def clamped_cosine_zonal_coefficients(max_band, dtype=tf.float32, name="spherical_harmonics_clamped_cosine_zonal"):
    """Zonal coefficients of max(cos θ, 0), the kernel that turns radiance into irradiance.

    Rotated to a normal n (`rotate_zonal_harmonics`), their `integration_product` with radiance
    coefficients is the irradiance at n; π, 2π/3 and π/4 times the radiance coefficients of
    bands 0, 1 and 2 (Ramamoorthi and Hanrahan, 2001). Odd bands above 1 are 0.

    Args:
      max_band: A Python int, the highest band L.
      dtype: The floating dtype of the result.
      name: A name for this op.

    Returns:
      A tensor of shape `[L + 1]`.
    """
    with tf.name_scope(name):
        values = []
        for l in range(max_band + 1):
            if l == 0:
                moment = 0.5  # ∫_0^1 P_l(t) t dt
            elif l == 1:
                moment = 1.0 / 3.0
            elif l % 2:
                moment = 0.0
            else:
                half = l // 2
                denominator = 2**l * math.factorial(half - 1) * math.factorial(half + 1)
                moment = (-1) ** (half + 1) * math.factorial(l - 2) / denominator
            values.append(2.0 * math.pi * math.sqrt((2 * l + 1) / (4.0 * math.pi)) * moment)
        return tf.constant(values, dtype)


def _basis(x, y, z, max_band):
    """All (L + 1)² real harmonics at the unit vectors (x, y, z), stacked on a new last axis.

    Y_l^m = sqrt(2) q_l^m(z) Re((x + iy)^m) for m > 0 (Im for m < 0, no sqrt(2) for m = 0), where
    q_l^m = P̄_l^m / sin^m θ is a polynomial obeying the normalized Legendre recurrence.
    """
    ones = tf.ones_like(z)
    cosines, sines = [ones], [tf.zeros_like(z)]
    for _ in range(max_band):  # cos(mφ) sin^m θ + i sin(mφ) sin^m θ = (x + iy)^m
        cosine, sine = cosines[-1], sines[-1]
        cosines.append(x * cosine - y * sine)
        sines.append(x * sine + y * cosine)
    q = {}
    product = 1.0
    for m in range(max_band + 1):
        if m:
            product *= (2 * m - 1) / (2 * m)
        q[m, m] = (-1) ** m * math.sqrt((2 * m + 1) / (4.0 * math.pi) * product) * ones
        if m + 1 <= max_band:
            q[m + 1, m] = math.sqrt(2 * m + 3) * z * q[m, m]
        for n in range(m + 2, max_band + 1):
            a = math.sqrt((4 * n * n - 1) / (n * n - m * m))
            b = math.sqrt(((n - 1) ** 2 - m * m) / (4 * (n - 1) ** 2 - 1))
            q[n, m] = a * (z * q[n - 1, m] - b * q[n - 2, m])
    values = []
    for l in range(max_band + 1):
        for m in range(-l, l + 1):
            if m == 0:
                values.append(q[l, 0])
            elif m > 0:
                values.append(_SQRT2 * q[l, m] * cosines[m])
            else:
                values.append(_SQRT2 * q[l, -m] * sines[-m])
    return tf.stack(values, axis=-1)


def _tile(coefficients, bands):
    return tf.repeat(coefficients, [2 * l + 1 for l in range(bands)], axis=-1)


def _check_degrees_orders(degree_l, order_m, dtype, inner=(), **floats):
    """Checks integer degree and order arguments along with float ones, with named errors.

    The integer tensors are checked by `shape.check_inputs` as floats of `dtype` (exact for any
    sensible degree), then cast back to int32.

    Returns:
      The largest l - |m| if known while tracing (else None), and the checked tensors.
    """
    integers, static = {}, []
    for name, value in (("degree_l", degree_l), ("order_m", order_m)):
        tensor = tf.convert_to_tensor(value)
        if not tensor.dtype.is_integer:
            raise TypeError(f"{name} must have an integer dtype, got {tensor.dtype.name}")
        static.append(tf.get_static_value(tensor))
        integers[name] = (tf.cast(tensor, dtype), inner)
    checked = shape.check_inputs(**integers, **floats)
    bound = None
    if static[0] is not None and static[1] is not None:
        bound = int(np.max(np.asarray(static[0]) - np.abs(static[1]), initial=0))
    return bound, [tf.cast(checked[0], tf.int32), tf.cast(checked[1], tf.int32), *checked[2:]]


def _broadcast(*tensors):
    return shape.broadcast(*[(tensor, 0) for tensor in tensors])


def _integer_power(base, exponent):
    """base ** exponent for integer exponents >= 0, with finite gradients (also 0 ** 0 = 1)."""
    zero = tf.equal(exponent, 0)
    power = tf.pow(tf.where(zero, tf.ones_like(base), base), tf.cast(exponent, base.dtype))
    return tf.where(zero, tf.ones_like(base), power)


def _upward(steps, m, p_first, p_second, step, bound):
    """Runs a three-term recurrence in the degree n = m + j for j = 2, ..., `steps` (elementwise).

    Returns p_first where steps == 0, else the value after `steps` steps (p_second for 1).
    `bound` is a Python int bounding `steps`, or None to loop in a `tf.while_loop`.
    """
    steps_float = tf.cast(steps, m.dtype)

    def body(j, p_previous, p_current):
        active = j <= steps_float
        new = step(m + j, p_previous, p_current)
        return j + 1.0, tf.where(active, p_current, p_previous), tf.where(active, new, p_current)

    j = tf.constant(2.0, m.dtype)
    previous, current = p_first, p_second
    if bound is not None:
        for _ in range(2, bound + 1):
            j, previous, current = body(j, previous, current)
    else:
        limit = tf.reduce_max(steps_float)
        check = tf.debugging.Assert(
            limit <= MAXIMUM_DYNAMIC_DEGREE,
            [
                f"degree_l - |order_m| must be at most {MAXIMUM_DYNAMIC_DEGREE} unless degree_l and order_m are "
                "constants, got",
                limit,
            ],
        )
        with tf.control_dependencies([check]):
            limit = tf.identity(limit)
        # XLA needs a bound on the iterations to keep the loop's intermediate values for gradients.
        _, previous, current = tf.while_loop(
            lambda j, *_: j <= limit, body, (j, previous, current), maximum_iterations=MAXIMUM_DYNAMIC_DEGREE - 1
        )
    return tf.where(tf.equal(steps, 0), p_first, current)

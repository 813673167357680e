"""1D sampling of intervals and of piecewise-constant densities, with TensorFlow Graphics' `math.sampling` API.

The interval samplers take `near` and `far` of shape `[A1, ..., An]` (broadcast together) and an
int `num_samples` M, and return `[A1, ..., An, M]` points, ordered from `near` to `far`; they are
differentiable in `near` and `far`. The random ones take an optional keyword `seed` (shape `[2]` integers): with it they
are stateless (the same seed gives the same samples), without it they use `tf.random.uniform`.

Differences from TensorFlow Graphics:

- `inverse_transform_sampling_1d` and `inverse_transform_stratified_1d` draw from all M bins.
  TensorFlow Graphics drops the last bin's probability (`pdf[..., :-1]`), so it never samples the
  last bin, and adds 1e-5 to every bin, so it samples bins of zero probability. Here bins of zero
  probability are never drawn, negative values count as zero, and a density that is zero
  everywhere (an empty ray) is sampled uniformly.
- `regular_inverse_1d` is computed as near·far / ((1 - t)·far + t·near), which is finite for
  near = 0 (all samples but the last are then 0), where 1 / linspace(1 / near, 1 / far) is nan.
- `regular_inverse_1d`, `geomspace_1d` and `stratified_geomspace_1d` have `near` and `far` exactly
  at the ends.
- Batch dimensions of `near` and `far` broadcast; samples are in the dtype of the inputs.
"""

import numpy as np
import tensorflow as tf

from graphics_ops.util import arguments, shape, trace_hook


@trace_hook.op
def regular_1d(near, far, num_samples, name="regular_1d"):
    """M = `num_samples` evenly spaced points from `near` to `far`, both included: `[A1, ..., An, M]`."""
    with tf.name_scope(name):
        near, far = _interval(near, far, num_samples)
        return _lerp(near, far, _fractions(num_samples, near.dtype))


@trace_hook.op
def regular_inverse_1d(near, far, num_samples, name="regular_inverse_1d"):
    """M points from `near` (>= 0) to `far` (> 0) whose inverses are evenly spaced (denser near the start)."""
    with tf.name_scope(name):
        near, far = _interval(near, far, num_samples)
        t = _fractions(num_samples, near.dtype)[1:-1]
        inner = near[..., None] * far[..., None] / ((1.0 - t) * far[..., None] + t * near[..., None])
        return _with_ends(near, far, inner, num_samples)


@trace_hook.op
def uniform_1d(near, far, num_samples, name="uniform_1d", *, seed=None):
    """M points drawn uniformly from [near, far), sorted from `near` to `far`."""
    with tf.name_scope(name):
        near, far = _interval(near, far, num_samples)
        fractions = tf.sort(_uniform(_sample_shape(near, far, num_samples), near.dtype, seed), axis=-1)
        return _lerp(near, far, fractions)


@trace_hook.op
def stratified_1d(near, far, num_samples, name="stratified_1d", *, seed=None):
    """One point drawn uniformly in each of M equal bins between `near` and `far`, sorted."""
    with tf.name_scope(name):
        near, far = _interval(near, far, num_samples)
        offsets = _uniform(_sample_shape(near, far, num_samples), near.dtype, seed)
        fractions = (tf.range(num_samples, dtype=near.dtype) + offsets) / num_samples
        return _lerp(near, far, fractions)


@trace_hook.op
def logspace_1d(near, far, num_samples, base=10.0, name="logspace_1d"):
    """M points base**x for x evenly spaced from `near` to `far` (exponents, as in `np.logspace`).

    `base` is a positive float.
    """
    with tf.name_scope(name):
        near, far = _interval(near, far, num_samples)
        exponents = _lerp(near, far, _fractions(num_samples, near.dtype))
        return tf.exp(exponents * tf.math.log(tf.cast(base, near.dtype)))


@trace_hook.op
def geomspace_1d(near, far, num_samples, name="geomspace_1d"):
    """M points from `near` to `far` (both > 0, exactly at the ends) in a geometric progression."""
    with tf.name_scope(name):
        near, far = _interval(near, far, num_samples)
        return _geomspace(near, far, num_samples)


@trace_hook.op
def stratified_geomspace_1d(near, far, num_samples, name="stratified_geomspace_1d", *, seed=None):
    """One point drawn uniformly in each of M bins, their edges in a geometric progression; sorted."""
    with tf.name_scope(name):
        near, far = _interval(near, far, num_samples)
        edges = _geomspace(near, far, num_samples + 1)
        offsets = _uniform(_sample_shape(near, far, num_samples), near.dtype, seed)
        return edges[..., :-1] + (edges[..., 1:] - edges[..., :-1]) * offsets


@trace_hook.op
def inverse_transform_sampling_1d(bins, pdf, num_samples, name="inverse_transform_sampling_1d", *, seed=None):
    """Draws N of the M bin locations `bins`, each with the probability its bin has under `pdf`.

    `bins` and `pdf` are `[A1, ..., An, M]`: the location of each bin (its centre, say) and its
    unnormalized probability (negative values count as 0, and all zeros as uniform). The result,
    `[A1, ..., An, N]` with N = `num_samples`, holds locations from `bins` in the order drawn (not
    sorted); `seed` is as for the interval samplers.
    """
    with tf.name_scope(name):
        bins, pdf = shape.check_inputs(bins=(bins, "M"), pdf=(pdf, "M"))
        bins, pdf = shape.broadcast((bins, 1), (pdf, 1))
        _, index, _, _ = _draw_bins(pdf, num_samples, seed)
        return tf.gather(bins, index, axis=-1, batch_dims=bins.shape.rank - 1)


@trace_hook.op
def inverse_transform_stratified_1d(
    bin_start, bin_width, pdf, num_samples, name="inverse_transform_stratified_1d", *, seed=None
):
    """Draws N points from the density that is constant within each bin, `pdf` giving the bin's mass.

    `bin_start`, `bin_width` and `pdf` are `[A1, ..., An, M]`; `pdf` is unnormalized (negative values
    count as 0, and all zeros as uniform). The result, `[A1, ..., An, N]` with N = `num_samples`, is
    in the order drawn (not sorted), and differentiable in `bin_start` and `bin_width` (and in `pdf`,
    through where in its bin a point falls); `seed` is as for the interval samplers.
    """
    with tf.name_scope(name):
        bin_start, bin_width, pdf = shape.check_inputs(
            bin_start=(bin_start, "M"), bin_width=(bin_width, "M"), pdf=(pdf, "M")
        )
        bin_start, bin_width, pdf = shape.broadcast((bin_start, 1), (bin_width, 1), (pdf, 1))
        uniforms, index, below, probability = _draw_bins(pdf, num_samples, seed)
        batch_dims = pdf.shape.rank - 1
        start = tf.gather(bin_start, index, axis=-1, batch_dims=batch_dims)
        width = tf.gather(bin_width, index, axis=-1, batch_dims=batch_dims)
        positive = probability > 0
        within = (uniforms - below) / tf.where(positive, probability, tf.ones_like(probability))
        within = tf.clip_by_value(tf.where(positive, within, tf.zeros_like(within)), 0.0, 1.0)
        return start + within * width


def _interval(near, far, num_samples):
    arguments.check_positive_int(num_samples, "num_samples")
    return shape.check_inputs(near=(near, ()), far=(far, ()))


def _fractions(num_samples, dtype):
    """M fractions evenly spaced from 0 to 1, both exact (0 alone for M = 1)."""
    return tf.constant(np.linspace(0.0, 1.0, num_samples) if num_samples > 1 else [0.0], dtype)


def _lerp(near, far, fractions):
    return near[..., None] * (1.0 - fractions) + far[..., None] * fractions


def _geomspace(near, far, num_samples):
    inner = tf.exp(_lerp(tf.math.log(near), tf.math.log(far), _fractions(num_samples, near.dtype)[1:-1]))
    return _with_ends(near, far, inner, num_samples)


def _with_ends(near, far, inner, num_samples):
    """M points: `near`, the M - 2 `inner` points `[A1, ..., An, M - 2]`, and `far` (M > 1).

    The ends are exact, and never computed by a formula that may divide by 0 there.
    """
    near, far = shape.broadcast((near, 0), (far, 0))
    if num_samples == 1:
        return near[..., None]
    near, inner, far = shape.broadcast((near[..., None], 1), (inner, 1), (far[..., None], 1))
    return tf.concat([near, inner, far], axis=-1)


def _sample_shape(near, far, num_samples):
    return tf.concat([tf.broadcast_dynamic_shape(tf.shape(near), tf.shape(far)), [num_samples]], axis=0)


def _uniform(sample_shape, dtype, seed):
    """Samples uniform in [0, 1), stateless when `seed` is given (Philox, the same in every mode)."""
    if seed is None:
        return tf.random.uniform(sample_shape, dtype=dtype)
    return tf.random.stateless_uniform(sample_shape, seed=seed, dtype=dtype, alg="philox")


def _draw_bins(pdf, num_samples, seed):
    """Inverse transform sampling of bins.

    Returns:
      The uniform samples `[A1, ..., An, N]` in [0, total), the bins they select (int32), and for
      each sample the probability of the bins before its bin and of its bin.
    """
    arguments.check_positive_int(num_samples, "num_samples")
    pdf = tf.maximum(pdf, 0.0)
    total = tf.reduce_sum(pdf, axis=-1, keepdims=True)
    empty = total <= 0
    pdf = tf.where(empty, tf.ones_like(pdf), pdf)
    probability = pdf / tf.where(empty, tf.cast(tf.shape(pdf)[-1], pdf.dtype), total)
    cdf = tf.math.cumsum(probability, axis=-1)
    below = tf.math.cumsum(probability, axis=-1, exclusive=True)
    # Uniform in [0, total), where total is the cdf's last value as rounded (maybe not exactly 1).
    uniforms = _uniform(tf.concat([tf.shape(pdf)[:-1], [num_samples]], axis=0), pdf.dtype, seed) * cdf[..., -1:]
    # The bin of u is the number of inner bin ends at or below it: bins of zero probability end
    # exactly where the bin before ends (or at 0, or at total), so no u selects them.
    index = tf.searchsorted(cdf[..., :-1], uniforms, side="right", out_type=tf.int32)
    batch_dims = pdf.shape.rank - 1
    below = tf.gather(below, index, axis=-1, batch_dims=batch_dims)
    return uniforms, index, below, tf.gather(probability, index, axis=-1, batch_dims=batch_dims)


__all__ = [
    "regular_1d",
    "regular_inverse_1d",
    "uniform_1d",
    "stratified_1d",
    "logspace_1d",
    "geomspace_1d",
    "stratified_geomspace_1d",
    "inverse_transform_sampling_1d",
    "inverse_transform_stratified_1d",
]

"""Rays in 3D: sampling points along them, triangulation, intersection with spheres
(TensorFlow Graphics' `geometry.representation.ray`).

A ray is an origin and a direction, `[A1, ..., An, 3]` each. The samplers return points at
distances z along the directions (origin + z * direction, so z is a distance only for unit
directions), with z from `graphics_ops.math.sampling`; they take an optional keyword `seed` for
stateless sampling.

Differences from TensorFlow Graphics:

- `intersection_ray_sphere` still returns nan for rays that miss the sphere, but its gradients are
  finite there (zero), so a loss that masks the misses out trains; TensorFlow Graphics' gradients
  are nan for misses (a square root of a negative number) and for rays through the centre. The
  sphere's centre and radius may be batched, `[A1, ..., An, 3]` and `[A1, ..., An, 1]`, and ray
  directions are normalized here (TensorFlow Graphics requires unit directions).
- `triangulate` solves the 3x3 normal equations with a tiny Tikhonov term (eps(dtype) * trace,
  towards the weighted centroid of the start points), so degenerate inputs (parallel rays, a single
  ray, zero weights, zero-length rays) give a finite point and finite gradients, where TensorFlow
  Graphics' least squares gives nan or an error. A zero-length ray (start = end) counts as a point:
  its squared distance is to the start point.
- `sample_inverse_transform_stratified_1d` draws from all its bins (see
  `graphics_ops.math.sampling`).
"""

import tensorflow as tf

from graphics_ops.math import sampling
from graphics_ops.util import safe_ops, shape, trace_hook
from graphics_ops.util import vector as vector_ops


@trace_hook.op
def sample_stratified_1d(ray_org, ray_dir, near, far, n_samples, name="sample_stratified_1d", *, seed=None):
    """Points along rays, one drawn uniformly in each of M equal bins of [near, far].

    Args:
      ray_org: A tensor of shape `[A1, ..., An, 3]`: the origins of the rays.
      ray_dir: A tensor of shape `[A1, ..., An, 3]`: their directions.
      near: A float or a tensor of shape `[A1, ..., An]`: the smallest distance z.
      far: A float or a tensor of shape `[A1, ..., An]`: the largest distance z.
      n_samples: The number M of points per ray, an int.
      name: A name for this op.
      seed: Optional shape `[2]` integer seed for stateless sampling.

    Returns:
      A tensor of shape `[A1, ..., An, M, 3]`: the points, and a tensor of shape `[A1, ..., An, M]`:
      their distances z, sorted.
    """
    with tf.name_scope(name):
        ray_org, ray_dir, near, far = shape.check_inputs(
            ray_org=(ray_org, 3), ray_dir=(ray_dir, 3), near=(near, ()), far=(far, ())
        )
        batch = tf.broadcast_dynamic_shape(tf.shape(ray_org)[:-1], tf.shape(ray_dir)[:-1])
        near, far = tf.broadcast_to(near, batch), tf.broadcast_to(far, batch)
        z_values = sampling.stratified_1d(near, far, n_samples, seed=seed)
        return _points(ray_org, ray_dir, z_values), z_values


@trace_hook.op
def sample_inverse_transform_stratified_1d(
    ray_org,
    ray_dir,
    z_values_init,
    weights_init,
    n_samples,
    combine_z_values=True,
    name="sample_inverse_transform_stratified_1d",
    *,
    seed=None,
):
    """More points along rays where the weights of earlier samples are large (NeRF's fine pass).

    The M - 1 intervals between consecutive `z_values_init` are bins whose probability is the mean
    weight at their ends; N new distances are drawn from the density constant within each bin.
    They carry no gradient.

    Args:
      ray_org: A tensor of shape `[A1, ..., An, 3]`: the origins of the rays.
      ray_dir: A tensor of shape `[A1, ..., An, 3]`: their directions.
      z_values_init: A tensor of shape `[A1, ..., An, M]`: sorted distances of earlier samples.
      weights_init: A tensor of shape `[A1, ..., An, M]`: their weights (such as those of
        `ray_radiance.compute_radiance`).
      n_samples: The number N of new points per ray, an int.
      combine_z_values: Whether to return the earlier samples too.
      name: A name for this op.
      seed: Optional shape `[2]` integer seed for stateless sampling.

    Returns:
      A tensor of shape `[A1, ..., An, K, 3]`: the points, and a tensor of shape `[A1, ..., An, K]`:
      their sorted distances z, where K is M + N if `combine_z_values`, else N.
    """
    with tf.name_scope(name):
        ray_org, ray_dir, z_values_init, weights_init = shape.check_inputs(
            ray_org=(ray_org, 3),
            ray_dir=(ray_dir, 3),
            z_values_init=(z_values_init, "M"),
            weights_init=(weights_init, "M"),
        )
        bin_start = z_values_init[..., :-1]
        bin_width = z_values_init[..., 1:] - bin_start
        bin_weights = 0.5 * (weights_init[..., 1:] + weights_init[..., :-1])
        z_values = tf.stop_gradient(
            sampling.inverse_transform_stratified_1d(bin_start, bin_width, bin_weights, n_samples, seed=seed)
        )
        if combine_z_values:
            z_values_init, z_values = shape.broadcast((z_values_init, 1), (z_values, 1))
            z_values = tf.concat([z_values_init, z_values], axis=-1)
        z_values = tf.sort(z_values, axis=-1)
        return _points(ray_org, ray_dir, z_values), z_values


@trace_hook.op
def triangulate(startpoints, endpoints, weights, name="ray_triangulate"):
    """The point nearest to V rays in the weighted least-squares sense.

    Minimizes sum_i (weights_i * distance(point, line_i))^2 (TensorFlow Graphics' objective: the
    weights multiply distances, not squared distances), in closed form. The lines need not meet.

    Args:
      startpoints: A tensor of shape `[A1, ..., An, V, 3]`: a point on each ray.
      endpoints: A tensor of shape `[A1, ..., An, V, 3]`: another point on each ray.
      weights: A tensor of shape `[A1, ..., An, V]`: non-negative certainties; at least two rays
        that are not parallel need positive weights for a unique answer (see the module docstring
        for degenerate inputs).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        startpoints, endpoints, weights = shape.check_inputs(
            startpoints=(startpoints, ("V", 3)), endpoints=(endpoints, ("V", 3)), weights=(weights, "V")
        )
        direction = safe_ops.normalize(endpoints - startpoints)
        # Distance to line i: |P_i (x - s_i)| with P_i = I - d_i d_i^T.
        projector = tf.eye(3, dtype=direction.dtype) - direction[..., :, None] * direction[..., None, :]
        squared = tf.square(weights)[..., None, None]
        matrix = tf.reduce_sum(squared * projector, axis=-3)
        right = tf.reduce_sum(squared[..., 0] * vector_ops.matvec(projector, startpoints), axis=-2)
        total = tf.reduce_sum(squared[..., 0], axis=-2)
        mean = tf.reduce_mean(startpoints, axis=-2)
        centroid = tf.where(
            total > 0,
            tf.reduce_sum(squared[..., 0] * startpoints, axis=-2) / tf.where(total > 0, total, tf.ones_like(total)),
            mean,
        )
        trace = tf.linalg.trace(matrix)[..., None]
        regularization = safe_ops.eps(matrix.dtype) * trace + safe_ops.tiny(matrix.dtype)
        matrix += regularization[..., None] * tf.eye(3, dtype=matrix.dtype)
        right += regularization * centroid
        return tf.linalg.solve(matrix, right[..., None])[..., 0]


@trace_hook.op
def intersection_ray_sphere(sphere_center, sphere_radius, ray, point_on_ray, name="ray_intersection_ray_sphere"):
    """Where rays (as lines) meet spheres, and the spheres' normals there.

    Args:
      sphere_center: A tensor of shape `[3]` or `[A1, ..., An, 3]`.
      sphere_radius: A tensor of shape `[1]` or `[A1, ..., An, 1]`: positive radii.
      ray: A tensor of shape `[A1, ..., An, 3]`: ray directions (normalized here).
      point_on_ray: A tensor of shape `[A1, ..., An, 3]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[2, A1, ..., An, 3]`: the nearer and the farther intersection along the
      direction (possibly behind `point_on_ray`), and a tensor of the same shape: the unit
      outward normals there. Both are nan for rays that miss the sphere; their gradients are
      finite everywhere (zero for misses and at exact tangency).
    """
    with tf.name_scope(name):
        sphere_center, sphere_radius, ray, point_on_ray = shape.check_inputs(
            sphere_center=(sphere_center, 3),
            sphere_radius=(sphere_radius, 1),
            ray=(ray, 3),
            point_on_ray=(point_on_ray, 3),
        )
        direction = safe_ops.normalize(ray)
        offset = point_on_ray - sphere_center
        along = -vector_ops.dot(offset, direction)  # from point_on_ray to the point nearest the centre
        nearest = offset + along * direction  # from the centre, orthogonal to the ray
        squared_half_chord = tf.square(sphere_radius) - vector_ops.dot(nearest, nearest)
        hit = squared_half_chord >= 0
        positive = squared_half_chord > 0
        half_chord = tf.where(positive, tf.sqrt(tf.where(positive, squared_half_chord, tf.ones_like(along))), 0.0)
        distances = tf.stack([along - half_chord, along + half_chord], axis=0)
        points = point_on_ray + distances * direction
        normals = safe_ops.normalize(points - sphere_center)
        points, normals, hit = shape.broadcast((points, 1), (normals, 1), (tf.broadcast_to(hit, tf.shape(along)), 1))
        missing = tf.fill(tf.shape(points), tf.constant(float("nan"), points.dtype))
        return tf.where(hit, points, missing), tf.where(hit, normals, missing)


def _points(ray_org, ray_dir, z_values):
    """Points `[A1, ..., An, M, 3]` at distances z `[A1, ..., An, M]` along rays."""
    return ray_org[..., None, :] + z_values[..., None] * ray_dir[..., None, :]


__all__ = [
    "sample_stratified_1d",
    "sample_inverse_transform_stratified_1d",
    "triangulate",
    "intersection_ray_sphere",
]

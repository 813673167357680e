"""graphics_ops.geometry.ray: samplers along rays, triangulation, ray-sphere intersection."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import geometry
from graphics_ops.geometry import ray
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.testing import (
    all_dtypes,
    assert_all_finite,
    assert_jacobians_match_finite_differences,
    assert_longer_last_axis_is_named,
    weighted_gradients,
)

SEED = [1, 2]


def test_tensorflow_graphics_signatures_and_exports():
    assert set(geometry.__all__) == {"grid", "point", "ray"}
    expected = {
        ray.triangulate: ["startpoints", "endpoints", "weights", "name"],
        ray.intersection_ray_sphere: ["sphere_center", "sphere_radius", "ray", "point_on_ray", "name"],
        ray.sample_stratified_1d: ["ray_org", "ray_dir", "near", "far", "n_samples", "name", "seed"],
        ray.sample_inverse_transform_stratified_1d: [
            "ray_org",
            "ray_dir",
            "z_values_init",
            "weights_init",
            "n_samples",
            "combine_z_values",
            "name",
            "seed",
        ],
    }
    assert set(ray.__all__) == {function.__name__ for function in expected}
    for function, arguments in expected.items():
        assert list(inspect.signature(function).parameters) == arguments, function.__name__


# --- triangulate ---


def random_rays_through(rng, point, count):
    """Start and end points of `count` rays through `point` `[..., 3]`, as `[..., count, 3]`."""
    directions = rng.normal(size=point.shape[:-1] + (count, 3))
    start = point[..., None, :] - rng.uniform(1, 3, size=directions.shape[:-1] + (1,)) * directions
    end = point[..., None, :] + rng.uniform(0.5, 2, size=directions.shape[:-1] + (1,)) * directions
    return start, end


def reference_triangulation(start, end, weights):
    """The minimiser of sum (w_i distance_i)^2 by NumPy's least squares on stacked projections."""
    direction = (end - start) / np.linalg.norm(end - start, axis=-1, keepdims=True)
    projector = np.eye(3) - direction[..., :, None] * direction[..., None, :]
    rows = (weights[..., None, None] * projector).reshape(-1, 3)
    right = (weights[..., None] * np.einsum("vij,vj->vi", projector, start)).reshape(-1)
    return np.linalg.lstsq(rows, right, rcond=None)[0]


@all_dtypes
def test_triangulate_recovers_the_point_where_rays_meet(dtype):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(4, 3))
    start, end = random_rays_through(rng, points, 5)
    weights = rng.uniform(0.2, 1.0, size=(4, 5))
    found = ray.triangulate(tf.constant(start, dtype), tf.constant(end, dtype), tf.constant(weights, dtype))
    assert found.dtype == dtype and found.shape == (4, 3)
    np.testing.assert_allclose(found, points, atol=2e-5 if dtype == tf.float32 else 1e-12)


def test_triangulate_weighs_distances_like_tensorflow_graphics():
    rng = np.random.default_rng(1)
    start, end = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))  # skew rays: no common point
    weights = rng.uniform(0.1, 2.0, size=6)
    expected = reference_triangulation(start, end, weights)
    np.testing.assert_allclose(ray.triangulate(start, end, weights), expected, atol=1e-12)


def test_triangulate_degenerate_inputs_are_finite():
    start = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 2.0, 0.0]])
    parallel = start + [1.0, 0.0, 0.0]
    # Parallel rays: along them the answer is the centroid's coordinate, across them the least squares.
    np.testing.assert_allclose(ray.triangulate(start, parallel, np.ones(3)), [0.0, 1.0, 0.0], atol=1e-9)
    # All weights zero, or one ray: finite.
    cases = [(start, parallel + [[0, 0, 0], [0, 0, 1], [0, 1, 0]], np.zeros(3)), (start, parallel, [1.0, 0.0, 0.0])]
    # Zero-length rays count as points: two of them give their midpoint.
    cases.append((start[:2], start[:2], np.ones(2)))
    for case in cases:
        assert_all_finite(ray.triangulate(*case), *weighted_gradients(ray.triangulate, *map(np.asarray, case)))
    np.testing.assert_allclose(ray.triangulate(start[:2], start[:2], np.ones(2)), [0.0, 0.5, 0.0], atol=1e-9)


def test_triangulate_jacobians_match_finite_differences():
    rng = np.random.default_rng(2)
    start, end = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert_jacobians_match_finite_differences(ray.triangulate, start, end, rng.uniform(0.5, 1.5, size=4))


# --- intersection_ray_sphere ---


def reference_intersections(center, radius, direction, origin):
    """The two solutions t of |origin + t d - center| = r for unit d, in float64 (nan for misses)."""
    offset = origin - center
    b = np.sum(offset * direction, -1, keepdims=True)
    discriminant = b**2 - (np.sum(offset**2, -1, keepdims=True) - radius**2)
    with np.errstate(invalid="ignore"):
        root = np.sqrt(discriminant)
    t = np.stack([-b - root, -b + root])
    return origin + t * direction


@all_dtypes
def test_intersection_points_and_normals(dtype):
    rng = np.random.default_rng(3)
    center, radius = np.array([0.5, -0.2, 0.1]), np.array([1.5])
    origin = rng.normal(size=(50, 3)) * 3
    direction = rng.normal(size=(50, 3))
    direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
    points, normals = ray.intersection_ray_sphere(
        *(tf.constant(value, dtype) for value in (center, radius, direction, origin))
    )
    expected = reference_intersections(center, radius, direction, origin)
    assert points.shape == (2, 50, 3) and normals.shape == (2, 50, 3)
    hit = ~np.isnan(expected[0, :, 0])
    assert 5 < hit.sum() < 45
    np.testing.assert_array_equal(np.isnan(points.numpy()), np.isnan(expected))
    np.testing.assert_allclose(points.numpy()[:, hit], expected[:, hit], atol=5e-5 if dtype == tf.float32 else 1e-12)
    np.testing.assert_allclose(
        normals.numpy()[:, hit], (expected[:, hit] - center) / radius, atol=5e-5 if dtype == tf.float32 else 1e-12
    )


def test_intersection_normalizes_directions_and_batches_spheres():
    centers = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 5.0]])
    radii = np.array([[1.0], [2.0]])
    points, normals = ray.intersection_ray_sphere(centers, radii, [[0.0, 0.0, 3.0]] * 2, [[0.0, 0.0, -10.0]] * 2)
    np.testing.assert_allclose(points[:, :, 2], [[-1.0, 3.0], [1.0, 7.0]])
    np.testing.assert_allclose(normals[:, :, 2], [[-1.0, -1.0], [1.0, 1.0]])


def test_gradients_are_finite_for_misses_tangents_and_rays_through_the_centre():
    """TensorFlow Graphics' gradients are nan for all three."""
    center, radius = tf.constant([0.0, 0.0, 0.0], tf.float64), tf.constant([1.0], tf.float64)
    direction = tf.constant([[1.0, 0.0, 0.0]] * 3, tf.float64)
    origin = tf.constant([[-5.0, 2.0, 0.0], [-5.0, 1.0, 0.0], [-5.0, 0.0, 0.0]], tf.float64)  # miss, tangent, centre
    with tf.GradientTape() as tape:
        tape.watch([center, radius, direction, origin])
        points, normals = ray.intersection_ray_sphere(center, radius, direction, origin)
        hit = ~tf.math.is_nan(points)
        total = tf.reduce_sum(tf.where(hit, points, 0.0)) + tf.reduce_sum(tf.where(hit, normals, 0.0))
    assert np.all(np.isnan(points.numpy()[:, 0])) and not np.any(np.isnan(points.numpy()[:, 1:]))
    gradients = tape.gradient(total, [center, radius, direction, origin])
    assert_all_finite(*gradients)
    assert np.all(gradients[3].numpy()[0] == 0)  # the miss contributes nothing


def test_intersection_jacobians_match_finite_differences():
    rng = np.random.default_rng(4)
    origin = rng.normal(size=(3, 3)) * 0.3 + [0.0, 0.0, -4.0]
    direction = np.array([[0.05, -0.1, 1.0], [0.1, 0.0, 1.0], [-0.1, 0.05, 1.0]])

    def copies_first(*inputs):  # the helper adds a leading axis of copies: move it before the 2
        return [tf.experimental.numpy.moveaxis(output, 0, 1) for output in ray.intersection_ray_sphere(*inputs)]

    assert_jacobians_match_finite_differences(
        copies_first, np.array([[0.1, 0.0, 0.2]]), np.array([[1.2]]), direction, origin
    )


# --- samplers ---


def test_stratified_samples_lie_on_the_rays_in_order():
    rng = np.random.default_rng(5)
    origin, direction = rng.normal(size=(3, 4, 3)), rng.normal(size=(3, 4, 3))
    points, z = ray.sample_stratified_1d(origin, direction, 1.0, 3.0, 8, seed=SEED)
    assert points.shape == (3, 4, 8, 3) and z.shape == (3, 4, 8)
    assert np.all(z.numpy() >= 1.0) and np.all(z.numpy() <= 3.0) and np.all(np.diff(z.numpy(), axis=-1) > 0)
    np.testing.assert_allclose(points, origin[..., None, :] + z.numpy()[..., None] * direction[..., None, :])


def test_inverse_transform_samples_follow_the_weights():
    origin, direction = np.zeros((2000, 3)), np.tile([0.0, 0.0, 1.0], (2000, 1))
    z_init = np.tile(np.linspace(0.0, 4.0, 5), (2000, 1))
    weights = np.tile([0.0, 0.0, 1.0, 1.0, 0.0], (2000, 1))  # all the mass between z = 1.5 and 3.5
    points, z = ray.sample_inverse_transform_stratified_1d(origin, direction, z_init, weights, 6, seed=SEED)
    assert z.shape == (2000, 11) and points.shape == (2000, 11, 3)
    assert np.all(np.diff(z.numpy(), axis=-1) >= 0)
    _, new = ray.sample_inverse_transform_stratified_1d(origin, direction, z_init, weights, 6, False, seed=SEED)
    new = new.numpy()
    assert new.shape == (2000, 6) and np.all((new >= 1.0) & (new <= 4.0))
    # Bins [1, 2] and [3, 4] have mean weight 0.5, bin [2, 3] has 1: half the samples.
    np.testing.assert_allclose(np.mean((new >= 2.0) & (new < 3.0)), 0.5, atol=0.02)


def test_inverse_transform_samples_carry_no_gradient():
    z_init = tf.constant([[0.0, 1.0, 2.0]])
    with tf.GradientTape() as tape:
        tape.watch(z_init)
        _, z = ray.sample_inverse_transform_stratified_1d([[0.0, 0, 0]], [[0.0, 0, 1]], z_init, [[1.0, 1, 1]], 4, False)
    assert tape.gradient(z, z_init) is None


@all_dtypes
def test_graph_and_xla_match_eager(dtype):
    rng = np.random.default_rng(6)
    start, end = (tf.constant(value, dtype) for value in random_rays_through(rng, rng.normal(size=(3, 3)), 4))
    weights = tf.constant(rng.uniform(0.5, 1, size=(3, 4)), dtype)
    assert_modes_match_eager(ray.triangulate, [start, end, weights], [2, 2, 1], rtol=1e-4, atol=1e-5)
    origin, direction = tf.constant(rng.normal(size=(5, 3)), dtype), tf.constant(rng.normal(size=(5, 3)), dtype)
    center, radius = tf.constant([0.1, 0.2, 0.3], dtype), tf.constant([2.0], dtype)

    def finite_intersections(c, r, d, o):
        points, normals = ray.intersection_ray_sphere(c, r, d, o)
        return [tf.where(tf.math.is_nan(value), -tf.ones_like(value), value) for value in (points, normals)]

    assert_modes_match_eager(finite_intersections, [center, radius, direction, origin], [1, 1, 1, 1])

    def samplers(o, d, w):
        coarse, z = ray.sample_stratified_1d(o, d, 0.5, 2.0, 4, seed=SEED)
        fine = ray.sample_inverse_transform_stratified_1d(o, d, z, w, 3, seed=SEED)
        return coarse, z, fine

    assert_modes_match_eager(samplers, [origin, direction, tf.constant(rng.uniform(size=(5, 4)), dtype)], [1, 1, 1])


def test_bad_arguments_are_named():
    rng = np.random.default_rng(7)
    start, end, weights = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), np.ones(4)
    assert_longer_last_axis_is_named(ray.triangulate, [start, end, weights], 0, "startpoints")
    assert_longer_last_axis_is_named(ray.triangulate, [start, end, weights], 1, "endpoints")
    with pytest.raises(ValueError, match="weights"):
        ray.triangulate(start, end, np.ones(3))
    inputs = [np.zeros(3), np.ones(1), np.ones((2, 3)), np.ones((2, 3))]
    for index, name in enumerate(["sphere_center", "sphere_radius", "ray", "point_on_ray"]):
        assert_longer_last_axis_is_named(ray.intersection_ray_sphere, inputs, index, name)
    assert_longer_last_axis_is_named(ray.sample_stratified_1d, [start, end, 0.0, 1.0, 3], 1, "ray_dir")
    with pytest.raises(ValueError, match="num_samples"):
        ray.sample_stratified_1d(start, end, 0.0, 1.0, 0)

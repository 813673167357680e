"""graphics_ops.geometry.point (distance_to_ray, project_to_ray) and grid.generate."""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.geometry import grid, point
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.testing import (
    all_dtypes,
    assert_all_finite,
    assert_jacobians_match_finite_differences,
    weighted_gradients,
)


def test_tensorflow_graphics_signatures():
    assert list(inspect.signature(point.distance_to_ray).parameters) == [
        "point",
        "origin",
        "direction",
        "keepdims",
        "name",
    ]
    assert list(inspect.signature(point.project_to_ray).parameters) == ["point", "origin", "direction", "name"]
    assert list(inspect.signature(grid.generate).parameters) == ["starts", "stops", "nums", "name"]


@all_dtypes
@pytest.mark.parametrize("dimension", [2, 3, 5])
def test_projection_and_distance_in_m_dimensions(dtype, dimension):
    rng = np.random.default_rng(dimension)
    points, origins = rng.normal(size=(2, 4, dimension)), rng.normal(size=(1, 4, dimension))
    directions = rng.normal(size=(2, 1, dimension)) * 3.0  # not unit: normalized by the op
    unit = directions / np.linalg.norm(directions, axis=-1, keepdims=True)
    expected = origins + np.sum((points - origins) * unit, -1, keepdims=True) * unit
    projected = point.project_to_ray(*(tf.constant(value, dtype) for value in (points, origins, directions)))
    atol = 1e-5 if dtype == tf.float32 else 1e-12
    np.testing.assert_allclose(projected, expected, atol=atol)
    distance = point.distance_to_ray(points, origins, directions)
    np.testing.assert_allclose(distance, np.linalg.norm(points - expected, axis=-1, keepdims=True), atol=1e-12)
    assert point.distance_to_ray(points, origins, directions, keepdims=False).shape == (2, 4)


def test_points_on_the_ray_and_zero_directions_have_finite_gradients():
    """tf.norm's gradient (TensorFlow Graphics) is nan at distance 0."""
    origin, direction = np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.0, 2.0])
    on_ray = origin + 0.7 * direction
    for inputs in ((on_ray, origin, direction), (on_ray, origin, np.zeros(3)), (origin, origin, np.zeros(3))):
        for function in (point.distance_to_ray, point.project_to_ray):
            assert_all_finite(function(*inputs), *weighted_gradients(function, *inputs))
    assert point.distance_to_ray(on_ray, origin, direction).numpy() == pytest.approx([0.0])
    # A zero direction: the "ray" is its origin.
    np.testing.assert_allclose(point.distance_to_ray(on_ray, origin, np.zeros(3)), [np.linalg.norm(on_ray - origin)])
    np.testing.assert_array_equal(point.project_to_ray(on_ray, origin, np.zeros(3)), origin)


def test_point_jacobians_match_finite_differences():
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(3, 4)) for _ in range(3)]
    assert_jacobians_match_finite_differences(point.distance_to_ray, *inputs)
    assert_jacobians_match_finite_differences(point.project_to_ray, *inputs)


def test_grid_matches_tensorflow_graphics_example():
    expected = np.stack(np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-2, 2, 5), indexing="ij"), axis=-1)
    np.testing.assert_allclose(grid.generate((-1.0, -2.0), (1.0, 2.0), (3, 5)), expected)
    batched = grid.generate([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], [[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]], np.array([2, 3, 1]))
    assert batched.shape == (2, 2, 3, 1, 3)
    np.testing.assert_allclose(batched[1, 1, 2, 0], [2.0, 2.0, 1.0])  # a single point along z: the start
    assert grid.generate(tf.zeros([4, 1, 2], tf.float64), tf.ones([3, 2], tf.float64), tf.constant([2, 2])).shape == (
        4,
        3,
        2,
        2,
        2,
    )


def test_grid_is_differentiable_in_starts_and_stops():
    assert_jacobians_match_finite_differences(
        lambda a, b: grid.generate(a, b, [3, 2]), np.array([[0.0, 1.0]]), np.array([[2.0, -1.0]])
    )


@all_dtypes
def test_graph_and_xla_match_eager(dtype):
    rng = np.random.default_rng(1)
    inputs = [tf.constant(rng.normal(size=(4, 3)), dtype) for _ in range(3)]
    both = lambda p, o, d: (point.distance_to_ray(p, o, d), point.project_to_ray(p, o, d))  # noqa: E731
    assert_modes_match_eager(both, inputs, [1, 1, 1])
    assert_modes_match_eager(lambda a, b: grid.generate(a, b, [2, 3, 4]), inputs[:2], [1, 1])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="dimension M"):
        point.distance_to_ray(np.zeros(3), np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match="direction"):
        point.project_to_ray(np.zeros((2, 3)), np.zeros(3), np.ones((3, 3)))
    with pytest.raises(ValueError, match="nums"):
        grid.generate([0.0, 0.0], [1.0, 1.0], [2, 0])
    with pytest.raises(ValueError, match="nums"):
        grid.generate([0.0, 0.0], [1.0, 1.0], [2, 2, 2])
    with pytest.raises(ValueError, match="stops"):
        grid.generate([0.0, 0.0], [1.0, 1.0, 1.0], [2, 2])
    unknown = tf.function(lambda n: grid.generate([0.0], [1.0], n), input_signature=[tf.TensorSpec([1], tf.int32)])
    with pytest.raises(ValueError, match="nums"):
        unknown(tf.constant([3]))

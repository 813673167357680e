"""Every public function of graphics_ops.math, through one table of example inputs.

Checks: TensorFlow Graphics' API (names, argument names and order), tf.function with unknown batch
dimensions and jit_compile against eager, float32 and float64 in and out, Jacobians against finite
differences, and errors naming the argument for bad shapes.
"""

import numpy as np
import pytest
import tensorflow as tf
from scipy.spatial.transform import Rotation

from graphics_ops import math as gmath
from graphics_ops.math.interpolation import bspline, slerp, trilinear, weighted
from tests.graphics_ops.api_testing import (
    assert_graph_and_xla_match_eager,
    assert_op_jacobians_match,
    assert_tensorflow_graphics_api,
)
from tests.graphics_ops.testing import assert_longer_last_axis_is_named

# TensorFlow Graphics' math: every public function and its arguments before `name`.
TFG_API = {
    "math_helpers": {
        "cartesian_to_spherical_coordinates": ["point_cartesian", "eps"],
        "double_factorial": ["n"],
        "factorial": ["n"],
        "spherical_to_cartesian_coordinates": ["point_spherical"],
        "square_to_spherical_coordinates": ["point_2d"],
    },
    "vector": {
        "cross": ["vector1", "vector2", "axis"],
        "dot": ["vector1", "vector2", "axis", "keepdims"],
        "reflect": ["vector", "normal", "axis"],
    },
    "interpolation.bspline": {
        "interpolate": ["knots", "positions", "degree", "cyclical"],
        "interpolate_with_weights": ["knots", "weights"],
        "knot_weights": ["positions", "num_knots", "degree", "cyclical", "sparse_mode"],
    },
    "interpolation.slerp": {
        "interpolate": ["vector1", "vector2", "percent", "method", "eps"],
        "interpolate_with_weights": ["vector1", "vector2", "weight1", "weight2"],
        "quaternion_weights": ["quaternion1", "quaternion2", "percent", "eps"],
        "vector_weights": ["vector1", "vector2", "percent", "eps"],
    },
    "interpolation.trilinear": {"interpolate": ["grid_3d", "sampling_points"]},
    "interpolation.weighted": {
        "get_barycentric_coordinates": ["triangle_vertices", "pixels"],
        "interpolate": ["points", "weights", "indices", "normalize", "allow_negative_weights"],
    },
    "optimizer.levenberg_marquardt": {
        "minimize": ["residuals", "variables", "max_iterations", "regularizer", "regularizer_multiplier", "callback"]
    },
}


def _module(path):
    module = gmath
    for part in path.split("."):
        module = getattr(module, part)
    return module


def _unit(rng, shape):
    vectors = rng.normal(size=shape)
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def _quaternions(rng, batch):
    return Rotation.random(int(np.prod(batch)), random_state=rng.integers(1 << 30)).as_quat().reshape(batch + (4,))


# name -> (function of tensors, input maker(rng, batch), whether the last axis is a checked inner axis).
CASES = {
    "math_helpers.cartesian_to_spherical_coordinates": (
        gmath.math_helpers.cartesian_to_spherical_coordinates,
        lambda rng, batch: [rng.normal(size=batch + (3,))],
    ),
    "math_helpers.spherical_to_cartesian_coordinates": (
        gmath.math_helpers.spherical_to_cartesian_coordinates,
        lambda rng, batch: [rng.uniform([0.5, 0.2, -3.0], [2.0, 2.9, 3.0], size=batch + (3,))],
    ),
    "math_helpers.square_to_spherical_coordinates": (
        gmath.math_helpers.square_to_spherical_coordinates,
        lambda rng, batch: [rng.uniform(0.05, 0.95, size=batch + (2,))],
    ),
    "math_helpers.factorial": (gmath.math_helpers.factorial, lambda rng, batch: [rng.uniform(0.5, 6.0, size=batch)]),
    "vector.cross": (
        gmath.vector.cross,
        lambda rng, batch: [rng.normal(size=batch + (3,)), rng.normal(size=batch + (3,))],
    ),
    "vector.dot": (gmath.vector.dot, lambda rng, batch: [rng.normal(size=batch + (5,)), rng.normal(size=batch + (5,))]),
    "vector.reflect": (
        gmath.vector.reflect,
        lambda rng, batch: [rng.normal(size=batch + (3,)), _unit(rng, batch + (3,))],
    ),
    "slerp.interpolate": (
        slerp.interpolate,
        lambda rng, batch: [_quaternions(rng, batch), _quaternions(rng, batch), rng.uniform(size=batch + (1,))],
    ),
    "slerp.interpolate(VECTOR)": (
        lambda v1, v2, t: slerp.interpolate(v1, v2, t, method=slerp.InterpolationType.VECTOR),
        lambda rng, batch: [
            rng.normal(size=batch + (5,)),
            rng.normal(size=batch + (5,)),
            rng.uniform(size=batch + (1,)),
        ],
    ),
    "slerp.interpolate_with_weights": (
        slerp.interpolate_with_weights,
        lambda rng, batch: [
            rng.normal(size=batch + (4,)),
            rng.normal(size=batch + (4,)),
            rng.normal(size=batch + (1,)),
            rng.normal(size=batch + (1,)),
        ],
    ),
    "slerp.quaternion_weights": (
        slerp.quaternion_weights,
        lambda rng, batch: [_quaternions(rng, batch), _quaternions(rng, batch), rng.uniform(size=batch + (1,))],
    ),
    "slerp.vector_weights": (
        slerp.vector_weights,
        lambda rng, batch: [
            rng.normal(size=batch + (3,)),
            rng.normal(size=batch + (3,)),
            rng.uniform(size=batch + (1,)),
        ],
    ),
    "bspline.knot_weights": (
        lambda positions: bspline.knot_weights(positions, 7, 3, False),
        lambda rng, batch: [rng.uniform(0.05, 3.95, size=batch)],
    ),
    "bspline.knot_weights(cyclical)": (
        lambda positions: bspline.knot_weights(positions, 7, 2, True),
        lambda rng, batch: [rng.uniform(0.05, 6.95, size=batch)],
    ),
    "bspline.interpolate_with_weights": (
        lambda knots, weights: bspline.interpolate_with_weights(knots, weights),
        lambda rng, batch: [rng.normal(size=(2, 6)), rng.uniform(size=batch + (6,))],
    ),
    "bspline.interpolate": (
        lambda knots, positions: bspline.interpolate(knots, positions, 4, False),
        lambda rng, batch: [rng.normal(size=(2, 7)), rng.uniform(0.05, 2.95, size=batch)],
    ),
    "trilinear.interpolate": (
        trilinear.interpolate,
        lambda rng, batch: [
            rng.normal(size=batch + (3, 4, 2, 2)),
            rng.uniform(0.05, [1.9, 2.9, 0.95], size=batch + (5, 3)),
        ],
    ),
    "weighted.interpolate": (
        lambda points, weights: weighted.interpolate(points, weights, [[[0], [2]]]),
        lambda rng, batch: [rng.normal(size=(4, 3)), rng.uniform(0.1, 1.0, size=batch + (2,))],
    ),
    "weighted.get_barycentric_coordinates": (
        weighted.get_barycentric_coordinates,
        lambda rng, batch: [rng.normal(size=batch + (3, 2)), rng.normal(size=batch + (4, 2))],
    ),
}
# Cases whose first input has no batch axis (the batch is that of the second input).
UNBATCHED_FIRST = {"bspline.interpolate_with_weights", "bspline.interpolate", "weighted.interpolate"}
NOT_DIFFERENTIABLE = {"weighted.get_barycentric_coordinates": [1]}  # outputs (by index) without gradients


def _inputs(name, batch, seed=0):
    return CASES[name][1](np.random.default_rng(seed), batch)


def test_tensorflow_graphics_api_is_complete():
    assert assert_tensorflow_graphics_api(TFG_API, _module) == 19


def test_enums_have_tensorflow_graphics_members():
    assert [member.name for member in bspline.Degree] == ["CONSTANT", "LINEAR", "QUADRATIC", "CUBIC", "QUARTIC"]
    assert [member.name for member in slerp.InterpolationType] == ["VECTOR", "QUATERNION"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_xla_match_eager(name):
    def unknown_dims(index, dims):
        unbatched = index == 0 and name in UNBATCHED_FIRST
        return dims if unbatched or not dims else [None] + dims[1:]

    assert_graph_and_xla_match_eager(CASES[name][0], _inputs(name, (3,)), unknown_dims, 1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobians_match_finite_differences(name):
    assert_op_jacobians_match(CASES[name][0], _inputs(name, (2,), seed=1), NOT_DIFFERENTIABLE.get(name, ()))


# name -> (function, index of the argument with a checked last axis, its name).
LONGER_LAST_AXIS = [
    ("math_helpers.cartesian_to_spherical_coordinates", 0, "point_cartesian"),
    ("math_helpers.spherical_to_cartesian_coordinates", 0, "point_spherical"),
    ("math_helpers.square_to_spherical_coordinates", 0, "point_2d"),
    ("vector.cross", 0, "vector1"),
    ("vector.cross", 1, "vector2"),
    ("vector.dot", 1, "vector2"),
    ("vector.reflect", 1, "normal"),
    ("slerp.interpolate", 0, "quaternion1"),
    ("slerp.interpolate", 2, "percent"),
    ("slerp.quaternion_weights", 1, "quaternion2"),
    ("slerp.vector_weights", 1, "vector2"),
    ("slerp.interpolate_with_weights", 3, "weight2"),
    ("bspline.interpolate_with_weights", 1, "weights"),
    ("trilinear.interpolate", 1, "sampling_points"),
    ("weighted.interpolate", 1, "weights"),
    ("weighted.get_barycentric_coordinates", 0, "triangle_vertices"),
    ("weighted.get_barycentric_coordinates", 1, "pixels"),
]


@pytest.mark.parametrize("name, index, argument", LONGER_LAST_AXIS)
def test_bad_shapes_name_the_argument(name, index, argument):
    assert_longer_last_axis_is_named(CASES[name][0], _inputs(name, (2,)), index, argument)


def test_mismatched_batch_dimensions_name_both_arguments():
    with pytest.raises(ValueError, match="vector1 and vector2"):
        gmath.vector.cross(np.ones((2, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="grid_3d and sampling_points"):
        trilinear.interpolate(np.ones((2, 3, 3, 3, 1)), np.ones((3, 5, 3)))


def test_mixed_dtypes_are_rejected():
    with pytest.raises(TypeError, match="vector2 must have dtype float64"):
        gmath.vector.dot(tf.ones([3], tf.float64), tf.ones([3], tf.float32))
    with pytest.raises(TypeError, match="percent must have dtype float32"):
        slerp.quaternion_weights(tf.ones([4]), tf.ones([4]), np.float64(0.5))

"""Counts, sizes and chunk lengths given as Python values go through one check, `util.arguments`."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.image import matting
from graphics_ops.math import sampling
from graphics_ops.math.interpolation import bspline
from graphics_ops.math.optimizer import levenberg_marquardt
from graphics_ops.nn.metric import intersection_over_union
from graphics_ops.rendering import splat
from graphics_ops.rendering.texture import mipmap
from graphics_ops.util import arguments

# Each op called with its count argument set to `count`, everything else valid.
OPS = {
    "grid_size": lambda count: intersection_over_union.evaluate(np.ones((2, 3)), np.ones((2, 3)), grid_size=count),
    "num_samples": lambda count: sampling.stratified_1d(0.0, 1.0, count),
    "max_iterations": lambda count: levenberg_marquardt.minimize(
        lambda x: x - 1.0, [tf.constant(0.0, tf.float64)], count
    ),
    "num_knots": lambda count: bspline.knot_weights(np.zeros(2, np.float32), count, 0, False),
    "num_layers": lambda count: splat.rasterize_then_splat(
        np.zeros((3, 3), np.float32),
        [[0, 1, 2]],
        np.zeros((3, 4), np.float32),
        np.eye(4, dtype=np.float32)[None],
        4,
        4,
        lambda rgba: rgba,
        num_layers=count,
    ),
    "num_mipmap_levels": lambda count: mipmap.map_texture(
        np.zeros((2, 2, 2), np.float32), texture_image=np.zeros((4, 4, 3), np.float32), num_mipmap_levels=count
    ),
}


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("count", [0, -2, True, 2.0, "3", None])
def test_a_count_that_is_not_a_positive_int_is_refused_by_name(name, count):
    with pytest.raises(ValueError, match=rf"^{name} must be a positive int, got {count!r}$"):
        OPS[name](count)


@pytest.mark.parametrize("name", OPS)
def test_a_numpy_integer_count_is_taken(name):
    OPS[name](np.int64(1))


def test_check_positive_int_returns_a_python_int():
    assert type(arguments.check_positive_int(np.int32(3), "k")) is int
    with pytest.raises(ValueError, match="^k must be a positive int"):
        arguments.check_positive_int(np.bool_(False), "k")


@pytest.mark.parametrize("size", [0, 2, True, 3.0])
def test_the_matting_window_is_an_odd_positive_int(size):
    with pytest.raises(ValueError, match="^size must be an odd positive int"):
        matting.build_matrices(np.zeros((1, 5, 5, 3), np.float32), size=size)

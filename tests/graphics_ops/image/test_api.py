"""Every public function of graphics_ops.image, through one table of example inputs.

Checks: TensorFlow Graphics' API (names, argument names and order, enums), tf.function with unknown
batch and image sizes and jit_compile against eager, float32 and float64 in and out, Jacobians
against finite differences, and errors naming the argument for bad shapes and arguments.
"""

import numpy as np
import pytest

from graphics_ops import image
from graphics_ops.image import matting, pyramid, transformer
from graphics_ops.image.color_space import linear_rgb, srgb
from tests.graphics_ops.api_testing import (
    assert_graph_and_xla_match_eager,
    assert_op_jacobians_match,
    assert_tensorflow_graphics_api,
)

TFG_API = {
    "pyramid": {
        "downsample": ["image", "num_levels"],
        "merge": ["levels"],
        "split": ["image", "num_levels"],
        "upsample": ["image", "num_levels"],
    },
    "transformer": {
        "perspective_transform": [
            "image",
            "transform_matrix",
            "output_shape",
            "resampling_type",
            "border_type",
            "pixel_type",
        ],
        "sample": ["image", "warp", "resampling_type", "border_type", "pixel_type"],
    },
    "matting": {
        "build_matrices": ["image", "size", "eps"],
        "linear_coefficients": ["matte", "pseudo_inverse"],
        "loss": ["matte", "laplacian"],
        "reconstruct": ["image", "coeff_mul", "coeff_add"],
    },
    "color_space.linear_rgb": {"from_srgb": ["srgb"]},
    "color_space.srgb": {"from_linear_rgb": ["linear_rgb"]},
}


def _module(path):
    module = image
    for part in path.split("."):
        module = getattr(module, part)
    return module


def _image(rng, batch, height=5, width=6, channels=2):
    return rng.uniform(size=(batch, height, width, channels))


def _homography(rng, batch):
    matrix = np.eye(3) + rng.normal(scale=[[0.05, 0.05, 0.5], [0.05, 0.05, 0.5], [0.01, 0.01, 0.0]], size=(batch, 3, 3))
    return matrix


def _matrices_and_matte(build):
    def function(picture, matte):
        laplacian, pseudo_inverse = matting.build_matrices(picture, 3, 1e-2)
        return build(matte, laplacian, pseudo_inverse)

    return function


# name -> (function of tensors, input maker(rng, batch), axes of the inputs left unknown in graph mode).
CASES = {
    "pyramid.downsample": (lambda x: pyramid.downsample(x, 2), lambda rng, b: [_image(rng, b, 7, 6)]),
    "pyramid.upsample": (lambda x: pyramid.upsample(x, 2), lambda rng, b: [_image(rng, b, 3, 2)]),
    "pyramid.split": (lambda x: pyramid.split(x, 2), lambda rng, b: [_image(rng, b, 7, 6)]),
    "pyramid.merge": (
        lambda a, b, c: pyramid.merge([a, b, c]),
        lambda rng, b: [_image(rng, b, 7, 6), _image(rng, b, 4, 3), _image(rng, b, 2, 2)],
    ),
    "transformer.sample(bilinear, zero)": (
        transformer.sample,
        lambda rng, b: [_image(rng, b), rng.uniform(-1.5, 7.5, size=(b, 4, 3, 2))],
    ),
    "transformer.sample(bilinear, duplicate, integer)": (
        lambda x, w: transformer.sample(
            x, w, border_type=transformer.BorderType.DUPLICATE, pixel_type=transformer.PixelType.INTEGER
        ),
        lambda rng, b: [_image(rng, b), rng.uniform(-1.5, 7.5, size=(b, 5, 2))],
    ),
    "transformer.sample(nearest)": (
        lambda x, w: transformer.sample(x, w, resampling_type=transformer.ResamplingType.NEAREST),
        lambda rng, b: [_image(rng, b), rng.uniform(-1.5, 7.5, size=(b, 5, 2)) + 0.01],
    ),
    "transformer.perspective_transform": (
        transformer.perspective_transform,
        lambda rng, b: [_image(rng, b), _homography(rng, b)],
    ),
    "transformer.perspective_transform(output_shape)": (
        lambda x, m: transformer.perspective_transform(
            x, m, output_shape=(3, 4), border_type=transformer.BorderType.DUPLICATE
        ),
        lambda rng, b: [_image(rng, b), _homography(rng, b)],
    ),
    "matting.build_matrices": (
        lambda x: matting.build_matrices(x, 3, 1e-2),
        lambda rng, b: [_image(rng, b, 4, 5, 3)],
    ),
    "matting.linear_coefficients": (
        _matrices_and_matte(
            lambda matte, laplacian, pseudo_inverse: matting.linear_coefficients(matte, pseudo_inverse)
        ),
        lambda rng, b: [_image(rng, b, 4, 5, 3), _image(rng, b, 4, 5, 1)],
    ),
    "matting.loss": (
        _matrices_and_matte(lambda matte, laplacian, pseudo_inverse: matting.loss(matte, laplacian)),
        lambda rng, b: [_image(rng, b, 4, 5, 3), _image(rng, b, 4, 5, 1)],
    ),
    "matting.reconstruct": (
        matting.reconstruct,
        lambda rng, b: [_image(rng, b, 3, 4, 3), rng.normal(size=(b, 3, 4, 3)), rng.normal(size=(b, 3, 4, 1))],
    ),
    "linear_rgb.from_srgb": (linear_rgb.from_srgb, lambda rng, b: [rng.uniform(0.05, 1.0, size=(b, 4, 3))]),
    "srgb.from_linear_rgb": (srgb.from_linear_rgb, lambda rng, b: [rng.uniform(0.01, 1.0, size=(b, 4, 3))]),
}
# Cases whose image height and width may also be unknown in graph mode (the rest know them).
UNKNOWN_SIZES = {name for name in CASES if name.startswith(("pyramid", "transformer", "linear_rgb", "srgb"))}


def _inputs(name, batch, seed=0):
    return CASES[name][1](np.random.default_rng(seed), batch)


def test_tensorflow_graphics_api_is_complete():
    assert assert_tensorflow_graphics_api(TFG_API, _module) == 12
    assert [m.name for m in transformer.ResamplingType] == ["NEAREST", "BILINEAR"]
    assert [m.name for m in transformer.BorderType] == ["ZERO", "DUPLICATE"]
    assert [m.name for m in transformer.PixelType] == ["INTEGER", "HALF_INTEGER"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_xla_match_eager(name):
    def unknown_dims(index, dims):
        if name in UNKNOWN_SIZES and len(dims) == 4:
            return [None, None, None, dims[3]]
        return [None] + dims[1:]

    assert_graph_and_xla_match_eager(CASES[name][0], _inputs(name, 2), unknown_dims, 1e-4, xla_with_unknown_dims=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobians_match_finite_differences(name):
    function, inputs = CASES[name][0], _inputs(name, 1, seed=1)
    if name == "transformer.sample(nearest)":  # the warp has no gradient
        warp = inputs.pop()
        function = lambda x: CASES[name][0](x, warp)  # noqa: E731
    assert_op_jacobians_match(function, inputs, tolerance=1e-5)


BAD_CALLS = [
    ("image", lambda: pyramid.downsample(np.ones((4, 4, 1)), 1)),
    ("num_levels", lambda: pyramid.split(np.ones((1, 4, 4, 1)), -1)),
    ("levels\\[1\\]", lambda: pyramid.merge([np.ones((1, 4, 4, 2)), np.ones((1, 2, 2, 3))])),
    ("levels", lambda: pyramid.merge([])),
    ("levels\\[1\\] must be half the size", lambda: pyramid.merge([np.ones((1, 5, 4, 1)), np.ones((1, 2, 2, 1))])),
    ("image", lambda: transformer.sample(np.ones((4, 4, 1)), np.ones((1, 2, 2)))),
    ("warp", lambda: transformer.sample(np.ones((1, 4, 4, 1)), np.ones((1, 2, 3)))),
    (
        "warp and image must have the same batch size",
        lambda: transformer.sample(np.ones((2, 4, 4, 1)), np.ones((3, 2, 2))),
    ),
    ("border_type", lambda: transformer.sample(np.ones((1, 4, 4, 1)), np.ones((1, 2, 2)), border_type="zero")),
    ("transform_matrix", lambda: transformer.perspective_transform(np.ones((1, 4, 4, 1)), np.ones((1, 3, 4)))),
    ("transform_matrix", lambda: transformer.perspective_transform(np.ones((1, 4, 4, 1)), np.ones((1, 1, 3, 3)))),
    ("output_shape", lambda: transformer.perspective_transform(np.ones((1, 4, 4, 1)), np.ones((1, 3, 3)), (1, 2, 3))),
    ("size", lambda: matting.build_matrices(np.ones((1, 4, 4, 3)), size=2)),
    ("eps", lambda: matting.build_matrices(np.ones((1, 4, 4, 3)), eps=0.0)),
    ("matte", lambda: matting.loss(np.ones((1, 4, 4, 2)), np.ones((1, 2, 2, 9, 9)))),
    ("laplacian", lambda: matting.loss(np.ones((1, 4, 4, 1)), np.ones((1, 2, 2, 8, 8)))),
    ("pseudo_inverse", lambda: matting.linear_coefficients(np.ones((1, 4, 4, 1)), np.ones((2, 2, 2, 4, 9)))),
    ("coeff_add", lambda: matting.reconstruct(np.ones((1, 4, 4, 3)), np.ones((1, 4, 4, 3)), np.ones((1, 4, 4, 2)))),
    ("srgb", lambda: linear_rgb.from_srgb(np.ones((2, 4)))),
    ("linear_rgb", lambda: srgb.from_linear_rgb(np.ones((2, 2)))),
]


@pytest.mark.parametrize("argument, call", BAD_CALLS, ids=[f"{i}-{a}" for i, (a, _) in enumerate(BAD_CALLS)])
def test_bad_arguments_are_named(argument, call):
    with pytest.raises(ValueError, match=argument):
        call()

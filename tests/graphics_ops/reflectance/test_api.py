"""Every public function of graphics_ops.reflectance, through one table of example inputs.

Checks: TensorFlow Graphics' API (names, argument names and order), tf.function with unknown batch
dimensions and jit_compile against eager, float32 and float64, Jacobians against finite differences,
broadcasting of batch dimensions, and errors naming the argument for bad shapes.
"""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import reflectance
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.shading_testing import random_shading_frames
from tests.graphics_ops.testing import (
    assert_broadcast_equals_tiled,
    assert_jacobians_match_finite_differences,
    assert_longer_last_axis_is_named,
    assert_longer_last_axis_is_named_at_run_time,
    jacobians,
)

# TensorFlow Graphics' rendering.reflectance: every public function and its arguments before `name`.
DIRECTIONS = ["direction_incoming_light", "direction_outgoing_light", "surface_normal"]
SPECULAR = [*DIRECTIONS, "shininess", "albedo", "brdf_normalization"]
TFG_API = {
    "lambertian": {"brdf": [*DIRECTIONS, "albedo"]},
    "phong": {"brdf": SPECULAR},
    "blinn_phong": {"brdf": SPECULAR},
}
EXTRAS = {"ggx": {"brdf", "distribution", "visibility", "fresnel_schlick"}}

FRAME = ["incoming", "outgoing", "normal"]
# function -> kinds of its tensor arguments, in order.
CASES = {
    "lambertian.brdf": FRAME + ["color"],
    "phong.brdf": FRAME + ["shininess", "color"],
    "blinn_phong.brdf": FRAME + ["shininess", "color"],
    "ggx.brdf": FRAME + ["color", "fraction", "roughness"],
    "ggx.distribution": ["cosine", "roughness"],
    "ggx.visibility": ["cosine", "cosine", "roughness"],
    "ggx.fresnel_schlick": ["color", "cosine"],
}
SCALAR_KINDS = {
    "color": lambda rng, batch: rng.uniform(0.0, 1.0, size=batch + (3,)),
    "shininess": lambda rng, batch: rng.uniform(0.5, 30.0, size=batch + (1,)),
    "fraction": lambda rng, batch: rng.uniform(0.0, 1.0, size=batch + (1,)),
    # Away from the clamp at 0.045, and rough enough for central differences to be accurate.
    "roughness": lambda rng, batch: rng.uniform(0.3, 0.95, size=batch + (1,)),
    "cosine": lambda rng, batch: rng.uniform(0.05, 0.95, size=batch + (1,)),
}


def _function(qualified_name):
    module, function = qualified_name.split(".")
    return getattr(getattr(reflectance, module), function)


def _inputs(qualified_name, batch, seed=0):
    rng = np.random.default_rng(seed)
    count = int(np.prod(batch))
    frame = [array.reshape(batch + (3,)) for array in random_shading_frames(rng, count)]
    inputs = []
    for kind in CASES[qualified_name]:
        inputs.append(frame[FRAME.index(kind)] if kind in FRAME else SCALAR_KINDS[kind](rng, batch))
    return inputs


def _argument_names(qualified_name):
    return list(inspect.signature(_function(qualified_name)).parameters)[: len(CASES[qualified_name])]


def test_tensorflow_graphics_api_is_complete():
    for module_name, functions in TFG_API.items():
        for function_name, arguments in functions.items():
            parameters = list(inspect.signature(getattr(getattr(reflectance, module_name), function_name)).parameters)
            assert parameters[: parameters.index("name")] == arguments, f"{module_name}.{function_name}"
            assert parameters[-1] == "name"


def test_modules_export_only_declared_functions():
    assert sorted(reflectance.__all__) == sorted(set(TFG_API) | set(EXTRAS))
    for module_name in reflectance.__all__:
        module = getattr(reflectance, module_name)
        public = {name for name, value in vars(module).items() if callable(value) and not name.startswith("_")}
        public = {name for name in public if getattr(vars(module)[name], "__module__", None) == module.__name__}
        declared = set(TFG_API.get(module_name, {})) | EXTRAS.get(module_name, set())
        assert public == declared, module_name
    assert {f"{module}.{name}" for module, names in EXTRAS.items() for name in names} | {
        f"{module}.{name}" for module, names in TFG_API.items() for name in names
    } == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_xla_match_eager(name):
    function = _function(name)
    for dtype in (tf.float32, tf.float64):
        inputs = [tf.constant(value, dtype) for value in _inputs(name, (4,))]
        assert all(output.dtype == dtype for output in tf.nest.flatten(function(*inputs)))
        inner_ranks = [value.shape.rank - 1 for value in inputs]  # the leading axis is unknown while tracing
        assert_modes_match_eager(function, inputs, inner_ranks, jit=dtype == tf.float32)


def test_ggx_multiple_scattering_under_xla():
    inputs = [tf.constant(value, tf.float32) for value in _inputs("ggx.brdf", (4,))]
    signature = [tf.TensorSpec([None] + value.shape[1:].as_list()) for value in inputs]

    def brdf(*args):
        return reflectance.ggx.brdf(*args, multiple_scattering=True)

    compiled = tf.function(brdf, input_signature=signature, jit_compile=True)
    np.testing.assert_allclose(compiled(*inputs), brdf(*inputs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobians_match_finite_differences(name):
    assert_jacobians_match_finite_differences(_function(name), *_inputs(name, (2,), seed=1), tolerance=1e-5)


def test_ggx_multiple_scattering_jacobians():
    def brdf(*args):
        return reflectance.ggx.brdf(*args, multiple_scattering=True)

    assert_jacobians_match_finite_differences(brdf, *_inputs("ggx.brdf", (2,), seed=3), tolerance=1e-5)


@pytest.mark.parametrize("name", ["ggx.brdf", "phong.brdf"])
def test_batched_jacobians_equal_tf_test_compute_gradient(name):
    inputs = [tf.constant(value) for value in _inputs(name, (2,), seed=1)]
    flat = tf.function(lambda *args: tf.reshape(_function(name)(*args), [-1]))
    theoretical, numerical = tf.test.compute_gradient(flat, inputs, delta=1e-6)
    for (ours, our_estimate), jacobian, estimate in zip(jacobians(_function(name), *inputs), theoretical, numerical):
        np.testing.assert_allclose(ours, jacobian, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(our_estimate, estimate, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_batch_dimensions_broadcast(name):
    function = _function(name)
    first, rest = _inputs(name, (2, 1)), _inputs(name, (1, 3), seed=2)
    inputs = first[:1] + rest[1:]
    tiled = [np.broadcast_to(value, (2, 3) + value.shape[2:]) for value in inputs]
    assert_broadcast_equals_tiled(function, inputs, tiled)


BAD_SHAPE_CASES = [(name, index) for name in sorted(CASES) for index in range(len(CASES[name]))]


@pytest.mark.parametrize("name,index", BAD_SHAPE_CASES)
def test_bad_last_dimension_names_the_argument(name, index):
    argument = _argument_names(name)[index]
    pattern = rf"^{argument} must have shape \[A1, \.\.\., An, \d\], got \[2, \d\]$"
    assert_longer_last_axis_is_named(_function(name), _inputs(name, (2,)), index, argument, pattern)


@pytest.mark.parametrize("name,index", [("ggx.brdf", 5), ("phong.brdf", 0), ("lambertian.brdf", 3)])
def test_bad_shapes_found_at_run_time_name_the_argument(name, index):
    argument = _argument_names(name)[index]
    assert_longer_last_axis_is_named_at_run_time(_function(name), _inputs(name, (2,)), index, argument)


def test_incompatible_batch_dimensions_name_the_arguments():
    inputs = _inputs("ggx.brdf", (2,))
    inputs[3] = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"broadcast-compatible, got .*base_color \[5, 3\]"):
        reflectance.ggx.brdf(*inputs)


def test_name_scopes_follow_the_name_argument():
    graph = tf.function(lambda l, v, n, a: reflectance.lambertian.brdf(l, v, n, a, name="my_brdf"))
    concrete = graph.get_concrete_function(*[tf.TensorSpec([None, 3])] * 4)
    assert any(op.name.startswith("my_brdf/") for op in concrete.graph.get_operations())
    default = tf.function(reflectance.ggx.brdf).get_concrete_function(
        *[tf.TensorSpec([None, 3])] * 4, tf.TensorSpec([None, 1]), tf.TensorSpec([None, 1])
    )
    assert any(op.name.startswith("ggx_brdf/") for op in default.graph.get_operations())

"""Every public function of graphics_ops.lighting's point, directional and ambient lights, through a table.

Checks: TensorFlow Graphics' API for `point_light.estimate_radiance`, the shared API of point and
directional lights, tf.function with unknown batch dimensions and jit_compile against eager,
float32 and float64, Jacobians against finite differences, light and surface batch dimensions,
and errors naming the argument for bad shapes. Spherical harmonics: test_lighting_spherical_harmonics.py.
"""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import lighting
from graphics_ops.reflectance import ggx
from tests.graphics_ops.modes_testing import assert_modes_match_eager
from tests.graphics_ops.shading_testing import random_unit
from tests.graphics_ops.testing import (
    assert_jacobians_match_finite_differences,
    assert_longer_last_axis_is_named,
    flat_numpy,
    jacobians,
)

TFG_POINT_LIGHT = [
    "point_light_radiance",
    "point_light_position",
    "surface_point_position",
    "surface_point_normal",
    "observation_point",
    "brdf",
    "name",
    "reflected_light_fall_off",
]


def _material_brdf(incoming, outgoing, normal):
    """A GGX material shared by every surface point (broadcasts against any batch)."""
    dtype = incoming.dtype
    return ggx.brdf(
        incoming,
        outgoing,
        normal,
        tf.constant([0.8, 0.5, 0.3], dtype),
        tf.constant([0.3], dtype),
        tf.constant([0.6], dtype),
    )


def _point_radiance(*args):
    return lighting.point_light.estimate_radiance(*args, brdf=_material_brdf)


def _point_radiance_fall_off(*args):
    return lighting.point_light.estimate_radiance(*args, brdf=_material_brdf, reflected_light_fall_off=True)


def _directional_radiance(*args):
    return lighting.directional_light.estimate_radiance(*args, brdf=_material_brdf)


# name -> (function, kinds of its light arguments, kinds of its surface arguments)
CASES = {
    "point_light.incoming_light": (lighting.point_light.incoming_light, ["power", "light_position"], ["position"]),
    "point_light.estimate_radiance": (_point_radiance, ["power", "light_position"], ["position", "normal", "observer"]),
    "point_light.estimate_radiance_fall_off": (
        _point_radiance_fall_off,
        ["power", "light_position"],
        ["position", "normal", "observer"],
    ),
    "directional_light.incoming_light": (
        lighting.directional_light.incoming_light,
        ["power", "direction"],
        ["position"],
    ),
    "directional_light.estimate_radiance": (
        _directional_radiance,
        ["power", "direction"],
        ["position", "normal", "observer"],
    ),
    "ambient_light.estimate_radiance": (lighting.ambient_light.estimate_radiance, ["power"], ["color"]),
}
PUBLIC = {
    "point_light": {"incoming_light", "estimate_radiance"},
    "directional_light": {"incoming_light", "estimate_radiance"},
    "ambient_light": {"estimate_radiance"},
}


def _kind(kind, rng, batch):
    if kind == "power":
        return rng.uniform(1.0, 10.0, size=batch + (3,))
    if kind == "color":
        return rng.uniform(0.0, 1.0, size=batch + (3,))
    if kind == "light_position":
        # Above the surface points (which lie near the origin, facing +z).
        return rng.normal(size=batch + (3,)) + [0.0, 0.0, 4.0]
    if kind == "direction":
        return -random_unit(rng, batch) * [1.0, 1.0, 0.0] - [0.0, 0.0, 1.0]
    if kind == "position":
        return 0.3 * rng.normal(size=batch + (3,))
    if kind == "normal":
        return random_unit(rng, batch) * [0.3, 0.3, 0.0] + [0.0, 0.0, 1.0]  # normalized by _inputs
    if kind == "observer":
        return rng.normal(size=batch + (3,)) + [0.0, 0.0, 5.0]
    raise ValueError(kind)


def _inputs(name, light_batch, surface_batch, seed=0):
    rng = np.random.default_rng(seed)
    _, light_kinds, surface_kinds = CASES[name]
    lights = [_kind(kind, rng, light_batch) for kind in light_kinds]
    surfaces = [_kind(kind, rng, surface_batch) for kind in surface_kinds]
    return [
        value / np.linalg.norm(value, axis=-1, keepdims=True) if kind == "normal" else value
        for kind, value in zip(light_kinds + surface_kinds, lights + surfaces)
    ]


def test_point_light_has_tensorflow_graphics_signature():
    parameters = inspect.signature(lighting.point_light.estimate_radiance).parameters
    assert list(parameters) == TFG_POINT_LIGHT
    assert parameters["name"].default == "estimate_radiance"
    assert parameters["reflected_light_fall_off"].default is False


def test_point_and_directional_lights_share_one_api():
    for module in (lighting.point_light, lighting.directional_light):
        incoming = list(inspect.signature(module.incoming_light).parameters)
        estimate = list(inspect.signature(module.estimate_radiance).parameters)
        assert incoming[2:] == ["surface_point_position", "name"]
        assert estimate[2:6] == ["surface_point_position", "surface_point_normal", "observation_point", "brdf"]


def test_modules_export_only_declared_functions():
    assert sorted(lighting.__all__) == sorted(set(PUBLIC) | {"spherical_harmonics"})
    for module_name, declared in PUBLIC.items():
        module = getattr(lighting, module_name)
        public = {
            name
            for name, value in vars(module).items()
            if callable(value) and not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
        }
        assert public == declared, module_name


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_xla_match_eager(name):
    function = CASES[name][0]
    for dtype in (tf.float32, tf.float64):
        inputs = [tf.constant(value, dtype) for value in _inputs(name, (2,), (3,))]
        for output in tf.nest.flatten(function(*inputs)):
            assert output.dtype == dtype
            assert output.shape[:2] == (3, 2)
        inner_ranks = [value.shape.rank - 1 for value in inputs]  # the leading axis is unknown while tracing
        assert_modes_match_eager(function, inputs, inner_ranks, jit=dtype == tf.float32)


def _per_copy(function):
    """`function` on inputs with a leading copy axis k, each copy on its own.

    With unbatched lights, copies give lights `[k, ...]` and surfaces `[k, A, ...]`, so outputs
    `[k, A, k, c]`; the diagonal over the two copy axes is `[k, A, c]`.
    """

    def per_copy(*inputs):
        outputs = function(*inputs)
        return [
            tf.transpose(tf.linalg.diag_part(tf.transpose(output, [1, 3, 0, 2])), [2, 0, 1])
            for output in tf.nest.flatten(outputs)
        ]

    return per_copy


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobians_match_finite_differences(name):
    inputs = _inputs(name, (), (2,), seed=1)
    assert_jacobians_match_finite_differences(_per_copy(CASES[name][0]), *inputs, tolerance=1e-5)


def test_batched_jacobians_equal_tf_test_compute_gradient():
    inputs = [tf.constant(value) for value in _inputs("point_light.estimate_radiance", (), (2,), seed=1)]
    function = _per_copy(_point_radiance)
    flat = tf.function(lambda *args: tf.reshape(_point_radiance(*args), [-1]))
    theoretical, numerical = tf.test.compute_gradient(flat, inputs, delta=1e-6)
    for (ours, our_estimate), jacobian, estimate in zip(jacobians(function, *inputs), theoretical, numerical):
        np.testing.assert_allclose(ours, jacobian, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(our_estimate, estimate, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_light_and_surface_batch_dimensions(name):
    """Lights [B1, B2] and surfaces [A1, A2] give [A1, A2, B1, B2, k], each pair as computed alone."""
    function, light_kinds, _ = CASES[name]
    inputs = _inputs(name, (2, 3), (4, 1), seed=3)
    lights, surfaces = inputs[: len(light_kinds)], inputs[len(light_kinds) :]
    outputs = flat_numpy(function(*inputs))
    for output in outputs:
        assert output.shape[:4] == (4, 1, 2, 3)
    for a in range(4):
        for b1, b2 in [(0, 0), (1, 2)]:
            alone = [light[b1, b2] for light in lights] + [surface[a, 0] for surface in surfaces]
            single = flat_numpy(function(*alone))
            for got, want in zip(outputs, single):
                np.testing.assert_allclose(got[a, 0, b1, b2], want, rtol=1e-12, atol=1e-15)


def test_light_arguments_broadcast_among_themselves():
    inputs = _inputs("point_light.estimate_radiance", (2,), (3,))
    inputs[0] = inputs[0][:1]  # one power for both lights
    assert _point_radiance(*inputs).shape == (3, 2, 3)
    inputs[0] = np.ones((5, 3))
    with pytest.raises(ValueError, match=r"point_light_radiance and point_light_position must be broadcast-compatible"):
        _point_radiance(*inputs)


def _argument_names(name):
    return list(inspect.signature(getattr(lighting, name.split(".")[0]).estimate_radiance).parameters)


# Every argument with a fixed last dimension (a light's radiance has any number K of channels,
# except for the ambient light, where it must agree with the albedo's).
BAD_SHAPE_CASES = [
    (name, index)
    for name in sorted(CASES)
    for index in range(len(CASES[name][1]) + len(CASES[name][2]))
    if index > 0 or name.startswith("ambient")
]


@pytest.mark.parametrize("name,index", BAD_SHAPE_CASES)
def test_bad_last_dimension_names_the_argument(name, index):
    argument = _argument_names(name)[index]  # incoming_light's three arguments come first there too
    assert_longer_last_axis_is_named(CASES[name][0], _inputs(name, (2,), (3,)), index, argument)


def test_bad_shapes_found_at_run_time_name_the_argument():
    inputs = [tf.constant(value) for value in _inputs("point_light.estimate_radiance", (2,), (3,))]
    signature = [tf.TensorSpec([None, None], tf.float64)] * len(inputs)
    graph = tf.function(_point_radiance, input_signature=signature)
    inputs[3] = tf.concat([inputs[3], inputs[3][..., :1]], axis=-1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"surface_point_normal must have shape"):
        graph(*inputs)

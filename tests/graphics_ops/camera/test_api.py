"""Every public function of graphics_ops.camera, through one table of example inputs.

Checks: TensorFlow Graphics' API (names, argument names and order), tf.function with unknown batch
dimensions and jit_compile against eager, float32 and float64, Jacobians against finite differences,
broadcasting of batch dimensions, and errors naming the argument for bad shapes. Camera methods go
through small wrappers that build the `Camera` from its tensors.
"""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import camera as camera_package
from graphics_ops.camera import Camera
from tests.graphics_ops.api_testing import assert_tensorflow_graphics_signatures, public_functions
from tests.graphics_ops.camera.camera_testing import KINDS
from tests.graphics_ops.modes_testing import assert_unknown_batch_modes_match_eager
from tests.graphics_ops.testing import (
    assert_broadcast_equals_tiled,
    assert_jacobians_match_finite_differences,
    assert_longer_last_axis_is_named,
    assert_longer_last_axis_is_named_at_run_time,
    jacobians,
)

# TensorFlow Graphics' rendering.camera: every public function and its arguments before `name`.
TFG_API = {
    "perspective": {
        "intrinsics_from_matrix": ["matrix"],
        "matrix_from_intrinsics": ["focal", "principal_point", "skew"],
        "parameters_from_right_handed": ["projection_matrix"],
        "project": ["point_3d", "focal", "principal_point"],
        "random_patches": [
            "focal",
            "principal_point",
            "height",
            "width",
            "patch_height",
            "patch_width",
            "scale",
            "indexing",
        ],
        "random_rays": ["focal", "principal_point", "height", "width", "n_rays", "margin"],
        "ray": ["point_2d", "focal", "principal_point"],
        "right_handed": ["vertical_field_of_view", "aspect_ratio", "near", "far"],
        "unproject": ["point_2d", "depth", "focal", "principal_point"],
    },
    "orthographic": {
        "project": ["point_3d"],
        "ray": ["point_2d"],
        "unproject": ["point_2d", "depth"],
    },
    "quadratic_radial_distortion": {
        "distortion_factor": ["squared_radius", "distortion_coefficient"],
        "undistortion_factor": ["distorted_squared_radius", "distortion_coefficient", "num_iterations"],
    },
}

EXTRAS = {
    "perspective": {"project_with_validity", "min_depth"},
    "brown_conrady": {"distort", "undistort", "project", "project_with_validity", "ray", "unproject"},
    "camera": {"frustum_corners"},
}
RANDOM = {"perspective.random_rays", "perspective.random_patches"}
NOT_TENSOR_FUNCTIONS = {"perspective.min_depth"}


def _camera(rotation, translation, focal, principal_point, distortion=None):
    return Camera(rotation, translation, focal, principal_point, 640, 480, distortion)


# Camera methods as functions of tensors, for the table.
CAMERA_WRAPPERS = {
    "Camera.world_to_camera": lambda r, t, f, c, p: _camera(r, t, f, c).world_to_camera(p),
    "Camera.position": lambda r, t, f, c: _camera(r, t, f, c).position,
    "Camera.project": lambda r, t, f, c, p: _camera(r, t, f, c).project(p),
    "Camera.project_distorted": lambda r, t, f, c, k, p: _camera(r, t, f, c, k).project(p),
    "Camera.project_with_validity": lambda r, t, f, c, k, p: _camera(r, t, f, c, k).project_with_validity(p),
    "Camera.rays": lambda r, t, f, c, x: _camera(r, t, f, c).rays(x),
    "Camera.rays_distorted": lambda r, t, f, c, k, x: _camera(r, t, f, c, k).rays(x),
    "Camera.unproject": lambda r, t, f, c, k, x, z: _camera(r, t, f, c, k).unproject(x, z),
    "Camera.frustum_corners": lambda r, t, f, c, k, n, z: _camera(r, t, f, c, k).frustum_corners(n, z),
    "Camera.to_clip": lambda r, t, f, c, p: _camera(r, t, f, c).to_clip(p, 0.1, 10.0),
}
CAMERA = ["rotation", "translation", "focal", "principal_point"]

# function -> kinds of its tensor arguments, in order.
CASES = {
    "perspective.intrinsics_from_matrix": ["intrinsic_matrix"],
    "perspective.matrix_from_intrinsics": ["focal", "principal_point", "skew"],
    "perspective.right_handed": ["field_of_view", "aspect_ratio", "near", "far"],
    "perspective.parameters_from_right_handed": ["projection"],
    "perspective.project": ["point_3d", "focal", "principal_point"],
    "perspective.project_with_validity": ["point_3d", "focal", "principal_point"],
    "perspective.ray": ["pixel", "focal", "principal_point"],
    "perspective.unproject": ["pixel", "depth", "focal", "principal_point"],
    "orthographic.project": ["point_3d"],
    "orthographic.ray": ["pixel"],
    "orthographic.unproject": ["pixel", "depth"],
    "quadratic_radial_distortion.distortion_factor": ["squared_radius", "coefficient"],
    "quadratic_radial_distortion.undistortion_factor": ["squared_radius", "coefficient"],
    "brown_conrady.distort": ["normalized", "distortion"],
    "brown_conrady.undistort": ["normalized", "distortion"],
    "brown_conrady.project": ["point_3d", "focal", "principal_point", "distortion"],
    "brown_conrady.project_with_validity": ["point_3d", "focal", "principal_point", "distortion"],
    "brown_conrady.ray": ["pixel", "focal", "principal_point", "distortion"],
    "brown_conrady.unproject": ["pixel", "depth", "focal", "principal_point", "distortion"],
    "Camera.world_to_camera": CAMERA + ["world_point"],
    "Camera.position": CAMERA,
    "Camera.project": CAMERA + ["world_point"],
    "Camera.project_distorted": CAMERA + ["distortion", "world_point"],
    "Camera.project_with_validity": CAMERA + ["distortion", "world_point"],
    "Camera.rays": CAMERA + ["pixel"],
    "Camera.rays_distorted": CAMERA + ["distortion", "pixel"],
    "Camera.unproject": CAMERA + ["distortion", "pixel", "depth"],
    "Camera.frustum_corners": CAMERA + ["distortion", "near", "far"],
    "Camera.to_clip": CAMERA + ["world_point"],
}
# The names the errors use for the wrappers' arguments.
WRAPPER_ARGUMENTS = {
    "world_point": "point",
    "pixel": "point_2d",
    "near": "near",
    "far": "far",
    "depth": "depth",
    "distortion": "distortion",
    **{name: name for name in CAMERA},
}


def _function(qualified_name):
    if qualified_name in CAMERA_WRAPPERS:
        return CAMERA_WRAPPERS[qualified_name]
    module, function = qualified_name.split(".")
    return getattr(getattr(camera_package, module), function)


def _inputs(qualified_name, batch, seed=0):
    rng = np.random.default_rng(seed)
    return [KINDS[kind](rng, batch) for kind in CASES[qualified_name]]


def _argument_names(qualified_name):
    if qualified_name in CAMERA_WRAPPERS:
        return [WRAPPER_ARGUMENTS[kind] for kind in CASES[qualified_name]]
    parameters = list(inspect.signature(_function(qualified_name)).parameters)
    return parameters[: len(CASES[qualified_name])]


def test_tensorflow_graphics_api_is_complete():
    assert assert_tensorflow_graphics_signatures(TFG_API, lambda name: getattr(camera_package, name)) == 14


def test_modules_export_only_declared_functions():
    for module_name in ("perspective", "orthographic", "quadratic_radial_distortion", "brown_conrady", "camera"):
        module = getattr(camera_package, module_name)
        public = public_functions(module)
        declared = set(TFG_API.get(module_name, {})) | EXTRAS.get(module_name, set())
        assert public == declared, module_name
        assert set(module.__all__) >= public, module_name


def test_cases_cover_every_public_function():
    public = {f"{module}.{name}" for module, functions in TFG_API.items() for name in functions}
    public |= {f"{module}.{name}" for module, names in EXTRAS.items() for name in names if module != "camera"}
    covered = {name for name in CASES if not name.startswith("Camera.")} | RANDOM | NOT_TENSOR_FUNCTIONS
    assert covered == public
    methods = {
        name for name, value in vars(Camera).items() if not name.startswith("_") and callable(getattr(Camera, name))
    }
    wrapped = {name.split(".")[1].removesuffix("_distorted") for name in CAMERA_WRAPPERS}
    # Tested in test_camera_values: construction without tensor outputs to compare.
    assert methods - wrapped == {"replace", "from_look_at"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_xla_match_eager(name):
    """tf.function with unknown batch dimensions in float64, jit_compile in float32, against eager."""
    for dtype, mode in ((tf.float64, "graph"), (tf.float32, "xla")):
        arrays = _inputs(name, (3,))
        assert_unknown_batch_modes_match_eager(_function(name), arrays, dtype, (mode,), atol=1e-4, message=name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobians_match_finite_differences(name):
    assert_jacobians_match_finite_differences(_function(name), *_inputs(name, (2,), seed=1))


@pytest.mark.parametrize("name", ["perspective.project", "brown_conrady.undistort"])
def test_batched_jacobians_equal_tf_test_compute_gradient(name):
    inputs = [tf.constant(value) for value in _inputs(name, (2,), seed=1)]
    flat = tf.function(
        lambda *args: tf.concat(
            [tf.reshape(tf.cast(out, tf.float64), [-1]) for out in tf.nest.flatten(_function(name)(*args))], 0
        )
    )
    theoretical, numerical = tf.test.compute_gradient(flat, inputs, delta=1e-6)
    for (ours, our_estimate), jacobian, estimate in zip(jacobians(_function(name), *inputs), theoretical, numerical):
        np.testing.assert_allclose(ours, jacobian, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(our_estimate, estimate, rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(jacobian, estimate, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(name for name in CASES if len(CASES[name]) > 1))
def test_batch_dimensions_broadcast(name):
    function = _function(name)
    inputs = _inputs(name, (2, 1))[:1] + _inputs(name, (1, 3), seed=2)[1:]
    kinds = CASES[name]
    tiled = [
        np.broadcast_to(value, (2, 3) + value.shape[2:]) if kind != "coefficient" else np.broadcast_to(value, (2, 3))
        for value, kind in zip(inputs, kinds)
    ]
    assert_broadcast_equals_tiled(function, inputs, tiled)


# The last axis of squared radii is a free size (W), so a longer one is no error.
BAD_SHAPE_CASES = [
    (name, index) for name in sorted(CASES) for index, kind in enumerate(CASES[name]) if kind != "squared_radius"
]


@pytest.mark.parametrize("name,index", BAD_SHAPE_CASES)
def test_bad_last_dimension_names_the_argument(name, index):
    assert_longer_last_axis_is_named(_function(name), _inputs(name, (2,)), index, _argument_names(name)[index])


@pytest.mark.parametrize(
    "name,index",
    [("perspective.project", 0), ("brown_conrady.unproject", 4), ("Camera.project_distorted", 5)],
)
def test_bad_shapes_found_at_run_time_name_the_argument(name, index):
    argument = _argument_names(name)[index]
    assert_longer_last_axis_is_named_at_run_time(_function(name), _inputs(name, (2,)), index, argument)


def test_quadratic_distortion_shapes():
    factor = camera_package.quadratic_radial_distortion.distortion_factor
    with pytest.raises(ValueError, match=r"squared_radius must have shape \[A1, \.\.\., An, \?, \?\], got \[3\]"):
        factor(np.zeros(3), 0.1)
    with pytest.raises(ValueError, match=r"of distorted_squared_radius and distortion_coefficient"):
        camera_package.quadratic_radial_distortion.undistortion_factor(np.zeros((2, 4, 4)), np.zeros(3))
    # A scalar coefficient applies to every image, as in TensorFlow Graphics.
    assert factor(np.zeros((5, 2, 4, 4)), 0.1)[0].shape == (5, 2, 4, 4)


def test_name_scopes_follow_the_name_argument():
    project = camera_package.perspective.project
    graph = tf.function(lambda p, f, c: project(p, f, c, name="my_project"))
    concrete = graph.get_concrete_function(tf.TensorSpec([None, 3]), tf.TensorSpec([2]), tf.TensorSpec([2]))
    assert any(op.name.startswith("my_project/") for op in concrete.graph.get_operations())
    default = tf.function(camera_package.brown_conrady.undistort).get_concrete_function(
        tf.TensorSpec([None, 2]), tf.TensorSpec([5])
    )
    assert any(op.name.startswith("brown_conrady_undistort/") for op in default.graph.get_operations())

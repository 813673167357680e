"""Every public function of graphics_ops.transformation, through one table of example inputs.

Checks: TensorFlow Graphics' API (names, argument names and order), tf.function with unknown batch
dimensions and jit_compile against eager, float32 and float64, Jacobians against finite differences,
broadcasting of batch dimensions, and errors naming the argument for bad shapes.
"""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import transformation
from tests.graphics_ops.api_testing import assert_tensorflow_graphics_signatures, public_functions
from tests.graphics_ops.modes_testing import assert_unknown_batch_modes_match_eager
from tests.graphics_ops.testing import (
    assert_broadcast_equals_tiled,
    assert_jacobians_match_finite_differences,
    assert_longer_last_axis_is_named,
    assert_longer_last_axis_is_named_at_run_time,
    hamilton_product,
    jacobians,
    random_rotations,
)

# TensorFlow Graphics' geometry.transformation: every public function and its arguments before `name`.
TFG_API = {
    "axis_angle": {
        "from_euler": ["angles"],
        "from_euler_with_small_angles_approximation": ["angles"],
        "from_quaternion": ["quaternion"],
        "from_rotation_matrix": ["rotation_matrix"],
        "inverse": ["axis", "angle"],
        "is_normalized": ["axis", "angle", "atol"],
        "rotate": ["point", "axis", "angle"],
    },
    "dual_quaternion": {
        "conjugate": ["dual_quaternion"],
        "conjugate_dual": ["dual_quaternion"],
        "from_axis_angle_translation": ["axis", "angle", "translation_vector"],
        "from_rotation_translation": ["rotation_quaternion", "translation_vector"],
        "inverse": ["dual_quaternion"],
        "is_normalized": ["dual_quaternion", "atol"],
        "multiply": ["dual_quaternion1", "dual_quaternion2"],
        "norm": ["dual_quaternion"],
        "point_to_dual_quaternion": ["point"],
        "to_rotation_translation": ["dual_quaternion"],
    },
    "euler": {
        "from_axis_angle": ["axis", "angle"],
        "from_quaternion": ["quaternions"],
        "from_rotation_matrix": ["rotation_matrix"],
        "inverse": ["euler_angle"],
    },
    "linear_blend_skinning": {"blend": ["points", "skinning_weights", "bone_rotations", "bone_translations"]},
    "look_at": {"right_handed": ["camera_position", "look_at", "up_vector"]},
    "quaternion": {
        "between_two_vectors_3d": ["vector1", "vector2"],
        "conjugate": ["quaternion"],
        "from_axis_angle": ["axis", "angle"],
        "from_euler": ["angles"],
        "from_euler_with_small_angles_approximation": ["angles"],
        "from_rotation_matrix": ["rotation_matrix"],
        "inverse": ["quaternion"],
        "is_normalized": ["quaternion", "atol"],
        "multiply": ["quaternion1", "quaternion2"],
        "normalize": ["quaternion", "eps"],
        "normalized_random_uniform": ["quaternion_shape"],
        "normalized_random_uniform_initializer": [],
        "relative_angle": ["quaternion1", "quaternion2"],
        "rotate": ["point", "quaternion"],
    },
    "rotation_matrix_2d": {
        "from_euler": ["angle"],
        "from_euler_with_small_angles_approximation": ["angles"],
        "inverse": ["matrix"],
        "is_valid": ["matrix", "atol"],
        "rotate": ["point", "matrix"],
    },
    "rotation_matrix_3d": {
        "assert_rotation_matrix_normalized": ["matrix", "eps"],
        "from_axis_angle": ["axis", "angle"],
        "from_euler": ["angles"],
        "from_euler_with_small_angles_approximation": ["angles"],
        "from_quaternion": ["quaternion"],
        "inverse": ["matrix"],
        "is_valid": ["matrix", "atol"],
        "rotate": ["point", "matrix"],
    },
    "rotation_matrix_common": {"is_valid": ["matrix", "atol"]},
}

EXTRAS = {
    "quaternion": {"slerp"},
    "rotation_6d": {"from_rotation_matrix", "to_rotation_matrix"},
    "so3": {"hat", "vee", "exp", "log", "geodesic_distance"},
    "se3": {"exp", "log"},
    "rigid": {"from_rotation_translation", "to_rotation_translation", "inverse", "transform_points"},
}

RANDOM = {"quaternion.normalized_random_uniform", "quaternion.normalized_random_uniform_initializer"}


def _unit(array):
    return array / np.linalg.norm(array, axis=-1, keepdims=True)


def _rigid(rng, batch):
    matrix = np.zeros(batch + (4, 4))
    matrix[..., :3, :3] = (
        random_rotations(int(np.prod(batch)), rng.integers(1 << 30)).as_matrix().reshape(batch + (3, 3))
    )
    matrix[..., :3, 3] = rng.normal(size=batch + (3,))
    matrix[..., 3, 3] = 1.0
    return matrix


def _dual_quaternion(rng, batch):
    real = random_rotations(int(np.prod(batch)), rng.integers(1 << 30)).as_quat().reshape(batch + (4,))
    translation = np.concatenate([rng.normal(size=batch + (3,)), np.zeros(batch + (1,))], axis=-1)
    dual = 0.5 * hamilton_product(translation, real)
    return np.concatenate([real, dual], axis=-1)


def _rotation_2d(rng, batch):
    angle = rng.uniform(-3, 3, size=batch)
    cosine, sine = np.cos(angle), np.sin(angle)
    return np.stack([np.stack([cosine, -sine], -1), np.stack([sine, cosine], -1)], -2)


def _rotations(rng, batch):
    return random_rotations(int(np.prod(batch)), rng.integers(1 << 30))


# Example inputs by kind: functions of (rng, batch shape) returning float64 arrays.
KINDS = {
    "quaternion": lambda rng, batch: _rotations(rng, batch).as_quat().reshape(batch + (4,)),
    "vector4": lambda rng, batch: rng.normal(size=batch + (4,)),
    "rotation": lambda rng, batch: _rotations(rng, batch).as_matrix().reshape(batch + (3, 3)),
    "matrix": lambda rng, batch: rng.normal(size=batch + (3, 3)),
    "rotation_2d": _rotation_2d,
    "vector": lambda rng, batch: rng.normal(size=batch + (3,)),
    "point_2d": lambda rng, batch: rng.normal(size=batch + (2,)),
    "unit_axis": lambda rng, batch: _unit(rng.normal(size=batch + (3,))),
    "angle": lambda rng, batch: rng.uniform(-3, 3, size=batch + (1,)),
    "small_angle": lambda rng, batch: rng.uniform(-0.2, 0.2, size=batch + (1,)),
    "angles": lambda rng, batch: rng.uniform([-3, -1.3, -3], [3, 1.3, 3], size=batch + (3,)),
    "small_angles": lambda rng, batch: rng.uniform(-0.2, 0.2, size=batch + (3,)),
    "rotation_vector": lambda rng, batch: _unit(rng.normal(size=batch + (3,))) * rng.uniform(0.1, 3, size=batch + (1,)),
    "twist": lambda rng, batch: np.concatenate(
        [rng.normal(size=batch + (3,)), _unit(rng.normal(size=batch + (3,))) * rng.uniform(0.1, 3, size=batch + (1,))],
        -1,
    ),
    "rotation_6d": lambda rng, batch: rng.normal(size=batch + (6,)),
    "rigid": _rigid,
    "dual_quaternion": _dual_quaternion,
    "percent": lambda rng, batch: rng.uniform(0, 1, size=batch + (1,)),
    "point_cloud": lambda rng, batch: rng.normal(size=batch + (5, 3)),
    "skinning_weights": lambda rng, batch: rng.dirichlet(np.ones(4), size=batch),
    "bone_rotations": lambda rng, batch: _rotations(rng, batch + (4,)).as_matrix().reshape(batch + (4, 3, 3)),
    "bone_translations": lambda rng, batch: rng.normal(size=batch + (4, 3)),
}

# function -> kinds of its tensor arguments, in order; `False` marks bool-valued functions.
CASES = {
    "quaternion.between_two_vectors_3d": ["vector", "vector"],
    "quaternion.conjugate": ["quaternion"],
    "quaternion.from_axis_angle": ["unit_axis", "angle"],
    "quaternion.from_euler": ["angles"],
    "quaternion.from_euler_with_small_angles_approximation": ["small_angles"],
    "quaternion.from_rotation_matrix": ["rotation"],
    "quaternion.inverse": ["vector4"],
    "quaternion.is_normalized": ["vector4", False],
    "quaternion.normalize": ["vector4"],
    "quaternion.multiply": ["vector4", "vector4"],
    "quaternion.rotate": ["vector", "quaternion"],
    "quaternion.relative_angle": ["quaternion", "quaternion"],
    "quaternion.slerp": ["quaternion", "quaternion", "percent"],
    "axis_angle.from_euler": ["angles"],
    "axis_angle.from_euler_with_small_angles_approximation": ["small_angles"],
    "axis_angle.from_quaternion": ["quaternion"],
    "axis_angle.from_rotation_matrix": ["rotation"],
    "axis_angle.inverse": ["unit_axis", "angle"],
    "axis_angle.is_normalized": ["vector", "angle", False],
    "axis_angle.rotate": ["vector", "unit_axis", "angle"],
    "euler.from_axis_angle": ["unit_axis", "angle"],
    "euler.from_quaternion": ["quaternion"],
    "euler.from_rotation_matrix": ["rotation"],
    "euler.inverse": ["angles"],
    "rotation_matrix_2d.from_euler": ["angle"],
    "rotation_matrix_2d.from_euler_with_small_angles_approximation": ["small_angle"],
    "rotation_matrix_2d.inverse": ["rotation_2d"],
    "rotation_matrix_2d.is_valid": ["rotation_2d", False],
    "rotation_matrix_2d.rotate": ["point_2d", "rotation_2d"],
    "rotation_matrix_3d.assert_rotation_matrix_normalized": ["rotation"],
    "rotation_matrix_3d.from_axis_angle": ["unit_axis", "angle"],
    "rotation_matrix_3d.from_euler": ["angles"],
    "rotation_matrix_3d.from_euler_with_small_angles_approximation": ["small_angles"],
    "rotation_matrix_3d.from_quaternion": ["quaternion"],
    "rotation_matrix_3d.inverse": ["rotation"],
    "rotation_matrix_3d.is_valid": ["matrix", False],
    "rotation_matrix_3d.rotate": ["vector", "rotation"],
    "rotation_matrix_common.is_valid": ["rotation", False],
    "dual_quaternion.conjugate": ["dual_quaternion"],
    "dual_quaternion.conjugate_dual": ["dual_quaternion"],
    "dual_quaternion.multiply": ["dual_quaternion", "dual_quaternion"],
    "dual_quaternion.inverse": ["dual_quaternion"],
    "dual_quaternion.norm": ["dual_quaternion"],
    "dual_quaternion.is_normalized": ["dual_quaternion", False],
    "dual_quaternion.from_rotation_translation": ["quaternion", "vector"],
    "dual_quaternion.to_rotation_translation": ["dual_quaternion"],
    "dual_quaternion.from_axis_angle_translation": ["unit_axis", "angle", "vector"],
    "dual_quaternion.point_to_dual_quaternion": ["vector"],
    "look_at.right_handed": ["vector", "vector", "vector"],
    "linear_blend_skinning.blend": ["vector", "skinning_weights", "bone_rotations", "bone_translations"],
    "rotation_6d.from_rotation_matrix": ["rotation"],
    "rotation_6d.to_rotation_matrix": ["rotation_6d"],
    "so3.hat": ["vector"],
    "so3.vee": ["matrix"],
    "so3.exp": ["rotation_vector"],
    "so3.log": ["rotation"],
    "so3.geodesic_distance": ["rotation", "rotation"],
    "se3.exp": ["twist"],
    "se3.log": ["rigid"],
    "rigid.from_rotation_translation": ["rotation", "vector"],
    "rigid.to_rotation_translation": ["rigid"],
    "rigid.inverse": ["rigid"],
    "rigid.transform_points": ["point_cloud", "rigid"],
}

DIFFERENTIABLE = sorted(name for name, kinds in CASES.items() if kinds[-1] is not False)
MULTI_ARGUMENT = sorted(
    name for name, kinds in CASES.items() if len([k for k in kinds if k]) > 1 and "blend" not in name
)


def _function(qualified_name):
    module, function = qualified_name.split(".")
    return getattr(getattr(transformation, module), function)


def _inputs(qualified_name, batch, seed=0):
    rng = np.random.default_rng(seed)
    return [KINDS[kind](rng, batch) for kind in CASES[qualified_name] if kind]


def _tensor_argument_names(qualified_name):
    parameters = list(inspect.signature(_function(qualified_name)).parameters)
    return parameters[: len(_inputs(qualified_name, (1,)))]


def test_tensorflow_graphics_api_is_complete():
    assert assert_tensorflow_graphics_signatures(TFG_API, lambda name: getattr(transformation, name)) == 51


def test_modules_export_only_declared_functions():
    for module_name in transformation.__all__:
        module = getattr(transformation, module_name)
        public = public_functions(module)
        declared = set(TFG_API.get(module_name, {})) | EXTRAS.get(module_name, set())
        assert public == declared, module_name


def test_cases_cover_every_public_function():
    public = {f"{module}.{name}" for module, functions in TFG_API.items() for name in functions}
    public |= {f"{module}.{name}" for module, names in EXTRAS.items() for name in names}
    assert set(CASES) | RANDOM == public


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_xla_match_eager(name):
    arrays = _inputs(name, (3,))
    assert_unknown_batch_modes_match_eager(_function(name), arrays, tf.float32, message=name)
    assert_unknown_batch_modes_match_eager(_function(name), arrays, tf.float64, modes=("graph",), message=name)


def _blend_per_copy(points, skinning_weights, bone_rotations, bone_translations):
    """`blend` on inputs with a leading copy axis k, each copy on its own: [k, B, k, A, 3] -> [k, B, A, 3]."""
    blended = transformation.linear_blend_skinning.blend(points, skinning_weights, bone_rotations, bone_translations)
    return tf.transpose(tf.linalg.diag_part(tf.transpose(blended, [1, 3, 4, 0, 2])), [3, 0, 1, 2])


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_jacobians_match_finite_differences(name):
    function = _blend_per_copy if name == "linear_blend_skinning.blend" else _function(name)
    assert_jacobians_match_finite_differences(function, *_inputs(name, (2,), seed=1))


@pytest.mark.parametrize("name", ["quaternion.from_rotation_matrix", "quaternion.slerp", "se3.log"])
def test_batched_jacobians_equal_tf_test_compute_gradient(name):
    inputs = [tf.constant(value) for value in _inputs(name, (2,), seed=1)]
    flat = tf.function(
        lambda *args: tf.concat([tf.reshape(out, [-1]) for out in tf.nest.flatten(_function(name)(*args))], 0)
    )
    theoretical, numerical = tf.test.compute_gradient(flat, inputs, delta=1e-6)
    for (ours, our_estimate), jacobian, estimate in zip(jacobians(_function(name), *inputs), theoretical, numerical):
        np.testing.assert_allclose(ours, jacobian, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(our_estimate, estimate, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name", MULTI_ARGUMENT)
def test_batch_dimensions_broadcast(name):
    function = _function(name)
    inputs = _inputs(name, (2, 1))[:1] + _inputs(name, (1, 3), seed=2)[1:]
    tiled = [np.broadcast_to(value, (2, 3) + value.shape[2:]) for value in inputs]
    assert_broadcast_equals_tiled(function, inputs, tiled)


BAD_SHAPE_CASES = [(name, index) for name in sorted(CASES) for index in range(len(_inputs(name, (1,))))]


@pytest.mark.parametrize("name,index", BAD_SHAPE_CASES)
def test_bad_last_dimension_names_the_argument(name, index):
    assert_longer_last_axis_is_named(_function(name), _inputs(name, (2,)), index, _tensor_argument_names(name)[index])


@pytest.mark.parametrize(
    "name,index",
    [
        ("quaternion.rotate", 1),
        ("rotation_matrix_3d.rotate", 1),
        ("linear_blend_skinning.blend", 2),
        ("rigid.transform_points", 0),
    ],
)
def test_bad_shapes_found_at_run_time_name_the_argument(name, index):
    argument = _tensor_argument_names(name)[index]
    assert_longer_last_axis_is_named_at_run_time(_function(name), _inputs(name, (2,)), index, argument)


def test_name_scopes_follow_the_name_argument():
    graph = tf.function(lambda p, q: transformation.quaternion.rotate(p, q, name="my_rotate"))
    concrete = graph.get_concrete_function(tf.TensorSpec([None, 3]), tf.TensorSpec([None, 4]))
    names = [op.name for op in concrete.graph.get_operations()]
    assert any(name.startswith("my_rotate/") for name in names)
    default = tf.function(transformation.so3.exp).get_concrete_function(tf.TensorSpec([None, 3]))
    assert any(op.name.startswith("so3_exp/") for op in default.graph.get_operations())

"""graphics_ops.mesh.deformation_energy.as_conformal_as_possible.energy against a float64 NumPy reference."""

import inspect

import numpy as np
import pytest
import tensorflow as tf
from scipy.spatial.transform import Rotation

from graphics_ops.mesh import edges as mesh_edges
from graphics_ops.mesh.deformation_energy import as_conformal_as_possible
from tests.graphics_ops.mesh_testing import OCTAHEDRON_FACES
from tests.graphics_ops.testing import all_dtypes, assert_all_finite, assert_jacobians_match_finite_differences

EDGES = mesh_edges.unique_edges(OCTAHEDRON_FACES).numpy()
REST = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], np.float64) * 1.3


def reference_energy(rest, deformed, quaternions, edges, vertex_weight, edge_weight, conformal):
    """Per-edge residuals with q v q* as a scaled rotation matrix, in float64."""
    norms = np.linalg.norm(quaternions, axis=-1, keepdims=True)
    unit = quaternions / norms
    scale = norms[..., 0] ** 2 if conformal else np.ones(quaternions.shape[:-1])
    matrices = Rotation.from_quat(unit.reshape(-1, 4)).as_matrix().reshape(quaternions.shape[:-1] + (3, 3))
    residuals = []
    for first, second in ((0, 1), (1, 0)):
        i, j = edges[:, first], edges[:, second]
        rotated = np.einsum("...eab,eb->...ea", matrices[..., i, :, :], rest[i] - rest[j]) * scale[..., i, None]
        vector = (deformed[..., i, :] - deformed[..., j, :]) - rotated
        residuals.append((vertex_weight[i] * edge_weight) ** 2 * np.sum(vector**2, axis=-1))
    return np.concatenate(residuals, axis=-1)


def random_pose(seed, batch=(2,)):
    rng = np.random.default_rng(seed)
    quaternions = rng.normal(size=batch + (6, 4))
    deformed = REST + 0.3 * rng.normal(size=batch + (6, 3))
    return deformed, quaternions


def test_signature_is_tensorflow_graphics():
    assert list(inspect.signature(as_conformal_as_possible.energy).parameters) == [
        "vertices_rest_pose",
        "vertices_deformed_pose",
        "quaternions",
        "edges",
        "vertex_weight",
        "edge_weight",
        "conformal_energy",
        "aggregate_loss",
        "name",
    ]


@all_dtypes
@pytest.mark.parametrize("conformal", [True, False])
def test_matches_float64_reference(conformal, dtype):
    deformed, quaternions = random_pose(0)
    rng = np.random.default_rng(1)
    vertex_weight, edge_weight = rng.uniform(0.5, 2, 6), rng.uniform(0.5, 2, len(EDGES))
    cast = lambda value: tf.constant(value, dtype)  # noqa: E731
    residuals = as_conformal_as_possible.energy(
        cast(REST), cast(deformed), cast(quaternions), EDGES, cast(vertex_weight), cast(edge_weight), conformal, False
    )
    expected = reference_energy(REST, deformed, quaternions, EDGES, vertex_weight, edge_weight, conformal)
    tolerance = 1e-4 if dtype == tf.float32 else 1e-10
    np.testing.assert_allclose(residuals, expected, rtol=tolerance, atol=tolerance)
    aggregate = as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES, conformal_energy=conformal)
    expected = reference_energy(REST, deformed, quaternions, EDGES, np.ones(6), np.ones(len(EDGES)), conformal)
    np.testing.assert_allclose(aggregate, expected.mean(axis=-1), rtol=1e-10)


def test_zero_for_a_similarity_and_positive_otherwise():
    rotation = Rotation.from_rotvec([0.3, -0.5, 0.9])
    scale, shift = 1.7, np.array([0.2, -1.0, 3.0])
    deformed = scale * rotation.apply(REST) + shift
    quaternions = np.tile(rotation.as_quat() * np.sqrt(scale), (6, 1))
    assert float(as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES)) < 1e-24
    # Rigid energy: the scale cannot be explained by unit quaternions.
    assert float(as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES, conformal_energy=False)) > 0.1


def test_jacobians_match_finite_differences():
    deformed, quaternions = random_pose(2, batch=())

    def function(deformed, quaternions):
        return as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES, aggregate_loss=False)

    assert_jacobians_match_finite_differences(function, deformed, quaternions)

    def rigid(deformed, quaternions):
        return as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES, conformal_energy=False)

    assert_jacobians_match_finite_differences(rigid, deformed, quaternions)


def test_degenerate_inputs_are_finite():
    # Zero quaternions (rigid mode normalizes them), coincident rest vertices, no edges.
    zeros = np.zeros((6, 4))
    collapsed = np.zeros((6, 3))
    with tf.GradientTape() as tape:
        q = tf.constant(zeros)
        tape.watch(q)
        value = as_conformal_as_possible.energy(collapsed, collapsed, q, EDGES, conformal_energy=False)
    assert_all_finite(value, tape.gradient(value, q))
    empty = as_conformal_as_possible.energy(REST, REST, zeros, np.zeros((0, 2), np.int32), aggregate_loss=False)
    assert empty.shape == (0,)


def test_tf_function_unknown_batch_and_jit_compile_match_eager():
    deformed, quaternions = random_pose(3, batch=(2, 3))
    eager = as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES)
    function = lambda d, q: as_conformal_as_possible.energy(REST, d, q, EDGES)  # noqa: E731
    signature = [tf.TensorSpec([None, None, 6, 3], tf.float64), tf.TensorSpec([None, None, None, 4], tf.float64)]
    traced = tf.function(function, input_signature=signature)
    compiled = tf.function(function, jit_compile=True)
    np.testing.assert_allclose(traced(deformed, tf.constant(quaternions)), eager, rtol=1e-12)
    np.testing.assert_allclose(compiled(deformed, quaternions), eager, rtol=1e-12)
    # Shared deformed vertices broadcast against a batch of quaternions.
    broadcast = as_conformal_as_possible.energy(REST, deformed[0, 0], quaternions, EDGES)
    assert broadcast.shape == (2, 3)


def test_bad_shapes_name_the_argument():
    deformed, quaternions = random_pose(4, batch=())
    with pytest.raises(ValueError, match="quaternions"):
        as_conformal_as_possible.energy(REST, deformed, quaternions[..., :3], EDGES)
    with pytest.raises(ValueError, match="vertices_rest_pose"):
        as_conformal_as_possible.energy(REST[None], deformed, quaternions, EDGES)
    with pytest.raises(ValueError, match="edge_weight"):
        as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES, edge_weight=np.ones(3))
    with pytest.raises(ValueError, match="vertex_weight"):
        as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES, vertex_weight=np.ones(5))
    with pytest.raises(ValueError, match="edges"):
        as_conformal_as_possible.energy(REST, deformed, quaternions, EDGES[:, :1])

"""Degenerate inputs: zero-area triangles, zero-length normals, coincident and empty point sets."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.mesh import distances, laplacian, measures, normals, sampler, triangle
from tests.graphics_ops.mesh_testing import all_dtypes
from tests.graphics_ops.testing import (
    assert_all_finite,
    assert_finite_gradients,
    assert_jacobians_match_finite_differences,
)

# A mesh with a good triangle (0), a sliver with collinear corners (1), a triangle collapsed to an
# edge by a repeated vertex position (2), one collapsed to a point (3), and a vertex (7) that no
# face uses. Vertex 6 belongs to degenerate triangles only.
VERTICES = np.array(
    [[0, 0, 0], [1, 0, 0], [0, 1, 0], [2, 0, 0], [3, 0, 0], [1, 1, 1], [1, 1, 1], [5, 5, 5], [1, 1, 1]],
    np.float64,
)
FACES = np.array([[0, 1, 2], [1, 3, 4], [5, 6, 1], [5, 6, 8]], np.int32)

MESH_FUNCTIONS = {
    "face_areas": measures.face_areas,
    "face_angles": measures.face_angles,
    "surface_area": measures.surface_area,
    "face_normals": lambda v, f: normals.face_normals(normals.gather_faces(v, f)),
    "unnormalized_face_normals": lambda v, f: normals.face_normals(normals.gather_faces(v, f), normalize=False),
    "area_weighted_vertex_normals": normals.vertex_normals,
    "angle_weighted_vertex_normals": lambda v, f: normals.vertex_normals(v, f, weighting="angle"),
    "cotangent_weights": laplacian.cotangent_weights,
    "cotangent_laplacian": lambda v, f: tf.sparse.to_dense(laplacian.cotangent(v, f)),
    "sampled_points": lambda v, f: sampler.area_weighted_random_sample_triangle_mesh(
        v, f, 32, seed=(1, 2), stateless=True
    )[0],
}


@all_dtypes
@pytest.mark.parametrize("name", sorted(MESH_FUNCTIONS))
def test_degenerate_triangles_give_finite_values_and_gradients(name, dtype):
    function = MESH_FUNCTIONS[name]
    assert_finite_gradients(lambda v: function(v, FACES), tf.constant(VERTICES, dtype))


@all_dtypes
def test_degenerate_triangles_have_zero_area_normal_and_weight(dtype):
    vertices = tf.constant(VERTICES, dtype)
    np.testing.assert_allclose(measures.face_areas(vertices, FACES), [0.5, 0, 0, 0])
    np.testing.assert_allclose(
        normals.face_normals(normals.gather_faces(vertices, FACES)), [[0, 0, 1]] + [[0, 0, 0]] * 3
    )
    np.testing.assert_allclose(laplacian.cotangent_weights(vertices, FACES)[1:], 0.0)
    np.testing.assert_allclose(measures.face_angles(vertices, FACES)[1], [0, np.pi, 0], atol=1e-6)
    for weighting in ("area", "angle"):
        vertex_normals = normals.vertex_normals(vertices, FACES, weighting=weighting).numpy()
        np.testing.assert_allclose(vertex_normals[[0, 1, 2]], [[0, 0, 1]] * 3, atol=1e-6)
        np.testing.assert_allclose(vertex_normals[[3, 4, 5, 6, 7, 8]], 0.0)
    # Degenerate triangles are never drawn.
    _, face_indices = sampler.area_weighted_random_sample_triangle_mesh(
        vertices, FACES, 64, seed=(1, 2), stateless=True
    )
    np.testing.assert_array_equal(face_indices, 0)


def test_gradients_through_the_good_triangle_stay_exact():
    """The degenerate triangles add nothing, so the Jacobians are those of the good triangle alone."""
    movable = VERTICES[:3] + np.random.default_rng(0).normal(scale=0.1, size=(3, 3))

    def with_degenerate(good, function):
        vertices = tf.concat(
            [good, tf.broadcast_to(tf.constant(VERTICES[3:]), tf.concat([tf.shape(good)[:-2], [6, 3]], 0))], -2
        )
        return function(vertices, FACES)

    for function in (
        measures.face_areas,
        lambda v, f: normals.vertex_normals(v, f, weighting="angle")[..., :3, :],
        laplacian.cotangent_weights,
    ):
        assert_jacobians_match_finite_differences(lambda good: with_degenerate(good, function), movable)


@all_dtypes
def test_zero_length_vertex_normals(dtype):
    # Two copies of a triangle with opposite windings: the normals at its corners cancel exactly.
    vertices = tf.constant([[0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype)
    faces = [[0, 1, 2], [0, 2, 1]]
    for weighting in ("area", "angle"):
        function = lambda v: normals.vertex_normals(v, faces, weighting=weighting)  # noqa: E731
        np.testing.assert_array_equal(function(vertices), 0.0)
        assert_finite_gradients(function, vertices)


@all_dtypes
def test_degenerate_single_triangles(dtype):
    corners = tf.constant(
        [[[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [1, 1, 1], [2, 2, 2]], [[0, 0, 0], [0, 0, 0], [1, 0, 0]]], dtype
    )
    v0, v1, v2 = tf.unstack(corners, axis=-2)
    for function in (triangle.normal, triangle.area, triangle.angles, sampler.triangle_area):
        assert_finite_gradients(function, v0, v1, v2)
    np.testing.assert_array_equal(triangle.normal(v0, v1, v2), 0.0)
    np.testing.assert_allclose(triangle.angles(v0, v1, v2), [[0, 0, 0], [0, np.pi, 0], [0, 0, 0]], atol=1e-6)
    # Collinear corners that the dtype cannot represent exactly: a cross product of rounding noise,
    # whose direction is meaningless, still gives the zero normal rather than a random unit vector.
    collinear = [tf.constant(corner, dtype) for corner in ([0, 0, 0], [0.1, 0.7, 1.3], [0.3, 2.1, 3.9])]
    assert np.any(triangle.normal(*collinear, normalize=False).numpy() != 0)
    np.testing.assert_array_equal(triangle.normal(*collinear), 0.0)
    np.testing.assert_array_equal(normals.face_normals(tf.stack(collinear)), 0.0)


def test_nearly_degenerate_triangles_keep_finite_cotangents():
    for height in (1e-3, 1e-6, 1e-9, 1e-12, 0.0):
        for dtype in (tf.float32, tf.float64):
            vertices = tf.constant([[0, 0, 0], [1, 0, 0], [0.5, height, 0]], dtype)
            assert_finite_gradients(lambda v: laplacian.cotangent_weights(v, [[0, 1, 2]]), vertices)
    # Still a proper triangle in float64: the cotangents of its tiny angles are huge but exact.
    weights = laplacian.cotangent_weights(tf.constant([[0, 0, 0], [1, 0, 0], [0.5, 1e-6, 0]], tf.float64), [[0, 1, 2]])
    np.testing.assert_allclose(weights[0], [0.5 / 2e-6, 0.5 / 2e-6, 0.5 * (1e-12 - 0.25) / 1e-6], rtol=1e-6)


@all_dtypes
def test_coincident_and_duplicate_points(dtype):
    points = tf.constant(np.random.default_rng(1).normal(size=(2, 5, 3)), dtype)
    duplicated = tf.concat([points, points], axis=-2)
    for function in (
        distances.chamfer_distance,
        distances.hausdorff_distance,
        lambda a, b: distances.hausdorff_distance(a, b, symmetric=True),
        lambda a, b: distances.nearest_neighbors(a, b)[0],
    ):
        np.testing.assert_array_equal(function(points, duplicated), 0.0)
        assert_finite_gradients(function, points, duplicated)
        assert_finite_gradients(function, points, points)


def test_one_point_sets():
    a, b = np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]])
    np.testing.assert_allclose(distances.chamfer_distance(a, b), 50.0)
    np.testing.assert_allclose(distances.hausdorff_distance(a, b, symmetric=True), 5.0)


@pytest.mark.parametrize(
    "function",
    [
        distances.chamfer_distance,
        distances.hausdorff_distance,
        distances.nearest_neighbors,
    ],
)
def test_empty_point_sets_are_an_error(function):
    points = np.zeros((2, 4, 3))
    with pytest.raises(ValueError, match=r"^point_set_a must not be empty.*got shape \[2, 0, 3\]$"):
        function(np.zeros((2, 0, 3)), points)
    with pytest.raises(ValueError, match=r"^point_set_b must not be empty.*got shape \[0, 3\]$"):
        function(points, np.zeros((0, 3)))
    graph = tf.function(function, input_signature=[tf.TensorSpec([None, None, 3], tf.float64)] * 2)
    assert_all_finite(*tf.nest.flatten(graph(points, points)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"point_set_b must not be empty"):
        graph(points, np.zeros((2, 0, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"point_set_a must not be empty"):
        graph(np.zeros((2, 0, 3)), points)


@all_dtypes
def test_vertices_of_rounding_level_triangles_only_get_zero_normals(dtype):
    vertices = tf.constant([[0, 0, 0], [0.1, 0.7, 1.3], [0.3, 2.1, 3.9], [5, 0, 0], [5, 1, 0]], dtype)
    faces = [[0, 1, 2], [2, 3, 4]]
    for weighting in ("area", "angle"):
        result = normals.vertex_normals(vertices, faces, weighting=weighting).numpy()
        np.testing.assert_array_equal(result[:2], 0.0)
        np.testing.assert_allclose(np.linalg.norm(result[2:], axis=-1), 1.0, rtol=1e-6)


def test_empty_point_sets_under_xla_fail_to_compile():
    signature = [tf.TensorSpec([None, None, 3], tf.float32)] * 2
    compiled = tf.function(distances.chamfer_distance, input_signature=signature, jit_compile=True)
    with pytest.raises(tf.errors.InvalidArgumentError):
        compiled(tf.zeros([2, 4, 3]), tf.zeros([2, 0, 3]))

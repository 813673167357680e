"""Values of graphics_ops.mesh against float64 references: trimesh where it has the quantity, loops else."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.mesh import distances, edges, measures, normals, sampler, triangle
from tests.graphics_ops.mesh_testing import (
    ATOL,
    OCTAHEDRON_FACES,
    OCTAHEDRON_VERTICES,
    all_dtypes,
    brute_force_squared_distances,
    noisy_sphere,
    reference_area_weighted_vertex_normals,
    reference_trimesh,
)

SPHERE_VERTICES, SPHERE_FACES = noisy_sphere(np.random.default_rng(0))
SPHERE = reference_trimesh(SPHERE_VERTICES, SPHERE_FACES)


def test_octahedron_fixture_is_closed_and_wound_outward():
    octahedron = reference_trimesh(OCTAHEDRON_VERTICES, OCTAHEDRON_FACES)
    assert octahedron.is_watertight and octahedron.is_winding_consistent
    assert octahedron.volume > 0


@all_dtypes
def test_face_quantities_match_trimesh(dtype):
    vertices = tf.constant(SPHERE_VERTICES, dtype)
    atol = ATOL[dtype]
    np.testing.assert_allclose(measures.face_areas(vertices, SPHERE_FACES), SPHERE.area_faces, atol=atol)
    np.testing.assert_allclose(measures.surface_area(vertices, SPHERE_FACES), SPHERE.area, rtol=atol)
    np.testing.assert_allclose(measures.face_angles(vertices, SPHERE_FACES), SPHERE.face_angles, atol=10 * atol)
    corners = normals.gather_faces(vertices, SPHERE_FACES)
    np.testing.assert_array_equal(corners, tf.constant(SPHERE_VERTICES[SPHERE_FACES], dtype))
    np.testing.assert_allclose(normals.face_normals(corners), SPHERE.face_normals, atol=atol)
    np.testing.assert_allclose(normals.face_normals(corners, clockwise=False), -SPHERE.face_normals, atol=atol)
    np.testing.assert_allclose(
        np.linalg.norm(normals.face_normals(corners, normalize=False), axis=-1), 2 * SPHERE.area_faces, atol=atol
    )


@all_dtypes
def test_vertex_normals_match_references(dtype):
    vertices = tf.constant(SPHERE_VERTICES, dtype)
    angle_weighted = normals.vertex_normals(vertices, SPHERE_FACES, weighting="angle")
    np.testing.assert_allclose(angle_weighted, SPHERE.vertex_normals, atol=10 * ATOL[dtype])
    area_weighted = normals.vertex_normals(vertices, SPHERE_FACES)
    reference = reference_area_weighted_vertex_normals(SPHERE_VERTICES, SPHERE_FACES)
    np.testing.assert_allclose(area_weighted, reference, atol=10 * ATOL[dtype])
    np.testing.assert_allclose(
        normals.vertex_normals(vertices, SPHERE_FACES, clockwise=False), -reference, atol=10 * ATOL[dtype]
    )


def test_vertex_normals_of_quads_equal_those_of_their_triangles():
    # A bent strip of planar quads: 2 x 4 vertices, 3 quads.
    x = np.array([0.0, 1.0, 2.0, 2.5])
    z = np.array([0.0, 0.0, 0.5, 1.5])
    vertices = np.concatenate([np.stack([x, np.zeros(4), z], -1), np.stack([x, np.ones(4), z], -1)])
    quads = np.array([[0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6]])
    triangles = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    for weighting in ("area", "angle"):
        np.testing.assert_allclose(
            normals.vertex_normals(vertices, quads, weighting=weighting),
            normals.vertex_normals(vertices, triangles, weighting=weighting),
            atol=1e-12,
        )
    np.testing.assert_allclose(normals.face_normals(normals.gather_faces(vertices, quads))[0], [0, 0, 1], atol=1e-12)


def test_angle_weighting_ignores_how_a_surface_is_triangulated():
    # The corner of a cube: each side weighs 90 degrees, whether or not it is split in two triangles.
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0]], np.float64)
    faces = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2]])
    split = np.array([[0, 2, 4], [0, 4, 1], [0, 1, 3], [0, 3, 2]])
    diagonal = -np.ones(3) / np.sqrt(3)
    for triangulation in (faces, split):
        np.testing.assert_allclose(normals.vertex_normals(vertices, triangulation, weighting="angle")[0], diagonal)


@all_dtypes
def test_triangle_functions_follow_tensorflow_graphics_conventions(dtype):
    rng = np.random.default_rng(1)
    v0, v1, v2 = (rng.normal(size=(5, 3)) for _ in range(3))
    cross = np.cross(v1 - v0, v2 - v0)
    length = np.linalg.norm(cross, axis=-1, keepdims=True)
    args = [tf.constant(value, dtype) for value in (v0, v1, v2)]
    np.testing.assert_allclose(triangle.normal(*args), -cross / length, atol=ATOL[dtype])
    np.testing.assert_allclose(triangle.normal(*args, clockwise=True, normalize=False), cross, atol=4 * ATOL[dtype])
    np.testing.assert_allclose(triangle.area(*args), length / 2, atol=ATOL[dtype])
    np.testing.assert_allclose(sampler.triangle_area(*args), length[:, 0] / 2, atol=ATOL[dtype])
    angles = triangle.angles(*args).numpy()
    np.testing.assert_allclose(angles.sum(-1), np.pi, atol=ATOL[dtype])
    e1, e2 = v1 - v0, v2 - v0
    cosine = np.sum(e1 * e2, -1) / np.linalg.norm(e1, axis=-1) / np.linalg.norm(e2, axis=-1)
    np.testing.assert_allclose(angles[:, 0], np.arccos(cosine), atol=10 * ATOL[dtype])


def test_unique_edges_match_trimesh():
    expected = np.unique(np.sort(SPHERE.edges_unique, axis=1), axis=0)
    result = edges.unique_edges(SPHERE_FACES)
    assert result.dtype == tf.int32
    np.testing.assert_array_equal(result, expected)
    result64 = edges.unique_edges(SPHERE_FACES.astype(np.int64))
    assert result64.dtype == tf.int64
    np.testing.assert_array_equal(result64, expected)
    graph = tf.function(edges.unique_edges, input_signature=[tf.TensorSpec([None, None], tf.int32)])
    np.testing.assert_array_equal(graph(SPHERE_FACES), expected)


def test_unique_edges_of_polygons_skip_repeated_indices():
    faces = np.array([[0, 1, 2, 3], [3, 2, 4, 4], [5, 5, 5, 5]])
    np.testing.assert_array_equal(edges.unique_edges(faces), [[0, 1], [0, 3], [1, 2], [2, 3], [2, 4], [3, 4]])
    assert edges.unique_edges(np.zeros((0, 3), np.int32)).shape == (0, 2)


@all_dtypes
@pytest.mark.parametrize("chunk_size", [1, 4, 5, 64])
def test_distances_match_brute_force(dtype, chunk_size):
    rng = np.random.default_rng(chunk_size)
    a, b = rng.normal(size=(2, 3, 17, 3)), rng.normal(size=(3, 5, 3))
    table = brute_force_squared_distances(a, b)
    a_to_b, b_to_a = table.min(-1), table.min(-2)
    a_tensor, b_tensor = tf.constant(a, dtype), tf.constant(b, dtype)
    atol = 10 * ATOL[dtype]
    squared, indices = distances.nearest_neighbors(a_tensor, b_tensor, chunk_size=chunk_size)
    np.testing.assert_allclose(squared, a_to_b, atol=atol)
    np.testing.assert_array_equal(indices, table.argmin(-1))
    np.testing.assert_allclose(
        distances.chamfer_distance(a_tensor, b_tensor, chunk_size=chunk_size),
        a_to_b.mean(-1) + b_to_a.mean(-1),
        atol=atol,
    )
    np.testing.assert_allclose(
        distances.hausdorff_distance(a_tensor, b_tensor, chunk_size=chunk_size), np.sqrt(a_to_b.max(-1)), atol=atol
    )
    np.testing.assert_allclose(
        distances.hausdorff_distance(a_tensor, b_tensor, symmetric=True, chunk_size=chunk_size),
        np.sqrt(np.maximum(a_to_b.max(-1), b_to_a.max(-1))),
        atol=atol,
    )


def test_chamfer_distance_of_large_sets_in_float32():
    """Far from the origin and close together: the centring keeps matmul distances accurate."""
    rng = np.random.default_rng(5)
    a = 100.0 + rng.uniform(size=(2000, 3))
    b = 100.0 + rng.uniform(size=(1500, 3))
    table = brute_force_squared_distances(a, b)
    expected = table.min(-1).mean() + table.min(-2).mean()
    result = distances.chamfer_distance(tf.constant(a, tf.float32), tf.constant(b, tf.float32), chunk_size=256)
    np.testing.assert_allclose(result, expected, rtol=1e-3)


def test_distances_are_symmetric_or_directed_as_documented():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(8, 2)), rng.normal(size=(5, 2)) + 1.0
    np.testing.assert_allclose(distances.chamfer_distance(a, b), distances.chamfer_distance(b, a), rtol=1e-12)
    directed = [distances.hausdorff_distance(a, b).numpy(), distances.hausdorff_distance(b, a).numpy()]
    np.testing.assert_allclose(distances.hausdorff_distance(a, b, symmetric=True), max(directed), rtol=1e-12)

"""TensorFlow Graphics' mesh.utils in graphics_ops.mesh.edges: unique edges and degree-based edge weights."""

import inspect

import numpy as np
import pytest
import tensorflow as tf
import trimesh

from graphics_ops.mesh import edges


def test_signatures_are_tensorflow_graphics():
    assert list(inspect.signature(edges.extract_unique_edges_from_triangular_mesh).parameters)[:2] == [
        "faces",
        "directed_edges",
    ]
    assert list(inspect.signature(edges.get_degree_based_edge_weights).parameters)[:2] == ["edges", "dtype"]


def test_undirected_edges_are_each_listed_once():
    # Two faces wound consistently list their shared edge in opposite orders: TensorFlow Graphics
    # kept both [0, 1] and [1, 0]; here the edge comes once.
    faces = np.array([[0, 1, 2], [1, 0, 3]])
    result = edges.extract_unique_edges_from_triangular_mesh(faces)
    np.testing.assert_array_equal(result, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3]])


def test_directed_edges_of_a_sphere_are_both_directions_of_trimesh_edges():
    sphere = trimesh.creation.icosphere(subdivisions=1)
    result = edges.extract_unique_edges_from_triangular_mesh(sphere.faces.astype(np.int32), directed_edges=True)
    undirected = np.sort(sphere.edges_unique, axis=1)
    expected = np.concatenate([undirected, undirected[:, ::-1]])
    expected = expected[np.lexsort((expected[:, 1], expected[:, 0]))]
    np.testing.assert_array_equal(result, expected)
    assert result.dtype == tf.int32


def test_degree_based_weights_sum_to_one_per_vertex():
    sphere = trimesh.creation.icosphere(subdivisions=1)
    directed = edges.extract_unique_edges_from_triangular_mesh(sphere.faces, directed_edges=True).numpy()
    weights = edges.get_degree_based_edge_weights(directed, np.float64).numpy()
    assert weights.dtype == np.float64
    np.testing.assert_allclose(np.bincount(directed[:, 0], weights), np.ones(len(sphere.vertices)), rtol=1e-12)
    degree = np.bincount(directed[:, 0])
    np.testing.assert_allclose(weights, 1.0 / degree[directed[:, 0]], rtol=1e-12)


def test_weights_compile_with_xla_and_degenerate_inputs():
    pairs = tf.constant([[0, 1], [0, 2], [2, 0]])
    compiled = tf.function(edges.get_degree_based_edge_weights, jit_compile=True)(pairs)
    np.testing.assert_allclose(compiled, [0.5, 0.5, 1.0])
    assert edges.get_degree_based_edge_weights(np.zeros((0, 2), np.int32)).shape == (0,)
    assert edges.extract_unique_edges_from_triangular_mesh(np.zeros((0, 3), np.int32), True).shape == (0, 2)
    # A face that repeats a vertex has no edge from the vertex to itself.
    np.testing.assert_array_equal(edges.extract_unique_edges_from_triangular_mesh([[0, 0, 1]]), [[0, 1]])


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="faces"):
        edges.extract_unique_edges_from_triangular_mesh(np.zeros((2, 4), np.int32))
    with pytest.raises(TypeError, match="faces"):
        edges.extract_unique_edges_from_triangular_mesh(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="edges"):
        edges.get_degree_based_edge_weights(np.zeros((2, 3), np.int32))
    with pytest.raises(ValueError, match="dtype"):
        edges.get_degree_based_edge_weights(np.zeros((2, 2), np.int32), dtype=np.int32)

"""graphics_ops.nn.neighbourhood: mesh adjacency, k-nearest neighbours, and the two forms of `neighbors`."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.nn import neighbourhood
from tests.graphics_ops.mesh_testing import (
    OCTAHEDRON_FACES,
    brute_force_squared_distances,
    noisy_sphere,
    reference_uniform_laplacian,
)
from tests.graphics_ops.nn.nn_testing import random_adjacency, to_edges, to_sparse

SPHERE_VERTICES, SPHERE_FACES = noisy_sphere(np.random.default_rng(0), subdivisions=1)


def reference_adjacency(faces, num_vertices, self_loops, normalize):
    laplacian = reference_uniform_laplacian(faces, num_vertices)  # L = D - A
    adjacency = np.diag(np.diag(laplacian)) - laplacian
    if self_loops:
        adjacency += np.eye(num_vertices)
    degree = adjacency.sum(1, keepdims=True)
    return adjacency / np.where(degree > 0, degree, 1) if normalize else adjacency


@pytest.mark.parametrize("self_loops", [True, False])
@pytest.mark.parametrize("normalize", [True, False])
def test_adjacency_from_faces_matches_the_reference(self_loops, normalize):
    count = len(SPHERE_VERTICES) + 1  # the last vertex is in no face
    result = neighbourhood.adjacency_from_faces(SPHERE_FACES, count, self_loops=self_loops, normalize=normalize)
    assert result.dtype == tf.float32
    np.testing.assert_array_equal(tf.sparse.reorder(result).indices, result.indices)
    dense = tf.sparse.to_dense(result).numpy()
    np.testing.assert_allclose(dense, reference_adjacency(SPHERE_FACES, count, self_loops, normalize), rtol=1e-6)
    assert dense[-1, -1] == (1 if self_loops else 0)


def test_adjacency_of_polygons_in_float64_with_unknown_sizes():
    quads = np.array([[0, 1, 2, 3], [2, 3, 4, 5]])
    graph = tf.function(
        lambda faces, count: neighbourhood.adjacency_from_faces(faces, count, dtype=tf.float64),
        input_signature=[tf.TensorSpec([None, None], tf.int64), tf.TensorSpec([], tf.int32)],
    )
    result = graph(quads, 6)
    assert result.dtype == tf.float64
    np.testing.assert_allclose(tf.sparse.to_dense(result), reference_adjacency(quads, 6, True, True), atol=1e-15)


def test_adjacency_rejects_faces_out_of_range():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"faces must hold vertex indices in \[0, V\)"):
        neighbourhood.adjacency_from_faces(OCTAHEDRON_FACES, 5)
    with pytest.raises(ValueError, match=r"^faces must have shape \[F, M\], got \[1, 8, 3\]$"):
        neighbourhood.adjacency_from_faces(OCTAHEDRON_FACES[None], 6)


def _reference_nearest(points, k, include_self):
    squared = brute_force_squared_distances(points, points)
    if not include_self:
        squared[..., np.arange(points.shape[-2]), np.arange(points.shape[-2])] = np.inf
    return np.argsort(squared, axis=-1, kind="stable")[..., :k], np.sort(squared, axis=-1)[..., :k]


@pytest.mark.parametrize("chunk_size", [1000, 7])
@pytest.mark.parametrize("include_self", [True, False])
def test_k_nearest_neighbors_match_brute_force(chunk_size, include_self):
    points = np.random.default_rng(1).normal(size=(2, 3, 30, 3))
    result = neighbourhood.k_nearest_neighbors(points, 5, include_self=include_self, chunk_size=chunk_size)
    assert result.dtype == tf.int32 and result.shape == (2, 3, 30, 5)
    indices, squared = _reference_nearest(points, 5, include_self)
    np.testing.assert_array_equal(result, indices)
    found = np.take_along_axis(brute_force_squared_distances(points, points), result.numpy(), axis=-1)
    np.testing.assert_allclose(found, squared, atol=1e-12)
    if include_self:
        np.testing.assert_array_equal(result[..., 0], np.broadcast_to(np.arange(30), (2, 3, 30)))


def test_k_nearest_neighbors_in_tf_function_and_jit_compile():
    points = tf.constant(np.random.default_rng(2).normal(size=(2, 50, 4)), tf.float32)
    expected = neighbourhood.k_nearest_neighbors(points, 4, chunk_size=16)
    graph = tf.function(
        lambda p: neighbourhood.k_nearest_neighbors(p, 4, chunk_size=16),
        input_signature=[tf.TensorSpec([None, None, 4])],
    )
    xla = tf.function(lambda p: neighbourhood.k_nearest_neighbors(p, 4, chunk_size=16), jit_compile=True)
    np.testing.assert_array_equal(graph(points), expected)
    np.testing.assert_array_equal(xla(points), expected)


def test_k_nearest_neighbors_rejects_bad_arguments():
    points = np.zeros((4, 3))
    with pytest.raises(
        ValueError, match=r"^k must be at most the number of points N - 1 \(include_self=False\), got k=4 for N=4$"
    ):
        neighbourhood.k_nearest_neighbors(points, 4, include_self=False)
    with pytest.raises(ValueError, match=r"^k must be a positive int, got 0$"):
        neighbourhood.k_nearest_neighbors(points, 0)
    with pytest.raises(ValueError, match=r"^chunk_size must be a positive int, got 2.5$"):
        neighbourhood.k_nearest_neighbors(points, 2, chunk_size=2.5)
    with pytest.raises(ValueError, match=r"^points must have shape \[A1, \.\.\., An, N, D\], got \[4\]$"):
        neighbourhood.k_nearest_neighbors(points[:, 0], 2)
    graph = tf.function(lambda p: neighbourhood.k_nearest_neighbors(p, 5), input_signature=[tf.TensorSpec([None, 3])])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"k must be at most the number of points N"):
        graph(points)


def test_knn_graph_is_an_edge_list_with_row_normalised_weights():
    points = np.random.default_rng(3).normal(size=(2, 12, 3))
    edges, weights = neighbourhood.knn_graph(points, 3, include_self=False)
    assert edges.dtype == tf.int32 and edges.shape == (2, 36, 2) and weights.shape == (2, 36)
    np.testing.assert_allclose(weights, 1 / 3)
    indices, _ = _reference_nearest(points, 3, False)
    np.testing.assert_array_equal(edges[..., 0], np.broadcast_to(np.repeat(np.arange(12), 3), (2, 36)))
    np.testing.assert_array_equal(edges[..., 1], indices.reshape(2, 36))


def test_sparse_and_edges_round_trip_with_padding():
    rng = np.random.default_rng(4)
    dense = np.stack([random_adjacency(rng, 5, density=density) for density in (0.2, 0.6, 0.0)]).reshape(3, 1, 5, 5)
    edges, weights = neighbourhood.sparse_to_edges(to_sparse(dense))
    expected_edges, expected_weights = to_edges(dense)
    np.testing.assert_array_equal(edges, expected_edges)
    np.testing.assert_allclose(weights, expected_weights)
    assert np.all(edges.numpy()[2] == -1), "the graph without entries is all padding"
    back = neighbourhood.edges_to_sparse(edges, weights, 5)
    np.testing.assert_array_equal(back.dense_shape, [3, 1, 5, 5])
    np.testing.assert_allclose(tf.sparse.to_dense(back), dense)
    single_edges, single_weights = neighbourhood.sparse_to_edges(to_sparse(dense[1, 0]))
    np.testing.assert_array_equal(single_edges, np.argwhere(dense[1, 0]))
    np.testing.assert_allclose(
        tf.sparse.to_dense(neighbourhood.edges_to_sparse(single_edges, single_weights, 5)), dense[1, 0]
    )


def test_conversions_reject_bad_arguments():
    with pytest.raises(TypeError, match=r"^neighbors must be a tf.sparse.SparseTensor, got ndarray$"):
        neighbourhood.sparse_to_edges(np.eye(3))
    with pytest.raises(ValueError, match=r"^dimension E must agree: weights has E=2, edges has E=3$"):
        neighbourhood.edges_to_sparse(np.zeros((3, 2), np.int32), np.zeros(2), 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"edges must hold vertex indices in \[0, V\)"):
        neighbourhood.edges_to_sparse(np.array([[0, 3]]), np.ones(1), 3)

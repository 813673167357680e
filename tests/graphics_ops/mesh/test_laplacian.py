"""graphics_ops.mesh.laplacian: sparse uniform and cotangent Laplacians, and `apply`."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.mesh import laplacian
from tests.graphics_ops.mesh_testing import (
    ATOL,
    OCTAHEDRON_FACES,
    all_dtypes,
    flat_grid,
    noisy_octahedra,
    noisy_sphere,
    reference_cotangent_laplacian,
    reference_uniform_laplacian,
)
from tests.graphics_ops.testing import assert_jacobians_match_finite_differences

SPHERE_VERTICES, SPHERE_FACES = noisy_sphere(np.random.default_rng(0), subdivisions=1)


def _assert_canonical(sparse):
    """No duplicate entries, in row-major order: what tf.sparse ops expect."""
    indices = sparse.indices.numpy()
    np.testing.assert_array_equal(tf.sparse.reorder(sparse).indices, indices)
    assert len(np.unique(indices, axis=0)) == len(indices)


def _assert_laplacian(dense, atol):
    np.testing.assert_allclose(dense, np.swapaxes(dense, -1, -2), atol=atol)
    np.testing.assert_allclose(dense.sum(-1), 0.0, atol=atol)


@all_dtypes
def test_uniform_laplacian(dtype):
    result = laplacian.uniform(SPHERE_FACES, len(SPHERE_VERTICES) + 1, dtype=dtype)
    assert result.dtype == dtype
    _assert_canonical(result)
    dense = tf.sparse.to_dense(result).numpy()
    np.testing.assert_array_equal(dense, reference_uniform_laplacian(SPHERE_FACES, len(SPHERE_VERTICES) + 1))
    _assert_laplacian(dense, 0)
    assert np.all(dense[-1] == 0), "the unused last vertex has no entries"


def test_uniform_laplacian_in_tf_function_with_unknown_sizes():
    graph = tf.function(
        lambda faces, count: laplacian.uniform(faces, count),
        input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.int32)],
    )
    result = graph(OCTAHEDRON_FACES, 6)
    np.testing.assert_array_equal(tf.sparse.to_dense(result), reference_uniform_laplacian(OCTAHEDRON_FACES, 6))


@all_dtypes
def test_cotangent_laplacian_matches_loop_reference(dtype):
    result = laplacian.cotangent(tf.constant(SPHERE_VERTICES, dtype), SPHERE_FACES)
    assert result.dtype == dtype
    _assert_canonical(result)
    dense = tf.sparse.to_dense(result).numpy()
    reference = reference_cotangent_laplacian(SPHERE_VERTICES, SPHERE_FACES)
    np.testing.assert_allclose(dense, reference, atol=20 * ATOL[dtype])
    _assert_laplacian(dense, 20 * ATOL[dtype])
    assert np.linalg.eigvalsh(reference).min() > -1e-10, "the reference is positive semi-definite"
    assert result.indices.shape[0] == len(SPHERE_VERTICES) + 2 * 3 * len(SPHERE_FACES) // 2


def test_cotangent_laplacian_is_zero_on_linear_functions_inside_a_flat_mesh():
    vertices, faces, interior = flat_grid(6, 7, rng=np.random.default_rng(1), jitter=0.3)
    linear = vertices @ np.array([[1.0, -2.0], [0.5, 3.0], [7.0, 1.0]]) + np.array([4.0, -1.0])
    result = laplacian.apply(laplacian.cotangent(vertices, faces), linear).numpy()
    np.testing.assert_allclose(result[interior], 0.0, atol=1e-12)
    assert np.abs(result[~interior]).max() > 0.1, "boundary vertices are not harmonic"
    # Dirichlet energy of f = x: the integral of |grad f|^2 = 1 over the grid, its area.
    x = vertices[:, :1]
    energy = np.sum(x * laplacian.apply(laplacian.cotangent(vertices, faces), x).numpy())
    np.testing.assert_allclose(energy, 5 * 6, rtol=1e-12)


def test_batched_cotangent_laplacian_repeats_the_pattern_per_mesh():
    vertices = noisy_octahedra(np.random.default_rng(2), (2, 3))
    result = laplacian.cotangent(vertices, OCTAHEDRON_FACES)
    np.testing.assert_array_equal(result.dense_shape, [2, 3, 6, 6])
    _assert_canonical(result)
    dense = tf.sparse.to_dense(result).numpy()
    for index in np.ndindex(2, 3):
        np.testing.assert_allclose(
            dense[index], reference_cotangent_laplacian(vertices[index], OCTAHEDRON_FACES), atol=1e-12
        )
    graph = tf.function(
        lambda v: tf.sparse.to_dense(laplacian.cotangent(v, OCTAHEDRON_FACES)),
        input_signature=[tf.TensorSpec([None, None, 6, 3], tf.float64)],
    )
    np.testing.assert_allclose(graph(vertices), dense, atol=1e-12)


def test_cotangent_weights_are_half_cotangents_of_the_corners():
    vertices = np.array([[0.0, 0, 0], [2, 0, 0], [0, 1, 0]])
    weights = laplacian.cotangent_weights(vertices, [[0, 1, 2]]).numpy()[0]
    np.testing.assert_allclose(weights, [0.0, 0.5 * 2.0, 0.5 * 0.5], atol=1e-15)


def test_apply_matches_dense_products_and_broadcasts_values():
    rng = np.random.default_rng(3)
    vertices = noisy_octahedra(rng, (2,))
    values = rng.normal(size=(2, 6, 4))
    batched = laplacian.cotangent(vertices, OCTAHEDRON_FACES)
    dense = tf.sparse.to_dense(batched).numpy()
    np.testing.assert_allclose(laplacian.apply(batched, values), dense @ values, atol=1e-12)
    np.testing.assert_allclose(laplacian.apply(batched, values[0]), dense @ values[0], atol=1e-12)
    single = laplacian.cotangent(vertices[0], OCTAHEDRON_FACES)
    np.testing.assert_allclose(laplacian.apply(single, values), dense[0] @ values, atol=1e-12)
    np.testing.assert_allclose(laplacian.apply(single, values[None]), (dense[0] @ values)[None], atol=1e-12)
    uniform = laplacian.uniform(OCTAHEDRON_FACES, 6, tf.float64)
    np.testing.assert_allclose(
        laplacian.apply(uniform, values), reference_uniform_laplacian(OCTAHEDRON_FACES, 6) @ values, atol=1e-12
    )


def test_apply_differentiates_through_the_laplacian_values():
    rng = np.random.default_rng(4)
    faces = OCTAHEDRON_FACES
    values = rng.normal(size=(6, 2))

    def smoothness(vertices):
        """|L x|^2 per mesh, a typical Laplacian loss, differentiated through L and x."""
        applied = laplacian.apply(laplacian.cotangent(vertices, faces), vertices)
        return tf.reduce_sum(tf.square(applied), axis=[-2, -1]) + tf.reduce_sum(
            laplacian.apply(laplacian.cotangent(vertices, faces), tf.constant(values)), axis=[-2, -1]
        )

    assert_jacobians_match_finite_differences(smoothness, noisy_octahedra(rng, (1,)))


def test_apply_rejects_other_types_and_dtypes():
    with pytest.raises(TypeError, match=r"^laplacian must be a tf.sparse.SparseTensor, got ndarray$"):
        laplacian.apply(np.eye(3), np.zeros((3, 1)))
    with pytest.raises(TypeError, match=r"^laplacian must have dtype float64, got float32$"):
        laplacian.apply(laplacian.uniform(OCTAHEDRON_FACES, 6), np.zeros((6, 1)))

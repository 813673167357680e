"""graphics_ops.mesh.sampler: points on faces, area-proportional frequencies, seeds, gradients."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from graphics_ops.mesh import measures, sampler
from tests.graphics_ops.mesh_testing import OCTAHEDRON_FACES, all_dtypes, noisy_octahedra, noisy_sphere

SEED = (7, 11)
VERTICES, FACES = noisy_sphere(np.random.default_rng(0), subdivisions=1, noise=0.2)


def _points_from(vertices, faces, face_indices, barycentric):
    """Reference points `[..., S, D]` for vertices `[..., V, D]` and shared faces `[F, 3]`."""
    if vertices.ndim > 2:
        return np.stack([_points_from(v, faces, f, b) for v, f, b in zip(vertices, face_indices, barycentric)])
    return np.einsum("sk,skd->sd", barycentric, vertices[faces[face_indices]])


@all_dtypes
def test_points_lie_on_their_faces(dtype):
    vertices = tf.constant(VERTICES, dtype)
    points, face_indices, barycentric = sampler.area_weighted_random_sample_triangle_mesh(
        vertices, FACES, 500, seed=SEED, stateless=True, return_barycentric_coordinates=True
    )
    assert points.dtype == barycentric.dtype == dtype and face_indices.dtype == tf.int32
    assert points.shape == (500, 3) and face_indices.shape == (500,) and barycentric.shape == (500, 3)
    barycentric = barycentric.numpy()
    assert np.all(barycentric >= 0)
    np.testing.assert_allclose(barycentric.sum(-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(points, _points_from(VERTICES, FACES, face_indices.numpy(), barycentric), atol=1e-5)
    # On the plane of the face: orthogonal to its normal.
    corners = VERTICES[FACES[face_indices.numpy()]]
    normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    offsets = np.einsum(
        "sd,sd->s", points.numpy() - corners[:, 0], normal / np.linalg.norm(normal, axis=-1, keepdims=True)
    )
    np.testing.assert_allclose(offsets, 0.0, atol=1e-5)


def test_face_frequencies_are_proportional_to_areas():
    count = 40000
    _, face_indices = sampler.area_weighted_random_sample_triangle_mesh(
        VERTICES, FACES, count, seed=SEED, stateless=True
    )
    observed = np.bincount(face_indices.numpy(), minlength=len(FACES))
    areas = measures.face_areas(VERTICES, FACES).numpy()
    expected = count * areas / areas.sum()
    assert areas.max() > 2 * areas.min(), "the faces differ in area"
    statistic = np.sum((observed - expected) ** 2 / expected)
    assert stats.chi2.sf(statistic, len(FACES) - 1) > 1e-3, f"chi-square {statistic:.1f} for {len(FACES) - 1} dof"


def test_points_are_uniform_inside_a_triangle():
    barycentric = sampler.generate_random_barycentric_coordinates(
        [20000], tf.float64, seed=SEED, stateless=True
    ).numpy()
    np.testing.assert_allclose(barycentric.mean(0), [1 / 3] * 3, atol=0.01)
    # Under the uniform density, the first coordinate has density 2 (1 - b): P(b0 < 1/2) = 3/4.
    np.testing.assert_allclose(np.mean(barycentric[:, 0] < 0.5), 0.75, atol=0.01)


def test_weighted_sampling_never_draws_zero_weights_and_draws_uniformly_if_all_are_zero():
    weights = np.array([[0.0, 1.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0], [0.0] * 8])
    vertices = noisy_octahedra(np.random.default_rng(1), (2,))
    _, face_indices = sampler.weighted_random_sample_triangle_mesh(
        vertices, OCTAHEDRON_FACES, 4000, weights, seed=SEED, stateless=True
    )
    first = np.bincount(face_indices[0].numpy(), minlength=8)
    assert set(np.flatnonzero(first)) == {1, 3}
    np.testing.assert_allclose(first[3] / first.sum(), 0.75, atol=0.03)
    second = np.bincount(face_indices[1].numpy(), minlength=8)
    assert np.all(second > 350), second


def test_negative_weights_are_an_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="face_weights must be non-negative"):
        sampler.generate_random_face_indices(3, [1.0, -1.0, 2.0], seed=SEED, stateless=True)


def test_same_seed_same_samples_in_eager_and_graph_and_reproducible_under_xla():
    vertices = tf.constant(noisy_octahedra(np.random.default_rng(2), (3,)), tf.float32)

    def sample(vertices, seed):
        return sampler.area_weighted_random_sample_triangle_mesh(
            vertices, OCTAHEDRON_FACES, 16, seed=seed, stateless=True, return_barycentric_coordinates=True
        )

    eager = [output.numpy() for output in sample(vertices, SEED)]
    again = [output.numpy() for output in sample(vertices, SEED)]
    other = sample(vertices, (7, 12))[1].numpy()
    signature = [tf.TensorSpec([None, 6, 3], tf.float32), tf.TensorSpec([2], tf.int32)]
    graph = [output.numpy() for output in tf.function(sample, input_signature=signature)(vertices, SEED)]
    compiled = tf.function(sample, input_signature=signature, jit_compile=True)
    xla, xla_again = compiled(vertices, SEED), compiled(vertices, SEED)
    for a, b, c in zip(eager, again, graph):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert not np.array_equal(eager[1], other)
    for a, b in zip(xla, xla_again):
        np.testing.assert_array_equal(a, b)
    points, face_indices, barycentric = (output.numpy() for output in xla)
    np.testing.assert_allclose(
        points, _points_from(vertices.numpy(), OCTAHEDRON_FACES, face_indices, barycentric), atol=1e-5
    )


def test_stateful_sampling():
    points, face_indices = sampler.area_weighted_random_sample_triangle_mesh(VERTICES, FACES, 10, seed=3)
    assert points.shape == (10, 3) and face_indices.shape == (10,)
    face_indices = sampler.generate_random_face_indices(5, tf.ones([2, 4]))
    assert face_indices.shape == (2, 5) and np.all((face_indices.numpy() >= 0) & (face_indices.numpy() < 4))
    with pytest.raises(ValueError, match=r"seed must be given"):
        sampler.generate_random_face_indices(5, tf.ones([4]), stateless=True)
    with pytest.raises(ValueError, match=r"seed must be a shape \[2\] integer tensor"):
        sampler.generate_random_face_indices(5, tf.ones([4]), seed=[1, 2, 3], stateless=True)


def test_batches_share_faces_or_have_their_own():
    rng = np.random.default_rng(4)
    vertices = noisy_octahedra(rng, (2, 3))
    attributes = np.concatenate([vertices, rng.normal(size=(2, 3, 6, 2))], axis=-1)
    batched_faces = np.stack([np.roll(OCTAHEDRON_FACES, shift, axis=0) for shift in range(3)])  # [3, F, 3]
    for faces in (OCTAHEDRON_FACES, batched_faces):
        points, face_indices, barycentric = sampler.area_weighted_random_sample_triangle_mesh(
            attributes, faces, 7, seed=SEED, stateless=True, return_barycentric_coordinates=True
        )
        assert points.shape == (2, 3, 7, 5)
        for index in np.ndindex(2, 3):
            mesh_faces = np.broadcast_to(faces, (2, 3) + OCTAHEDRON_FACES.shape)[index]
            np.testing.assert_allclose(
                points[index],
                _points_from(attributes[index], mesh_faces, face_indices[index].numpy(), barycentric[index]),
                atol=1e-12,
            )


def test_points_are_differentiable_with_respect_to_vertex_attributes():
    rng = np.random.default_rng(5)
    attributes = tf.constant(rng.normal(size=(6, 4)))
    positions = tf.constant(noisy_octahedra(rng, ()))
    weights = tf.constant(rng.uniform(0.5, 1.0, size=8))

    def weighted(attributes):
        return sampler.weighted_random_sample_triangle_mesh(
            attributes, OCTAHEDRON_FACES, 6, weights, seed=SEED, stateless=True
        )[0]

    def area_weighted(attributes, positions):
        return sampler.area_weighted_random_sample_triangle_mesh(
            attributes, OCTAHEDRON_FACES, 6, vertex_positions=positions, seed=SEED, stateless=True
        )[0]

    for function, inputs in ((weighted, [attributes]), (area_weighted, [attributes, positions])):
        theoretical, numerical = tf.test.compute_gradient(tf.function(function), inputs, delta=1e-6)
        for jacobian, estimate in zip(theoretical, numerical):
            np.testing.assert_allclose(jacobian, estimate, atol=1e-8)
        assert np.abs(theoretical[0]).max() > 0.1
    # The draws do not depend on positions differentiably: their Jacobian is zero.
    np.testing.assert_array_equal(theoretical[1], 0.0)

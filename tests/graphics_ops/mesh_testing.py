"""Helpers for the graphics_ops.mesh tests: example meshes and float64 NumPy references."""

import numpy as np
import pytest
import tensorflow as tf
import trimesh

DTYPES = (tf.float32, tf.float64)
# Absolute tolerances for values of order 1 computed in each dtype from float64 references.
ATOL = {tf.float32: 2e-5, tf.float64: 1e-12}

all_dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])

# A closed octahedron: 6 vertices, 8 triangles wound counterclockwise seen from outside.
OCTAHEDRON_VERTICES = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], np.float64)
OCTAHEDRON_FACES = np.array(
    [[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]], np.int32
)


def noisy_octahedra(rng, batch, noise=0.15):
    """Vertices `batch + [6, 3]` of octahedra with random perturbations (no degenerate triangles)."""
    return OCTAHEDRON_VERTICES + noise * rng.normal(size=tuple(batch) + (6, 3))


def noisy_sphere(rng, subdivisions=2, noise=0.05):
    """A perturbed icosphere: float64 vertices `[V, 3]` and int32 faces `[F, 3]`."""
    sphere = trimesh.creation.icosphere(subdivisions=subdivisions)
    vertices = np.asarray(sphere.vertices) * (1 + noise * rng.normal(size=(len(sphere.vertices), 1)))
    return vertices, np.asarray(sphere.faces, np.int32)


def flat_grid(rows, cols, rng=None, jitter=0.0):
    """A triangulated planar grid in z = 0, optionally with jittered interior vertices.

    Returns float64 vertices `[rows * cols, 3]`, int32 faces `[2 (rows - 1)(cols - 1), 3]` and a bool
    mask of the interior vertices.
    """
    x, y = np.meshgrid(np.arange(cols, dtype=np.float64), np.arange(rows, dtype=np.float64))
    interior = (x > 0) & (x < cols - 1) & (y > 0) & (y < rows - 1)
    if jitter:
        x = x + jitter * rng.uniform(-1, 1, x.shape) * interior
        y = y + jitter * rng.uniform(-1, 1, y.shape) * interior
    vertices = np.stack([x.ravel(), y.ravel(), np.zeros(rows * cols)], axis=-1)
    index = np.arange(rows * cols).reshape(rows, cols)
    a, b, c, d = index[:-1, :-1], index[:-1, 1:], index[1:, :-1], index[1:, 1:]
    faces = np.concatenate([np.stack([a, b, d], -1).reshape(-1, 3), np.stack([a, d, c], -1).reshape(-1, 3)])
    return vertices, faces.astype(np.int32), interior.ravel()


def reference_trimesh(vertices, faces):
    return trimesh.Trimesh(np.asarray(vertices, np.float64), np.asarray(faces), process=False)


def reference_area_weighted_vertex_normals(vertices, faces):
    """Loop reference: normalized sums of the cross products of the faces around each vertex."""
    summed = np.zeros_like(vertices, dtype=np.float64)
    for face in faces:
        v0, v1, v2 = vertices[face]
        cross = np.cross(v1 - v0, v2 - v0)
        for index in face:
            summed[index] += cross
    length = np.linalg.norm(summed, axis=-1, keepdims=True)
    return np.where(length > 0, summed / np.where(length > 0, length, 1), 0)


def reference_cotangent_laplacian(vertices, faces):
    """Dense loop reference of L = D - W with w_ij = (cot α + cot β) / 2."""
    laplacian = np.zeros((len(vertices), len(vertices)))
    for face in faces:
        for k in range(3):
            corner, i, j = face[k], face[(k + 1) % 3], face[(k + 2) % 3]
            e1, e2 = vertices[i] - vertices[corner], vertices[j] - vertices[corner]
            weight = 0.5 * np.dot(e1, e2) / np.linalg.norm(np.cross(e1, e2))
            laplacian[i, j] -= weight
            laplacian[j, i] -= weight
            laplacian[i, i] += weight
            laplacian[j, j] += weight
    return laplacian


def reference_uniform_laplacian(faces, num_vertices):
    adjacency = np.zeros((num_vertices, num_vertices))
    for face in faces:
        for k in range(len(face)):
            i, j = face[k], face[(k + 1) % len(face)]
            if i != j:
                adjacency[i, j] = adjacency[j, i] = 1
    return np.diag(adjacency.sum(1)) - adjacency


def brute_force_squared_distances(point_set_a, point_set_b):
    """`[..., N, M]` table of squared distances, in float64."""
    a, b = np.asarray(point_set_a, np.float64), np.asarray(point_set_b, np.float64)
    return np.sum((a[..., :, None, :] - b[..., None, :, :]) ** 2, axis=-1)

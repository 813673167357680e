"""Helpers for the graphics_ops.camera tests: float64 NumPy references and example inputs."""

import numpy as np

from tests.graphics_ops.testing import random_rotations

# Ranges of usual lenses. All of them are invertible up to normalized radius 0.9 (at 0.95, those
# with all coefficients at their lowest stop being so).
DISTORTION_LOW = np.array([-0.3, -0.05, -0.003, -0.003, -0.01])
DISTORTION_HIGH = np.array([0.1, 0.1, 0.003, 0.003, 0.01])


def project(point_3d, focal, principal_point):
    """Pinhole projection (fx x / z + cx, fy y / z + cy)."""
    return point_3d[..., :2] / point_3d[..., 2:] * focal + principal_point


def ray(point_2d, focal, principal_point):
    xy = (point_2d - principal_point) / focal
    return np.concatenate([xy, np.ones_like(xy[..., :1])], axis=-1)


def distort(point, distortion):
    """OpenCV's distortion of normalized points, `distortion` = [k1, k2, p1, p2, k3]."""
    x, y = point[..., 0], point[..., 1]
    k1, k2, p1, p2, k3 = np.moveaxis(distortion, -1, 0)
    r2 = x**2 + y**2
    radial = 1 + k1 * r2 + k2 * r2**2 + k3 * r2**3
    return np.stack(
        [x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x**2), y * radial + p1 * (r2 + 2 * y**2) + 2 * p2 * x * y],
        axis=-1,
    )


def radially_monotonic(point, distortion, samples=4001):
    """Whether r (1 + k1 r² + k2 r⁴ + k3 r⁶) increases on [0, |point|], by dense sampling of its derivative.

    The derivative 1 + 3 k1 s + 5 k2 s² + 7 k3 s³ (s = r²) is sampled at evenly spaced s and, for
    narrow dips near 0 when the interval is long, at s growing like the fourth power of the index.
    """
    k1, k2, _, _, k3 = np.moveaxis(distortion, -1, 0)
    end = np.sum(point**2, axis=-1)
    fractions = np.linspace(0, 1, samples)
    s = np.concatenate([fractions, fractions**4])[:, None] * end.reshape(-1)
    k1, k2, k3 = (np.broadcast_to(k, end.shape).reshape(-1) for k in (k1, k2, k3))
    derivative = 1 + 3 * k1 * s + 5 * k2 * s**2 + 7 * k3 * s**3
    return np.all(derivative > 0, axis=0).reshape(end.shape)


def right_handed(vertical_field_of_view, aspect_ratio, near, far):
    """gluPerspective's matrix."""
    f = 1 / np.tan(vertical_field_of_view[..., 0] / 2)
    n, r = near[..., 0], far[..., 0]
    matrix = np.zeros(f.shape + (4, 4))
    matrix[..., 0, 0] = f / aspect_ratio[..., 0]
    matrix[..., 1, 1] = f
    matrix[..., 2, 2] = (r + n) / (n - r)
    matrix[..., 2, 3] = 2 * r * n / (n - r)
    matrix[..., 3, 2] = -1
    return matrix


def intrinsic_matrix(focal, principal_point, skew):
    matrix = np.zeros(focal.shape[:-1] + (3, 3))
    matrix[..., 0, 0], matrix[..., 1, 1] = focal[..., 0], focal[..., 1]
    matrix[..., 0, 1] = skew[..., 0]
    matrix[..., :2, 2] = principal_point
    matrix[..., 2, 2] = 1
    return matrix


def world_to_camera(rotation, translation, point):
    return np.einsum("...ij,...j->...i", rotation, point) + translation


def camera_to_world(rotation, translation, point_3d):
    return np.einsum("...ji,...j->...i", rotation, point_3d - translation)


def rotations(rng, batch):
    return random_rotations(int(np.prod(batch)), rng.integers(1 << 30)).as_matrix().reshape(batch + (3, 3))


def distortions(rng, batch):
    return rng.uniform(DISTORTION_LOW, DISTORTION_HIGH, size=batch + (5,))


# Example inputs by kind: functions of (rng, batch shape) returning float64 arrays. Pixels, focal
# lengths and principal points are drawn so that normalized coordinates stay within ±0.65.
KINDS = {
    "point_3d": lambda rng, batch: np.concatenate(
        [rng.normal(size=batch + (2,)), rng.uniform(1, 5, size=batch + (1,))], axis=-1
    ),
    "world_point": lambda rng, batch: rng.normal(size=batch + (3,)),
    "focal": lambda rng, batch: rng.uniform(400, 600, size=batch + (2,)),
    "principal_point": lambda rng, batch: rng.uniform(280, 360, size=batch + (2,)),
    "pixel": lambda rng, batch: rng.uniform(100, 540, size=batch + (2,)),
    "depth": lambda rng, batch: rng.uniform(0.5, 5, size=batch + (1,)),
    "skew": lambda rng, batch: rng.uniform(-1, 1, size=batch + (1,)),
    "intrinsic_matrix": lambda rng, batch: intrinsic_matrix(
        rng.uniform(400, 600, size=batch + (2,)),
        rng.uniform(280, 360, size=batch + (2,)),
        rng.uniform(-1, 1, batch + (1,)),
    ),
    "field_of_view": lambda rng, batch: rng.uniform(0.3, 2.5, size=batch + (1,)),
    "aspect_ratio": lambda rng, batch: rng.uniform(0.5, 2, size=batch + (1,)),
    "near": lambda rng, batch: rng.uniform(0.1, 1, size=batch + (1,)),
    "far": lambda rng, batch: rng.uniform(2, 20, size=batch + (1,)),
    "projection": lambda rng, batch: right_handed(
        rng.uniform(0.3, 2.5, batch + (1,)),
        rng.uniform(0.5, 2, batch + (1,)),
        rng.uniform(0.1, 1, batch + (1,)),
        rng.uniform(2, 20, batch + (1,)),
    ),
    "squared_radius": lambda rng, batch: rng.uniform(0, 1, size=batch + (2, 3)),
    "coefficient": lambda rng, batch: rng.uniform(-0.08, 0.3, size=batch),
    "normalized": lambda rng, batch: rng.uniform(-0.65, 0.65, size=batch + (2,)),
    "distortion": distortions,
    "rotation": rotations,
    "translation": lambda rng, batch: np.array([0.0, 0.0, 6.0]) + rng.normal(scale=0.3, size=batch + (3,)),
}

"""Helpers for the graphics_ops.rendering tests: scenes, and a brute-force float64 rasterizer."""

import numpy as np
import tensorflow as tf
import trimesh

from graphics_ops.camera import Camera

# Pixels whose centre is closer than this (relative) to an edge of a visible triangle, or whose two
# nearest fragments are closer than this in depth, may legitimately differ from the reference.
AMBIGUITY = 1e-5


def pixel_centres(height, width):
    """NDC (x, y) of pixel centres, `[H, W, 2]` float64, row 0 at the top."""
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    return np.stack([(2 * columns + 1) / width - 1, 1 - (2 * rows + 1) / height], axis=-1)


def random_scene(rng, batch, vertex_count, face_count, behind_near_plane=0.1):
    """Random clip-space triangles `[B, V, 4]` float64 and faces `[F, 3]`, some crossing the near plane.

    Points are spread over a little more than the view; a fraction `behind_near_plane` of the
    vertices lie in front of the near plane (z < -w), some of them behind the eye (w < 0).
    """
    ndc = rng.uniform(-1.3, 1.3, size=(batch, vertex_count, 2))
    w = rng.uniform(0.5, 3.0, size=(batch, vertex_count))
    z_ndc = rng.uniform(-0.95, 0.95, size=(batch, vertex_count))
    clip = np.concatenate([ndc * w[..., None], (z_ndc * w)[..., None], w[..., None]], axis=-1)
    near = rng.uniform(size=(batch, vertex_count)) < behind_near_plane
    clip[near, 2] = -clip[near, 3] * rng.uniform(1.2, 3.0, size=near.sum())
    clip[near, 3] *= rng.choice([-1.0, 1.0], size=near.sum())
    faces = np.stack([rng.choice(vertex_count, 3, replace=False) for _ in range(face_count)]).astype(np.int32)
    return clip, faces


def reference_rasterize(clip, faces, height, width, cull="none"):
    """Every pixel against every triangle, in float64.

    Returns:
      triangle_id `[B, H, W]` (-1 background), barycentrics `[B, H, W, 3]`, depth `[B, H, W]`
      (1 background), and a bool mask `[B, H, W]` of pixels whose answer is ambiguous at
      `AMBIGUITY` (a pixel centre on an edge, or two fragments at the same depth).
    """
    batch = clip.shape[0]
    p = np.concatenate([pixel_centres(height, width), np.ones((height, width, 1))], axis=-1)
    ids = -np.ones((batch, height, width), np.int64)
    bary = np.zeros((batch, height, width, 3))
    depth = np.ones((batch, height, width))
    ambiguous = np.zeros((batch, height, width), bool)
    for b in range(batch):
        best = np.full((height, width), np.inf)
        second = np.full((height, width), np.inf)
        for f, face in enumerate(faces):
            corners = clip[b, face]
            m = corners[:, [0, 1, 3]].T
            determinant = np.linalg.det(m)
            scale = np.abs(m).max() ** 3
            if abs(determinant) <= 1e-12 * scale:
                continue
            if (cull == "back" and determinant < 0) or (cull == "front" and determinant > 0):
                continue
            lam = np.einsum("ij,hwj->hwi", np.linalg.inv(m), p)
            z = lam @ corners[:, 2]
            magnitude = np.abs(lam).max(axis=-1, keepdims=True)
            inside = np.all(lam >= 0, axis=-1) & (z >= -1) & (z <= 1)
            near_edge = np.any(np.abs(lam) <= AMBIGUITY * magnitude, axis=-1) | (np.abs(np.abs(z) - 1) < AMBIGUITY)
            close = np.all(lam >= -AMBIGUITY * magnitude, axis=-1) & (z >= -1 - AMBIGUITY) & (z <= 1 + AMBIGUITY)
            ambiguous[b] |= close & near_edge
            closer = inside & (z < best)
            second = np.where(inside & ~closer, np.minimum(second, z), np.where(closer, best, second))
            best = np.where(closer, z, best)
            ids[b] = np.where(closer, f, ids[b])
            bary[b] = np.where(closer[..., None], lam / lam.sum(-1, keepdims=True), bary[b])
            depth[b] = np.where(closer, z, depth[b])
        with np.errstate(invalid="ignore"):  # inf - inf where fewer than two fragments
            ambiguous[b] |= np.abs(second - best) < AMBIGUITY
    return ids, bary, depth, ambiguous


def sphere(subdivisions=3):
    """A unit icosphere: float32 vertices `[V, 3]` and int32 faces `[F, 3]`, counterclockwise outside."""
    mesh = trimesh.creation.icosphere(subdivisions=subdivisions)
    return np.asarray(mesh.vertices, np.float32), np.asarray(mesh.faces, np.int32)


def orthographic_clip(points_ndc, depth=0.0):
    """Clip coordinates `[1, N, 4]` (w = 1) of NDC points `[N, 2]` at a constant NDC depth."""
    points_ndc = np.asarray(points_ndc, np.float64)
    count = len(points_ndc)
    return np.concatenate([points_ndc, np.full((count, 1), depth), np.ones((count, 1))], axis=-1)[None]


def polygon(center, radius, sides, phase=0.0):
    """A convex polygon as a triangle fan: NDC vertices `[sides + 1, 2]` and faces `[sides, 3]` (counterclockwise)."""
    angles = phase + 2 * np.pi * np.arange(sides) / sides
    rim = np.asarray(center) + radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    vertices = np.concatenate([[center], rim])
    faces = np.stack([np.zeros(sides), 1 + np.arange(sides), 1 + (np.arange(sides) + 1) % sides], axis=-1)
    return vertices, faces.astype(np.int32)


def looking_camera(position, width, height, focal, dtype=tf.float32):
    """A pinhole `Camera` at `position` looking at the origin, y up, principal point at the centre."""
    return Camera.from_look_at(
        tf.constant(position, dtype),
        tf.zeros([3], dtype),
        tf.constant([0.0, 1.0, 0.0], dtype),
        tf.constant([focal, focal], dtype),
        tf.constant([(width - 1) / 2, (height - 1) / 2], dtype),
        width,
        height,
    )

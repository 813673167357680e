"""A procedurally built, coloured, asymmetric toy fish: the object the pose-fitting demo recovers.

Nothing is downloaded: the fish is a union of trimesh primitives (an ellipsoid body, a head, a tail
fin, a dorsal fin and one side fin on the left only), so no rotation maps it onto itself and its
pose is recoverable from an image. Each part has its own colour, shaded along the body's length.
"""

import numpy as np
import trimesh

# (primitive, scale, rotation about z in degrees, translation, colour)
_PARTS = (
    ("sphere", (0.95, 0.5, 0.42), 0.0, (0.0, 0.0, 0.0), (0.20, 0.45, 0.85)),  # body
    ("sphere", (0.32, 0.30, 0.30), 0.0, (0.78, 0.12, 0.0), (0.95, 0.55, 0.15)),  # head
    ("box", (0.35, 0.62, 0.08), -25.0, (-1.02, 0.12, 0.0), (0.20, 0.75, 0.35)),  # tail fin
    ("box", (0.45, 0.30, 0.06), 20.0, (-0.05, 0.52, 0.0), (0.85, 0.20, 0.25)),  # dorsal fin
    ("box", (0.32, 0.06, 0.30), 0.0, (0.15, -0.18, 0.45), (0.95, 0.85, 0.20)),  # left side fin
)


def build(subdivisions=3):
    """The fish: float32 vertices `[V, 3]` (about 2 units long), int32 faces `[F, 3]` and float32
    colours `[V, 3]` in [0, 1]; faces are counterclockwise seen from outside, parts are closed."""
    vertices, faces, colors = [], [], []
    offset = 0
    for kind, scale, angle, translation, color in _PARTS:
        mesh = trimesh.creation.icosphere(subdivisions=subdivisions) if kind == "sphere" else trimesh.creation.box()
        if kind == "box":
            mesh = mesh.subdivide().subdivide()
        points = np.asarray(mesh.vertices) * scale
        turn = np.radians(angle)
        rotation = np.array([[np.cos(turn), -np.sin(turn), 0], [np.sin(turn), np.cos(turn), 0], [0, 0, 1]])
        points = points @ rotation.T + translation
        vertices.append(points)
        faces.append(np.asarray(mesh.faces) + offset)
        shade = 0.75 + 0.25 * np.tanh(points[:, :1])  # lighter toward the head
        colors.append(np.clip(np.asarray(color) * shade, 0.0, 1.0))
        offset += len(points)
    return (
        np.concatenate(vertices).astype(np.float32),
        np.concatenate(faces).astype(np.int32),
        np.concatenate(colors).astype(np.float32),
    )

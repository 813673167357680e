"""The data: unlabelled images of the toy fish at random poses, and, kept apart, their poses.

`make(...)` renders the fish with `graphics_ops.rendering` (the camera of `demo.pose_fit`) and returns
two structures: `Images` (what a self-supervised learner may see) and `Poses` (the labels, for the
supervised baseline and for evaluation only). Nothing in `Images` refers to `Poses`.
"""

import dataclasses
import math

import numpy as np
import tensorflow as tf

from demo import pose_fit, toy_fish
from graphics_ops import rendering
from graphics_ops.transformation import rotation_matrix_3d

OBJECTS = ("fish",)
# Translations are uniform in this box (world units; the camera is pose_fit.DISTANCE away).
TRANSLATION_RANGE = 0.2
SUBDIVISIONS = 2  # of the fish's spheres: 618 vertices, 1216 faces
RENDER_BATCH = 64


@dataclasses.dataclass(frozen=True)
class Shape:
    """The known object: float32 vertices `[V, 3]`, int32 faces `[F, 3]`, float32 colours `[V, 3]`."""

    vertices: np.ndarray
    faces: np.ndarray
    colors: np.ndarray


@dataclasses.dataclass(frozen=True)
class Images:
    """Unlabelled 8-bit RGB images: `train` `[N, S, S, 3]` and `held_out` `[M, S, S, 3]` (uint8)."""

    train: np.ndarray
    held_out: np.ndarray


@dataclasses.dataclass(frozen=True)
class Poses:
    """The poses the images were rendered at (labels): rotations `[N, 3, 3]`, translations `[N, 3]`."""

    train_rotations: np.ndarray
    train_translations: np.ndarray
    held_out_rotations: np.ndarray
    held_out_translations: np.ndarray


def load_shape(name):
    """The object called `name` (one of `OBJECTS`)."""
    if name not in OBJECTS:
        raise ValueError(f"object must be one of {OBJECTS}, got {name!r}")
    return Shape(*toy_fish.build(SUBDIVISIONS))


def random_rotations(rng, count, max_angle):
    """`count` rotation matrices `[count, 3, 3]` (float64) uniform on SO(3) within `max_angle` degrees of
    the identity (rejection sampling of uniform unit quaternions)."""
    kept = []
    limit = math.cos(math.radians(max_angle) / 2)
    while sum(len(block) for block in kept) < count:
        quaternions = rng.normal(size=(4 * count, 4))
        quaternions /= np.linalg.norm(quaternions, axis=1, keepdims=True)
        kept.append(quaternions[np.abs(quaternions[:, 3]) >= limit - 1e-12])
    quaternions = np.concatenate(kept)[:count]
    return rotation_matrix_3d.from_quaternion(quaternions).numpy()


def pose_vertices(vertices, rotations, translations):
    """World positions `[B, V, 3]` of `vertices` `[V, 3]` at poses `[B, 3, 3]`, `[B, 3]`."""
    return tf.matmul(vertices[None], rotations, transpose_b=True) + translations[:, None, :]


def render(shape, rotations, translations, camera):
    """float RGB images `[B, S, S, 3]` in [0, 1] on a white background of `shape` at poses `[B, 3, 3]`, `[B, 3]`."""
    posed = pose_vertices(tf.constant(shape.vertices), rotations, translations)
    rgba = rendering.render(
        posed,
        shape.faces,
        camera,
        near=pose_fit.NEAR,
        far=pose_fit.FAR,
        colors=shape.colors,
        ambient=[0.25, 0.25, 0.25],
        background=[1.0, 1.0, 1.0],
    )
    return rgba[..., :3]


def make(shape, seed, train_count, held_out_count, max_angle, size):
    """Renders `train_count` + `held_out_count` images of `shape` at random poses.

    Returns:
      `(Images, Poses)`.
    """
    if not 0 < max_angle <= 180:
        raise ValueError(f"max_angle must be in (0, 180] degrees, got {max_angle}")
    rng = np.random.default_rng(seed)
    count = train_count + held_out_count
    rotations = random_rotations(rng, count, max_angle).astype(np.float32)
    translations = rng.uniform(-TRANSLATION_RANGE, TRANSLATION_RANGE, size=(count, 3)).astype(np.float32)
    camera = pose_fit.look_at_camera(size)
    draw = tf.function(lambda r, t: render(shape, r, t, camera))
    images = np.concatenate(
        [
            draw(rotations[first : first + RENDER_BATCH], translations[first : first + RENDER_BATCH]).numpy()
            for first in range(0, count, RENDER_BATCH)
        ]
    )
    images = np.round(images * 255).astype(np.uint8)
    split = train_count
    return (
        Images(train=images[:split], held_out=images[split:]),
        Poses(rotations[:split], translations[:split], rotations[split:], translations[split:]),
    )


def as_float(images):
    """uint8 images as float32 in [0, 1]."""
    return tf.cast(images, tf.float32) / 255.0

"""The losses: self-supervised (render the predicted poses, compare with the input) and supervised.

Both map a batch to per-image losses `[B]` and named parts to log; the training loop averages them
over the global batch. The self-supervised objective receives images only: it has no way to see a
pose label.
"""

import math

import tensorflow as tf

from demo import pose_fit
from demo.self_supervised import data
from graphics_ops import rendering

LOSSES = ("pyramid", "plain")
PYRAMID_LEVELS = 4  # the image and its 2x, 4x and 8x averaged-down copies
SELECTION_WEIGHT = 0.1


def image_distance(rendered, images, kind):
    """Per-image distances `[B]` between RGB images `[B, S, S, 3]`: "plain" mean squared error, or
    "pyramid": its sum over the image and three averaged-down copies, whose coarse levels still
    compare silhouettes that barely overlap (a wider basin than pixel differences alone)."""
    difference = rendered - images
    total = tf.reduce_mean(tf.square(difference), axis=[1, 2, 3])
    if kind == "plain":
        return total
    for _ in range(PYRAMID_LEVELS - 1):
        difference = tf.nn.avg_pool2d(difference, 2, 2, "VALID")
        total += tf.reduce_mean(tf.square(difference), axis=[1, 2, 3])
    return total


class SelfSupervised:
    """Renders each of the K hypotheses of every image, compares them with the image, and keeps the
    best (min over K); the selection head learns, by cross-entropy, which one that was.

    The gradient of a minimum reaches only the hypothesis that attains it, so the K renders that pick
    it run forward only (no gradient), and the winner alone is rendered again with its gradient:
    K forward renders and one forward + backward per image instead of K of each, the same loss and
    the same gradients at about half the cost for K = 4.
    """

    needs_labels = False

    def __init__(self, shape, size, loss="pyramid"):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        self.shape, self.loss = shape, loss
        self.vertices = tf.constant(shape.vertices)
        self.camera = pose_fit.look_at_camera(size)
        self.topology = rendering.edge_topology(shape.faces)

    def render(self, posed):
        """RGB images `[B, S, S, 3]` of posed vertices `[B, V, 3]`."""
        rgba = rendering.render(
            posed,
            self.shape.faces,
            self.camera,
            near=pose_fit.NEAR,
            far=pose_fit.FAR,
            colors=self.shape.colors,
            ambient=[0.25, 0.25, 0.25],
            background=[1.0, 1.0, 1.0],
            topology=self.topology,
        )
        return rgba[..., :3]

    def pose_losses(self, images, rotations, translations):
        """Distances `[B]` of the renders at poses `[B, 3, 3]`, `[B, 3]` to their images `[B, S, S, 3]`."""
        rendered = self.render(data.pose_vertices(self.vertices, rotations, translations))
        return image_distance(rendered, images, self.loss)

    def hypothesis_losses(self, images, rotations, translations):
        """Distances `[B, K]` of each hypothesis' render (`[B, K, 3, 3]`, `[B, K, 3]`) to its image."""
        batch, hypotheses = tf.shape(rotations)[0], rotations.shape[1]
        losses = self.pose_losses(
            tf.repeat(images, hypotheses, axis=0), tf.reshape(rotations, [-1, 3, 3]), tf.reshape(translations, [-1, 3])
        )
        return tf.reshape(losses, [batch, hypotheses])

    def __call__(self, model, images):
        """Per-image losses `[B]` and their parts `{name: [B]}`."""
        rotations, translations, logits = model(images)
        losses = self.hypothesis_losses(images, tf.stop_gradient(rotations), tf.stop_gradient(translations))
        best = tf.argmin(losses, axis=-1, output_type=tf.int32)
        pick = lambda values: tf.gather(values, best, batch_dims=1)  # noqa: E731
        rendering_loss = self.pose_losses(images, pick(rotations), pick(translations))
        selection = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=best, logits=logits)
        return rendering_loss + SELECTION_WEIGHT * selection, {"rendering": rendering_loss, "selection": selection}


class Supervised:
    """The baseline: the first hypothesis against the label, geodesic angle (radians) plus the
    translation's squared error over the camera distance squared."""

    needs_labels = True

    def __call__(self, model, images, rotations, translations):
        predicted_rotations, predicted_translations, _ = model(images)
        angles = geodesic_angles(predicted_rotations[:, 0], rotations)
        offsets = tf.reduce_sum(tf.square(predicted_translations[:, 0] - translations), axis=-1)
        translation = offsets / pose_fit.DISTANCE**2
        return angles + translation, {"rotation": angles, "translation": translation}


class PseudoLabelled:
    """Self-training on refined poses (`self_training`): the hypothesis nearest the pseudo-label
    (geodesic angle plus `Supervised`'s translation term, min over K) learns it, and the selection head
    learns which hypothesis that was. Its labels come from the images through refinement, not from
    the data's poses."""

    needs_labels = False

    def __call__(self, model, images, rotations, translations):
        predicted_rotations, predicted_translations, logits = model(images)
        hypotheses = predicted_rotations.shape[1]
        angles = geodesic_angles(
            tf.reshape(predicted_rotations, [-1, 3, 3]),
            tf.reshape(tf.repeat(rotations, hypotheses, axis=0), [-1, 3, 3]),
        )
        angles = tf.reshape(angles, [-1, hypotheses])
        offsets = tf.reduce_sum(tf.square(predicted_translations - translations[:, None]), axis=-1)
        distances = angles + offsets / pose_fit.DISTANCE**2
        best = tf.argmin(distances, axis=-1, output_type=tf.int32)
        pick = lambda values: tf.gather(values, best, batch_dims=1)  # noqa: E731
        selection = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=best, logits=logits)
        return pick(distances) + SELECTION_WEIGHT * selection, {"pseudo_label": pick(distances), "selection": selection}


def geodesic_angles(predicted, true):
    """Angles (radians) `[B]` of the rotations taking `true` `[B, 3, 3]` to `predicted` `[B, 3, 3]`.

    atan2 of the sine (from the skew part of M = P Tᵀ) and the cosine ((trace M - 1) / 2): finite,
    with finite gradients at 0 and 180 degrees, where acos of the trace has none."""
    relative = tf.matmul(predicted, true, transpose_b=True)
    skew = tf.stack(
        [
            relative[:, 2, 1] - relative[:, 1, 2],
            relative[:, 0, 2] - relative[:, 2, 0],
            relative[:, 1, 0] - relative[:, 0, 1],
        ],
        axis=-1,
    )
    sine = 0.5 * tf.sqrt(tf.reduce_sum(tf.square(skew), axis=-1) + 1e-12)
    cosine = 0.5 * (tf.linalg.trace(relative) - 1.0)
    return tf.atan2(sine, cosine)


def degrees(radians):
    return radians * (180.0 / math.pi)

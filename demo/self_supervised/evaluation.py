"""Held-out evaluation (the only place the labels meet the self-supervised model) and the live view
of four fixed held-out images in TensorBoard."""

import numpy as np
import tensorflow as tf

from demo import pose_fit
from demo.self_supervised import data, objectives
from demo.self_supervised import model as model_module
from tb_mesh_plugin import summary, trace

WATCHED = 4
THRESHOLDS = (5, 15, 30)  # degrees


def rotation_errors(predicted, true):
    """Angles in degrees `[N]` between rotations `[N, 3, 3]`, in float64."""
    relative = np.einsum("nij,nkj->nik", np.asarray(predicted, np.float64), np.asarray(true, np.float64))
    cosine = np.clip((np.trace(relative, axis1=1, axis2=2) - 1.0) / 2.0, -1.0, 1.0)
    return np.degrees(np.arccos(cosine))


def pose_predictor(model):
    """A `tf.function`: uint8 images `[B, S, S, 3]` -> the selected rotations `[B, 3, 3]` and
    translations `[B, 3]`."""
    return tf.function(lambda images: model_module.selected(*model(data.as_float(images))))


def evaluate(predictor, images, rotations, translations, batch=64):
    """Held-out errors of a `pose_predictor` on uint8 `images` against their poses: a dict of the
    median and mean rotation error (degrees), the share under each of `THRESHOLDS`, and the mean
    translation error as a fraction of the camera distance."""
    chunks = [predictor(images[first : first + batch]) for first in range(0, len(images), batch)]
    predicted_rotations = np.concatenate([chunk[0] for chunk in chunks])
    predicted_translations = np.concatenate([chunk[1] for chunk in chunks])
    errors = rotation_errors(predicted_rotations, rotations)
    offsets = np.linalg.norm(predicted_translations - translations, axis=-1) / pose_fit.DISTANCE
    result = {
        "median_rotation_error_degrees": float(np.median(errors)),
        "mean_rotation_error_degrees": float(np.mean(errors)),
        "translation_error": float(np.mean(offsets)),
    }
    for threshold in THRESHOLDS:
        result[f"share_under_{threshold}_degrees"] = float(np.mean(errors < threshold))
    return result


class Watch:
    """Summaries of `WATCHED` fixed held-out images: the predicted mesh with d loss / d vertex (the
    rendering loss), the true pose (a ghost), input | render | difference as one image (all under
    `pose/`, one scene), and the renderer's intermediates with their gradients (`trace/render/...`)."""

    def __init__(self, model, renderer, images, rotations, translations):
        self.model, self.renderer = model, renderer
        self.images = data.as_float(images[:WATCHED])
        self.true_vertices = data.pose_vertices(renderer.vertices, rotations[:WATCHED], translations[:WATCHED])
        self._predict = tf.function(self._predicted_with_gradients)

    def _predicted_with_gradients(self, images, step):
        rotations, translations = model_module.selected(*self.model(images))
        posed = data.pose_vertices(self.renderer.vertices, rotations, translations)
        with trace.record(step=step):  # the renderer's intermediates, as trace/render/...
            with tf.GradientTape() as tape:
                tape.watch(posed)
                rendered = self.renderer.render(posed)
                loss = tf.reduce_sum(objectives.image_distance(rendered, images, self.renderer.loss))
            gradients = tape.gradient(loss, posed)
        return posed, gradients, rendered

    def write(self, step):
        """Writes the summaries of `step` to the default writer."""
        posed, gradients, rendered = self._predict(self.images, tf.constant(step, tf.int64))
        shape = self.renderer.shape
        summary.mesh(
            "pose/predicted",
            posed,
            shape.faces,
            shape.colors,
            attributes={"grad": gradients, "grad_norm": tf.norm(gradients, axis=-1)},
            step=step,
            description="The selected pose of 4 held-out images, with d rendering loss / d vertex.",
        )
        summary.mesh(
            "pose/true",
            self.true_vertices,
            shape.faces,
            shape.colors,
            step=step,
            description="The true poses (overlay them on pose/predicted as a ghost).",
        )
        difference = tf.clip_by_value(2.0 * tf.abs(rendered - self.images), 0.0, 1.0)
        tf.summary.image(
            "pose/input_render_difference",
            tf.concat([self.images, rendered, difference], axis=2),
            step=step,
            max_outputs=WATCHED,
        )

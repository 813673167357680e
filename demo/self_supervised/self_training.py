"""Self-training: the encoder learns again from its own refined poses, still without labels.

After the rendering-loss phase, the encoder's best hypothesis for each of the first `count` training
images is refined by render-and-compare (`refinement.refine`), and the image distance left after
refinement (the residual) says which refinements converged: on the toy fish at 90°, the half with
the lowest residuals is 94% within 5° of the truth, while all of them are 52%. The encoder then
trains on that confident half as if it were labelled (`objectives.PseudoLabelled`), which turns
the refined poses' precision into a one-pass prediction. The labels are never read: the residual
is an image distance.
"""

import numpy as np
import tensorflow as tf

from demo.self_supervised import data, refinement

KEPT_SHARE = 0.5  # of the pseudo-labelled images, the share with the lowest residuals
BATCH = 64


class PseudoLabels:
    """Refined poses and residuals of the first `count` training images, kept as variables so that a
    checkpoint taken during self-training holds them (a resumed run trains on the same labels)."""

    def __init__(self, count):
        self.count = count
        self.rotations = tf.Variable(tf.zeros([count, 3, 3]), trainable=False, name="pseudo_rotations")
        self.translations = tf.Variable(tf.zeros([count, 3]), trainable=False, name="pseudo_translations")
        self.residuals = tf.Variable(tf.zeros([count]), trainable=False, name="pseudo_residuals")
        self.labelled = tf.Variable(False, trainable=False, name="pseudo_labelled")

    def variables(self):
        """The variables to checkpoint, by name."""
        return {
            "rotations": self.rotations,
            "translations": self.translations,
            "residuals": self.residuals,
            "labelled": self.labelled,
        }

    def label(self, model, renderer, images, steps):
        """Refines `steps` times the best hypothesis of `model` for each of uint8 `images[:count]`."""
        predict = tf.function(lambda batch: _refined_with_residuals(model, renderer, data.as_float(batch), steps))
        images = images[: self.count]
        chunks = [predict(images[first : first + BATCH]) for first in range(0, self.count, BATCH)]
        for variable, index in ((self.rotations, 0), (self.translations, 1), (self.residuals, 2)):
            variable.assign(tf.concat([chunk[index] for chunk in chunks], axis=0))
        self.labelled.assign(True)

    def kept(self):
        """Indices `[k]` of the `KEPT_SHARE` of pseudo-labelled images with the lowest residuals."""
        keep = max(1, int(round(KEPT_SHARE * self.count)))
        return np.sort(np.argsort(self.residuals.numpy(), kind="stable")[:keep])

    def arrays(self, images):
        """The self-training set: uint8 images, rotations and translations of the kept images."""
        kept = self.kept()
        return images[: self.count][kept], self.rotations.numpy()[kept], self.translations.numpy()[kept]

    def residual_threshold(self):
        """The largest residual kept."""
        return float(np.max(self.residuals.numpy()[self.kept()]))


def _refined_with_residuals(model, renderer, images, steps):
    rotations, translations = refinement.refine_best(model, renderer, images, steps)
    return rotations, translations, renderer.pose_losses(images, rotations, translations)

"""Self-training: the encoder learns again from its own refined poses, in rounds, still without labels.

After the rendering-loss phase, each round refines by render-and-compare (`refinement`) the encoder's
best hypothesis for fresh training images, and the image distance left after refinement (the
residual) says which refinements converged. The first round keeps its half with the lowest
residuals (on the toy fish at 90°, 94% within 5° of the truth, against 52% for all of them); later
rounds keep every image whose residual is as low as that half's largest. The encoder then trains on
all the images kept so far as if they were labelled (`objectives.PseudoLabelled`), which turns the
refined poses' precision into a one-pass prediction. Each round starts from a better encoder, so
its refinements converge more often and need fewer steps, and the kept images cover more of the
poses. The labels are never read: the residual is an image distance.
"""

import numpy as np
import tensorflow as tf

from demo.self_supervised import data, refinement

KEPT_SHARE = 0.5  # of the first round's images, the share with the lowest residuals
LATER_REFINE_SHARE = 0.5  # later rounds refine this share of the first round's steps
BATCH = 64


class PseudoLabels:
    """Refined poses and residuals of the training images of each round (`counts[r]` fresh images in
    round `r`, in order), kept as variables so that a checkpoint holds them (a resumed run trains on
    the same labels)."""

    def __init__(self, counts):
        self.counts = tuple(counts)
        self.starts = np.concatenate([[0], np.cumsum(self.counts, dtype=np.int64)]).astype(int)
        total = int(self.starts[-1])
        self.rotations = tf.Variable(tf.zeros([total, 3, 3]), trainable=False, name="pseudo_rotations")
        self.translations = tf.Variable(tf.zeros([total, 3]), trainable=False, name="pseudo_translations")
        self.residuals = tf.Variable(tf.zeros([total]), trainable=False, name="pseudo_residuals")
        self.rounds_labelled = tf.Variable(0, trainable=False, name="pseudo_rounds_labelled")

    def variables(self):
        """The variables to checkpoint, by name."""
        return {
            "rotations": self.rotations,
            "translations": self.translations,
            "residuals": self.residuals,
            "rounds_labelled": self.rounds_labelled,
        }

    def label(self, round_index, model, renderer, images, steps):
        """Refines the best hypothesis of `model` for each of round `round_index`'s uint8 `images`:
        `steps` times in the first round, `LATER_REFINE_SHARE` of them in later rounds."""
        if round_index:
            steps = max(1, round(LATER_REFINE_SHARE * steps))
        predict = tf.function(lambda batch: _refined_with_residuals(model, renderer, data.as_float(batch), steps))
        first, end = self.starts[round_index], self.starts[round_index + 1]
        chunks = [predict(images[start : min(start + BATCH, end)]) for start in range(first, end, BATCH)]
        for variable, index in ((self.rotations, 0), (self.translations, 1), (self.residuals, 2)):
            variable[first:end].assign(tf.concat([chunk[index] for chunk in chunks], axis=0))
        self.rounds_labelled.assign(round_index + 1)

    def threshold(self):
        """The largest residual of the first round's `KEPT_SHARE` with the lowest residuals."""
        residuals = self.residuals.numpy()[: self.counts[0]]
        keep = max(1, int(round(KEPT_SHARE * self.counts[0])))
        return float(np.sort(residuals)[keep - 1])

    def kept(self, rounds):
        """Indices `[k]` of the images of the first `rounds` rounds kept for training: the first round's
        `KEPT_SHARE` with the lowest residuals, and later rounds' images with residuals up to theirs."""
        residuals = self.residuals.numpy()
        keep = max(1, int(round(KEPT_SHARE * self.counts[0])))
        first_round = np.argsort(residuals[: self.counts[0]], kind="stable")[:keep]
        later = self.counts[0] + np.nonzero(residuals[self.counts[0] : self.starts[rounds]] <= self.threshold())[0]
        return np.sort(np.concatenate([first_round, later]))

    def arrays(self, images, rounds):
        """The self-training set of the first `rounds` rounds: uint8 images, rotations and translations."""
        kept = self.kept(rounds)
        return images[kept], self.rotations.numpy()[kept], self.translations.numpy()[kept]


def _refined_with_residuals(model, renderer, images, steps):
    rotations, translations = refinement.refine_best(model, renderer, images, steps)
    return rotations, translations, renderer.pose_losses(images, rotations, translations)

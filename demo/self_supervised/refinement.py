"""Render-and-compare refinement: analysis by synthesis at test time, with no labels.

The encoder gives a pose in one pass; refinement then descends the image distance of each image
with respect to its own pose (6D rotation and translation), through the same renderer the encoder
was trained with. It starts from the hypothesis whose render is closest to the image (for K = 1,
the encoder's only one). The image distance has a wide basin: in `bench/self_supervised.py`'s
probe, descent from the true pose turned by 45° about a random axis returns to within 5° for most
held-out images, so refinement turns a rough encoder into a precise one. The loop is one
`tf.function` (`tf.while_loop`, Adam by hand on tensors), so it runs on any device without host
round trips.
"""

import tensorflow as tf

from demo.self_supervised import data
from graphics_ops.transformation import rotation_6d

STEPS = 60
LEARNING_RATE = 0.03
_BETA_1, _BETA_2, _EPSILON = 0.9, 0.999, 1e-7


def refine(renderer, images, rotations, translations, steps, learning_rate=LEARNING_RATE):
    """Poses `[B, 3, 3]`, `[B, 3]` after `steps` Adam steps on the image distance of float images
    `[B, S, S, 3]` (`renderer`: an `objectives.SelfSupervised`) from rotations `[B, 3, 3]` and
    translations `[B, 3]`."""
    start = tf.concat([rotation_6d.from_rotation_matrix(rotations), translations], axis=-1)

    def poses(parameters):
        return rotation_6d.to_rotation_matrix(parameters[:, :6]), parameters[:, 6:]

    def adam_step(step, parameters, first, second):
        with tf.GradientTape() as tape:
            tape.watch(parameters)
            loss = tf.reduce_sum(renderer.pose_losses(images, *poses(parameters)))
        gradient = tape.gradient(loss, parameters)
        first = _BETA_1 * first + (1 - _BETA_1) * gradient
        second = _BETA_2 * second + (1 - _BETA_2) * tf.square(gradient)
        count = tf.cast(step + 1, parameters.dtype)
        corrected = first / (1 - _BETA_1**count) / (tf.sqrt(second / (1 - _BETA_2**count)) + _EPSILON)
        return step + 1, parameters - learning_rate * corrected, first, second

    zeros = tf.zeros_like(start)
    _, parameters, _, _ = tf.while_loop(lambda step, *_: step < steps, adam_step, (tf.constant(0), start, zeros, zeros))
    return poses(parameters)


def refine_best(model, renderer, images, steps):
    """Rotations `[B, 3, 3]` and translations `[B, 3]`: for float images `[B, S, S, 3]`, the hypothesis
    of `model` rendered closest to the image, refined `steps` times."""
    rotations, translations, _ = model(images)
    best = tf.argmin(renderer.hypothesis_losses(images, rotations, translations), axis=-1, output_type=tf.int32)
    pick = lambda values: tf.gather(values, best, batch_dims=1)  # noqa: E731
    return refine(renderer, images, pick(rotations), pick(translations), steps)


def refined_predictor(model, renderer, steps=STEPS):
    """A `tf.function` like `evaluation.pose_predictor`: uint8 images `[B, S, S, 3]` -> rotations
    `[B, 3, 3]` and translations `[B, 3]`, the hypothesis rendered closest to the image, refined."""
    return tf.function(lambda images: refine_best(model, renderer, data.as_float(images), steps))

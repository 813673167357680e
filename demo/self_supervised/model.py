"""The encoder: a small Keras 3 CNN that predicts K pose hypotheses and which of them to trust.

Each hypothesis k is a rotation (the network's 6D output added to the 6D form of an anchor rotation,
turned into a matrix by `graphics_ops.transformation.rotation_6d`) and a translation. The anchors
are the identity and turns of two thirds of the pose range about x, y and z, so that the
hypotheses start apart and a min-over-K loss can send each image to the one nearest its pose.
A selection head scores the hypotheses (logits), so that one pose per image can be chosen at test
time without the rendering loss.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from graphics_ops.transformation import rotation_6d, rotation_matrix_3d


def anchor_rotations(count, max_angle):
    """`count` rotations `[count, 3, 3]` (float32): the identity, then turns of 2/3 `max_angle`
    degrees about x, y, z, -x, -y, -z, in turn."""
    if count < 1:
        raise ValueError(f"hypotheses must be >= 1, got {count}")
    axes = np.concatenate([np.eye(3), -np.eye(3)])
    angle = math.radians(max_angle) * 2 / 3
    rotations = [np.eye(3)]
    for index in range(count - 1):
        axis = axes[index % len(axes)]
        turn = angle * (1 + index // len(axes)) / (1 + (count - 2) // len(axes))
        rotations.append(rotation_matrix_3d.from_axis_angle(axis, [turn]).numpy())
    return np.stack(rotations).astype(np.float32)


class PoseEncoder(keras.Model):
    """Images `[B, S, S, 3]` -> rotations `[B, K, 3, 3]`, translations `[B, K, 3]`, logits `[B, K]`."""

    def __init__(self, hypotheses, max_angle, width=32, **kwargs):
        super().__init__(**kwargs)
        self.hypotheses = hypotheses
        self.anchors_6d = tf.constant(rotation_6d.from_rotation_matrix(anchor_rotations(hypotheses, max_angle)).numpy())
        self.features = keras.Sequential(
            [
                keras.layers.Conv2D(width, 5, strides=2, padding="same", activation="relu"),
                keras.layers.Conv2D(2 * width, 3, strides=2, padding="same", activation="relu"),
                keras.layers.Conv2D(4 * width, 3, strides=2, padding="same", activation="relu"),
                keras.layers.Conv2D(4 * width, 3, strides=2, padding="same", activation="relu"),
                keras.layers.Flatten(),
                keras.layers.Dense(256, activation="relu"),
            ]
        )
        small = keras.initializers.RandomNormal(stddev=1e-3)
        self.rotation_head = keras.layers.Dense(6 * hypotheses, kernel_initializer=small)
        self.translation_head = keras.layers.Dense(3 * hypotheses, kernel_initializer=small)
        self.selection_head = keras.layers.Dense(hypotheses)

    def call(self, images):
        features = self.features(images * 2.0 - 1.0)
        batch = tf.shape(images)[0]
        sixes = tf.reshape(self.rotation_head(features), [batch, self.hypotheses, 6]) + self.anchors_6d
        rotations = rotation_6d.to_rotation_matrix(sixes)
        translations = tf.reshape(self.translation_head(features), [batch, self.hypotheses, 3])
        return rotations, translations, self.selection_head(features)


def selected(rotations, translations, logits):
    """The hypothesis the selection head trusts most: rotations `[B, 3, 3]`, translations `[B, 3]`."""
    best = tf.argmax(logits, axis=-1, output_type=tf.int32)
    return tf.gather(rotations, best, batch_dims=1), tf.gather(translations, best, batch_dims=1)

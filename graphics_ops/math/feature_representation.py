"""Feature encodings, with TensorFlow Graphics' `math.feature_representation` API."""

import numpy as np
import tensorflow as tf

from graphics_ops.util import shape, trace_hook


@trace_hook.op
def positional_encoding(features, num_frequencies, name="positional_encoding"):
    """NeRF's positional encoding: the features, then their sines and cosines at N octaves.

    The output is `[x, sin(x), cos(x), sin(2 x), cos(2 x), ..., sin(2^(N-1) x), cos(2^(N-1) x)]`,
    each block M wide, in TensorFlow Graphics' order (so weights trained with it carry over).

    Args:
      features: A tensor of shape `[A1, ..., An, M]`.
      num_frequencies: The number N of octaves, an int >= 0.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, M + 2 N M]`.
    """
    with tf.name_scope(name):
        (features,) = shape.check_inputs(features=(features, None))
        if not isinstance(num_frequencies, (int, np.integer)) or num_frequencies < 0:
            raise ValueError(f"num_frequencies must be a non-negative int, got {num_frequencies!r}")
        if num_frequencies == 0:
            return features
        scales = tf.constant(2.0 ** np.arange(num_frequencies), features.dtype)
        angles = features[..., None, :] * scales[:, None]  # [A1, ..., An, N, M]
        waves = tf.stack([tf.sin(angles), tf.cos(angles)], axis=-2)  # [A1, ..., An, N, 2, M]
        flat_shape = tf.concat([tf.shape(features)[:-1], [2 * num_frequencies * tf.shape(features)[-1]]], axis=0)
        waves = tf.reshape(waves, flat_shape)
        if features.shape[-1] is not None:
            waves = tf.ensure_shape(waves, features.shape[:-1] + [2 * num_frequencies * features.shape[-1]])
        return tf.concat([features, waves], axis=-1)


__all__ = ["positional_encoding"]

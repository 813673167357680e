"""Linear blend skinning (TensorFlow Graphics' `geometry.transformation.linear_blend_skinning`)."""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook


@trace_hook.op
def blend(points, skinning_weights, bone_rotations, bone_translations, name="linear_blend_skinning_blend"):
    """Transforms points by the weighted sums of their bones' rigid transforms.

    p' = Σ_w s_w (R_w p + t_w), for every pose `[B1, ..., Bm]` and every point `[A1, ..., An]`.

    Args:
      points: A tensor of shape `[A1, ..., An, 3]`.
      skinning_weights: A tensor of shape `[A1, ..., An, W]`: weights of the W bones per point.
      bone_rotations: A tensor of shape `[B1, ..., Bm, W, 3, 3]`: rotation matrices.
      bone_translations: A tensor of shape `[B1, ..., Bm, W, 3]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B1, ..., Bm, A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        points, skinning_weights, bone_rotations, bone_translations = shape.check_inputs(
            points=(points, 3),
            skinning_weights=(skinning_weights, "W"),
            bone_rotations=(bone_rotations, ("W", 3, 3)),
            bone_translations=(bone_translations, ("W", 3)),
            broadcast=[("points", "skinning_weights"), ("bone_rotations", "bone_translations")],
        )
        points, skinning_weights = shape.broadcast((points, 1), (skinning_weights, 1))
        bone_rotations, bone_translations = shape.broadcast((bone_rotations, 3), (bone_translations, 2))
        point_batch = tf.shape(points)[:-1]
        pose_batch = tf.shape(bone_rotations)[:-3]
        bones = tf.shape(skinning_weights)[-1]
        points = tf.reshape(points, [-1, 3])
        skinning_weights = tf.reshape(skinning_weights, [-1, bones])
        bone_rotations = tf.reshape(bone_rotations, [-1, bones, 3, 3])
        bone_translations = tf.reshape(bone_translations, [-1, bones, 3])
        # p: points, w: bones, b: poses.
        rotated = tf.einsum("pw,bwij,pj->bpi", skinning_weights, bone_rotations, points)
        translated = rotated + tf.einsum("pw,bwi->bpi", skinning_weights, bone_translations)
        return tf.reshape(translated, tf.concat([pose_batch, point_batch, [3]], axis=0))

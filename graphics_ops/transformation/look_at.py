"""OpenGL-style look-at view matrices (TensorFlow Graphics' `geometry.transformation.look_at`)."""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook, vector

_FORWARD = (0.0, 0.0, -1.0)


@trace_hook.op
def right_handed(camera_position, look_at, up_vector, name="right_handed"):
    """Right-handed view matrices: the camera looks down its -z axis, with y up.

    Degenerate inputs stay finite: if the camera is at `look_at` it looks down world -z; if
    `up_vector` is parallel to the view direction, an orthogonal one is used.

    Args:
      camera_position: A tensor of shape `[A1, ..., An, 3]`: camera positions.
      look_at: A tensor of shape `[A1, ..., An, 3]`: the points looked at.
      up_vector: A tensor of shape `[A1, ..., An, 3]`: up directions.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 4, 4]`: world-to-camera matrices.
    """
    with tf.name_scope(name):
        camera_position, look_at, up_vector = shape.check_inputs(
            camera_position=(camera_position, 3), look_at=(look_at, 3), up_vector=(up_vector, 3)
        )
        forward = safe_ops.normalize(look_at - camera_position, fallback=tf.constant(_FORWARD, camera_position.dtype))
        right = vector.orthogonal_direction(vector.cross(forward, up_vector), forward, scale=safe_ops.norm(up_vector))
        up = vector.cross(right, forward)
        rows = [
            [*tf.unstack(axis, axis=-1), -vector.dot(axis, camera_position, keepdims=False)]
            for axis in (right, up, -forward)
        ]
        zero = tf.zeros_like(rows[0][0])
        rows.append([zero, zero, zero, tf.ones_like(zero)])
        return vector.matrix(rows)

"""Per-pixel attributes: interpolation of vertex attributes.

`interpolate` is differentiable with respect to the attributes and, through the barycentrics of
`rasterize`, to the clip-space vertex positions. Texture lookups are in `rendering.texture`.
"""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook, xla


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def interpolate(attributes, rasterization, faces, name="interpolate"):
    """Interpolates vertex attributes at the pixels, perspective-correctly.

    Args:
      attributes: A tensor of shape `[B, V, C]`, or `[V, C]` shared by the batch.
      rasterization: A `Rasterization` of B images of H x W pixels, from `rasterize`.
      faces: An integer tensor of shape `[F, 3]`, the faces given to `rasterize`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H, W, C]`: the attributes at the pixel centres, 0 for the background.
    """
    with tf.name_scope(name):
        attributes, faces, barycentrics = shape.check_inputs(
            broadcast=False,
            integer=("faces",),
            unbatched=("faces",),
            attributes=(attributes, ("V", "C")),
            faces=(faces, ("F", 3)),
            barycentrics=(rasterization.barycentrics, 3),
        )
        if attributes.shape.rank not in (2, 3):
            raise ValueError(f"attributes must have shape [B, V, C] or [V, C], got {attributes.shape.as_list()}")
        interpolate_ = _interpolate_shared if attributes.shape.rank == 2 else _interpolate_batched
        return interpolate_(attributes, faces, rasterization.triangle_id, barycentrics)


# Two compiled functions rather than one that branches on the rank: traces generalized to unknown
# shapes (see `xla.compiled`) may not know the rank.
@xla.compiled
def _interpolate_shared(attributes, faces, triangle_id, barycentrics):
    corners = tf.gather(attributes, tf.gather(faces, tf.maximum(triangle_id, 0)))  # [B, H, W, 3, C]
    return tf.reduce_sum(barycentrics[..., None] * corners, axis=-2)


@xla.compiled
def _interpolate_batched(attributes, faces, triangle_id, barycentrics):
    pixel_faces = tf.gather(faces, tf.maximum(triangle_id, 0))
    corners = tf.gather(attributes, pixel_faces, axis=1, batch_dims=1)  # [B, H, W, 3, C]
    return tf.reduce_sum(barycentrics[..., None] * corners, axis=-2)

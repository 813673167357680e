"""Per-pixel attributes: interpolation of vertex attributes, and bilinear texture lookups.

`interpolate` is differentiable with respect to the attributes and, through the barycentrics of
`rasterize`, to the clip-space vertex positions. `texture` is differentiable with respect to the
texture and the UV coordinates.
"""

import tensorflow as tf

from graphics_ops.util import shape, xla


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


@tf.autograph.experimental.do_not_convert
def texture(image, uv, name="texture"):
    """Samples textures bilinearly at UV coordinates, clamping to the edge.

    UV follows OpenGL and three.js: (0, 0) is the bottom-left corner of the texture and (1, 1) the
    top-right, where row 0 of `image` is the top row; texel (i, j) is centred at
    `((j + 0.5) / Wt, 1 - (i + 0.5) / Ht)`.

    Args:
      image: A tensor of shape `[B, Ht, Wt, C]`, or `[Ht, Wt, C]` shared by the batch.
      uv: A tensor of shape `[B, H, W, 2]`.
      name: A name for this op.

    Returns:
      A tensor of shape `[B, H, W, C]`.
    """
    with tf.name_scope(name):
        image, uv = shape.check_inputs(broadcast=False, image=(image, (None, None, "C")), uv=(uv, 2))
        if image.shape.rank not in (3, 4):
            raise ValueError(f"image must have shape [B, Ht, Wt, C] or [Ht, Wt, C], got {image.shape.as_list()}")
        if uv.shape.rank != 4:
            raise ValueError(f"uv must have shape [B, H, W, 2], got {uv.shape.as_list()}")
        if image.shape.rank == 3:
            image = image[None]
        texture_height, texture_width = tf.shape(image)[1], tf.shape(image)[2]
        column = uv[..., 0] * tf.cast(texture_width, uv.dtype) - 0.5
        row = (1.0 - uv[..., 1]) * tf.cast(texture_height, uv.dtype) - 0.5
        column0, row0 = tf.floor(column), tf.floor(row)
        weight_column, weight_row = (column - column0)[..., None], (row - row0)[..., None]
        columns = [_clamped(column0 + offset, texture_width) for offset in (0.0, 1.0)]
        rows = [_clamped(row0 + offset, texture_height) for offset in (0.0, 1.0)]
        batch = tf.shape(uv)[0]
        images = tf.broadcast_to(image, tf.concat([[batch], tf.shape(image)[1:]], axis=0))

        def texel(row_index, column_index):
            return tf.gather_nd(images, tf.stack([row_index, column_index], axis=-1), batch_dims=1)

        top = texel(rows[0], columns[0]) * (1.0 - weight_column) + texel(rows[0], columns[1]) * weight_column
        bottom = texel(rows[1], columns[0]) * (1.0 - weight_column) + texel(rows[1], columns[1]) * weight_column
        return top * (1.0 - weight_row) + bottom * weight_row


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


def _clamped(index, size):
    return tf.clip_by_value(tf.cast(index, tf.int32), 0, size - 1)

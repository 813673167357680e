"""Bilinear and nearest texture sampling: the lookup under `texture_map` and `mipmap`."""

import tensorflow as tf

from graphics_ops.util import shape, trace_hook

INTERPOLATION_METHODS = ("bilinear", "nearest")


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def sample_texture(image, uv, tiling=False, interpolation_method="bilinear", name="sample_texture"):
    """Samples textures at UV coordinates (conventions in `graphics_ops.rendering.texture`).

    Outside [0, 1] the texture is clamped to its edge texels (OpenGL's CLAMP_TO_EDGE), or with
    `tiling` repeated (OpenGL's REPEAT: bilinear filtering wraps across the seam).

    Args:
      image: A tensor of shape `[Ht, Wt, C]`, shared by every lookup, or `[B, Ht, Wt, C]`: one
        texture per image of a batch.
      uv: A tensor of shape `[A1, ..., An, 2]` for a shared texture; `[B, H, W, 2]` for a batch.
      tiling: A Python bool: repeat the texture instead of clamping.
      interpolation_method: "bilinear" or "nearest" (the texel that contains the point; no
        gradient with respect to `uv`).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, C]` (shared texture) or `[B, H, W, C]`.

    Raises:
      ValueError: For bad shapes or an unknown `interpolation_method`, naming the argument.
    """
    if interpolation_method not in INTERPOLATION_METHODS:
        raise ValueError(f"interpolation_method must be one of {INTERPOLATION_METHODS}, got {interpolation_method!r}")
    with tf.name_scope(name):
        image, uv = shape.check_inputs(broadcast=False, image=(image, (None, None, "C")), uv=(uv, 2))
        if image.shape.rank not in (3, 4):
            raise ValueError(f"image must have shape [B, Ht, Wt, C] or [Ht, Wt, C], got {image.shape.as_list()}")
        batched = image.shape.rank == 4
        if batched and uv.shape.rank != 4:
            raise ValueError(f"uv must have shape [B, H, W, 2] for a batch of textures, got {uv.shape.as_list()}")
        height, width = tf.shape(image)[-3], tf.shape(image)[-2]
        # Continuous texel coordinates: texel centres at integers.
        column = uv[..., 0] * tf.cast(width, uv.dtype) - 0.5
        row = (1.0 - uv[..., 1]) * tf.cast(height, uv.dtype) - 0.5

        def texels(row_index, column_index):
            indices = tf.stack([_index(row_index, height, tiling), _index(column_index, width, tiling)], axis=-1)
            return tf.gather_nd(image, indices, batch_dims=1 if batched else 0)

        if interpolation_method == "nearest":
            return texels(tf.floor(tf.stop_gradient(row) + 0.5), tf.floor(tf.stop_gradient(column) + 0.5))
        row0, column0 = tf.floor(tf.stop_gradient(row)), tf.floor(tf.stop_gradient(column))
        weight_row, weight_column = (row - row0)[..., None], (column - column0)[..., None]
        top = texels(row0, column0) * (1.0 - weight_column) + texels(row0, column0 + 1.0) * weight_column
        bottom = texels(row0 + 1.0, column0) * (1.0 - weight_column) + texels(row0 + 1.0, column0 + 1.0) * weight_column
        return top * (1.0 - weight_row) + bottom * weight_row


def _index(coordinate, size, tiling):
    """Integer texel index of an integral float `coordinate`, wrapped or clamped into [0, size) before the cast."""
    last = tf.cast(size - 1, coordinate.dtype)
    if tiling:
        coordinate = tf.math.floormod(coordinate, last + 1.0)
    return tf.cast(tf.clip_by_value(coordinate, 0.0, last), tf.int32)

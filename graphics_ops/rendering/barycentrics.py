"""Differentiable barycentric coordinates for given triangle ids (TensorFlow Graphics' `rendering.barycentrics`).

Given which triangle each pixel sees, from any source (a `rasterize` run without gradients, a
depth-peeled layer, a stored id buffer), recomputes the perspective-correct barycentric
coordinates of the pixel centres and their depth as differentiable functions of the clip-space
vertices. The coordinates follow `rasterize` (OpenGL clip space, row 0 at the top).
"""

import tensorflow as tf

from graphics_ops.rendering import _inputs, rasterization
from graphics_ops.util import shape, trace_hook


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def differentiable_barycentrics(framebuffer, clip_space_vertices, triangles, name="differentiable_barycentrics"):
    """The `Rasterization` `framebuffer` with barycentrics and depth recomputed differentiably.

    Args:
      framebuffer: A `Rasterization` whose `triangle_id` is `[B, H, W]`, or `[B, L, H, W]` for L
        layers (other fields are ignored).
      clip_space_vertices: A tensor of shape `[B, V, 4]`, or `[V, 4]` shared by the batch.
      triangles: An integer tensor of shape `[F, 3]` (TensorFlow Graphics also took one set of
        triangles per image, `[B, F, 3]`; here the batch shares them, as in `rasterize`).
      name: A name for this op.

    Returns:
      A `Rasterization` with the same `triangle_id`, and barycentrics `[..., H, W, 3]` (0 for the
      background) and depth `[..., H, W]` (1 for the background) differentiable with respect to
      `clip_space_vertices`.

    Raises:
      ValueError: For bad shapes, naming the argument.
      tf.errors.InvalidArgumentError: When run, for vertex indices of `triangles` outside [0, V).
    """
    with tf.name_scope(name):
        (triangle_id,) = shape.check_inputs(
            integer=("triangle_id",), triangle_id=(framebuffer.triangle_id, (None, None))
        )
        if triangle_id.shape.rank not in (3, 4):
            raise ValueError(
                f"framebuffer.triangle_id must have shape [B, H, W] or [B, L, H, W], got {triangle_id.shape.as_list()}"
            )
        clip = tf.convert_to_tensor(clip_space_vertices, name="clip_space_vertices")
        if clip.shape.rank == 2:
            clip = clip[None]
        clip, triangles = _inputs.check_mesh(clip, triangles, names=("clip_space_vertices", "triangles"))
        clip = tf.broadcast_to(clip, tf.concat([tf.shape(triangle_id)[:1], tf.shape(clip)[1:]], 0))
        height, width = triangle_id.shape[-2], triangle_id.shape[-1]
        if height is None or width is None:
            raise ValueError(f"framebuffer.triangle_id must have a static height and width, got {triangle_id.shape}")
        triangle_id = tf.cast(triangle_id, tf.int32)
        layers = [triangle_id] if triangle_id.shape.rank == 3 else tf.unstack(triangle_id, axis=1)
        results = [rasterization.barycentrics_and_depth(clip, triangles, ids, height, width) for ids in layers]
        barycentrics, depth = [tf.stack(values, axis=1) for values in zip(*results)]
        if triangle_id.shape.rank == 3:
            barycentrics, depth = barycentrics[:, 0], depth[:, 0]
        return rasterization.Rasterization(framebuffer.triangle_id, barycentrics, depth)

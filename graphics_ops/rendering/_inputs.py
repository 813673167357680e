"""Argument checks shared by the rendering ops. Private."""

import tensorflow as tf

from graphics_ops.util import arguments, shape

CULL_MODES = ("none", "back", "front")


def check_image_size(image_size):
    """`(height, width)` as two positive Python ints; raises `ValueError` naming `image_size`."""
    try:
        height, width = image_size
    except (TypeError, ValueError):
        raise ValueError(f"image_size must be a pair (height, width) of positive ints, got {image_size!r}") from None
    for value in (height, width):
        if not arguments.is_positive_int(value):
            raise ValueError(f"image_size must be a pair (height, width) of positive ints, got {image_size!r}")
    return int(height), int(width)


def check_cull(cull):
    if cull not in CULL_MODES:
        raise ValueError(f"cull must be one of {CULL_MODES}, got {cull!r}")
    return cull


def check_pass_size(fragment_pass_size):
    if fragment_pass_size is None:
        return None
    if not arguments.is_positive_int(fragment_pass_size):
        raise ValueError(f"fragment_pass_size must be None or a positive int, got {fragment_pass_size!r}")
    return int(fragment_pass_size)


def check_mesh(clip_vertices, faces, names=("clip_vertices", "faces"), **others):
    """Checks `clip_vertices [B, V, 4]`, `faces [F, 3]` and `others` (`name=(value, shape)`, full shapes).

    `names` are the caller's names of the first two arguments, used in errors. Face indices outside
    [0, V) raise `tf.errors.InvalidArgumentError` naming them when the op runs (eagerly or in a
    graph; under XLA, where asserts do not run, gathers clamp them).

    Returns:
      clip_vertices, faces (int32 or int64), then the other tensors, in order.
    """
    vertices_name, faces_name = names
    clip_vertices, faces, *rest = shape.check_inputs(
        broadcast=False,
        integer=(faces_name,),
        unbatched=(vertices_name, faces_name, *others),
        **{vertices_name: (clip_vertices, ("B", "V", 4)), faces_name: (faces, ("F", 3))},
        **others,
    )
    vertex_count = tf.shape(clip_vertices, out_type=faces.dtype)[1]
    in_range = tf.reduce_all((faces >= 0) & (faces < vertex_count))
    check = tf.debugging.Assert(in_range, [f"{faces_name} must hold vertex indices in [0, V), V =", vertex_count])
    with tf.control_dependencies([check]):
        faces = tf.identity(faces)
    return (clip_vertices, faces, *rest)

"""Single triangles given by their three corners (TensorFlow Graphics' `geometry.representation.triangle`).

Shapes are `[A1, ..., An, 3]` per corner, where the batch dimensions broadcast between arguments.
Degenerate triangles (collinear or coincident corners) have zero area, a zero normal, and finite
gradients. A triangle counts as degenerate when its cross product is at rounding level: shorter
than 8 eps times the sum of its squared edge lengths (in float32, when its smallest angle is below
about 1e-6 radians); its normal direction would be noise.

Extra: `angles`.
"""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook, vector


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def normal(v0, v1, v2, clockwise=False, normalize=True, name="triangle_normal"):
    """Normals of triangles: `(v1 - v0) × (v2 - v0)`, negated unless `clockwise` (TFG's convention).

    With the default `clockwise=False` the normal points away from a viewer who sees v0, v1, v2
    counterclockwise, so `clockwise=True` gives the outward normal of a mesh wound counterclockwise
    as in OpenGL and trimesh. Degenerate triangles (see the module's notes) give the zero vector
    when normalized.

    Args:
      v0, v1, v2: Tensors of shape `[A1, ..., An, 3]`: the first, second and third corners.
      clockwise: A Python bool; False negates the cross product.
      normalize: A Python bool; False returns the cross product, whose length is twice the area.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`.
    """
    with tf.name_scope(name):
        v0, v1, v2 = shape.check_inputs(v0=(v0, 3), v1=(v1, 3), v2=(v2, 3))
        return _normal(v0, v1, v2, clockwise, normalize)


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def area(v0, v1, v2, name="triangle_area"):
    """Areas of triangles, `|(v1 - v0) × (v2 - v0)| / 2` (zero, with a zero gradient, if degenerate).

    Args:
      v0, v1, v2: Tensors of shape `[A1, ..., An, 3]`: the first, second and third corners.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 1]`.
    """
    with tf.name_scope(name):
        v0, v1, v2 = shape.check_inputs(v0=(v0, 3), v1=(v1, 3), v2=(v2, 3))
        return 0.5 * safe_ops.norm(vector.cross(v1 - v0, v2 - v0))


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def angles(v0, v1, v2, name="triangle_angles"):
    """Interior angles of triangles at v0, v1 and v2, in radians.

    Each is `atan2(|cross|, dot)` of the two edges leaving the corner, accurate for angles near 0
    and π (acos is not). They sum to π, also for collinear corners (0, 0 and π), except where two
    corners coincide: there all three are 0. Gradients stay finite.

    Args:
      v0, v1, v2: Tensors of shape `[A1, ..., An, 3]`: the first, second and third corners.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 3]`: the angles at v0, v1 and v2.
    """
    with tf.name_scope(name):
        v0, v1, v2 = shape.check_inputs(v0=(v0, 3), v1=(v1, 3), v2=(v2, 3))
        return _angles(v0, v1, v2)


def _normal(v0, v1, v2, clockwise, normalize):
    cross = vector.cross(v1 - v0, v2 - v0)
    if not clockwise:
        cross = -cross
    if not normalize:
        return cross
    return safe_ops.normalize(cross, minimum_length=_rounding_level(v0, v1, v2)[..., None])


def _rounding_level(v0, v1, v2):
    """`[...]`: cross products of edges shorter than this are rounding noise (the triangle is degenerate).

    Each component of a cross product of edges e, f is off by up to about 2 eps |e| |f|; 8 eps times
    the sum of the squared edge lengths bounds that with a margin.
    """
    squared = [vector.dot(edge, edge, keepdims=False) for edge in (v1 - v0, v2 - v1, v0 - v2)]
    return 8.0 * safe_ops.eps(v0.dtype) * (squared[0] + squared[1] + squared[2])


def _angles(v0, v1, v2):
    """Corner angles `[..., 3]`; the cross products of the edge pairs all have length 2 * area."""
    twice_area = safe_ops.norm(vector.cross(v1 - v0, v2 - v0), keepdims=False)
    dots = tf.stack(
        [
            vector.dot(v1 - v0, v2 - v0, keepdims=False),
            vector.dot(v2 - v1, v0 - v1, keepdims=False),
            vector.dot(v0 - v2, v1 - v2, keepdims=False),
        ],
        axis=-1,
    )
    return safe_ops.atan2(tf.broadcast_to(twice_area[..., None], tf.shape(dots)), dots)

"""Points and rays in M dimensions (TensorFlow Graphics' `geometry.representation.point`).

A ray is an origin and a direction; directions are normalized here (TensorFlow Graphics requires
unit directions and only checks them when its debug asserts are on). A zero direction makes the
"ray" its origin: the distance is to that point and the projection is the origin.

Difference from TensorFlow Graphics: the gradient of `distance_to_ray` is finite (zero) for points
on the ray, where `tf.norm`'s is nan; zero directions give finite values and gradients.
"""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook
from graphics_ops.util import vector as vector_ops


@trace_hook.op
def distance_to_ray(point, origin, direction, keepdims=True, name="point_distance_to_ray"):
    """Euclidean distance from points to the lines of rays.

    Args:
      point: A tensor of shape `[A1, ..., An, M]`.
      origin: A tensor of shape `[A1, ..., An, M]`: the origins of the rays.
      direction: A tensor of shape `[A1, ..., An, M]`: their directions (normalized here).
      keepdims: Whether to keep the last axis (of size 1).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, 1]`, or `[A1, ..., An]` if `keepdims` is False.
    """
    with tf.name_scope(name):
        point, origin, direction = _check(point, origin, direction)
        offset = point - origin
        unit = safe_ops.normalize(direction)
        distance = safe_ops.norm(offset - vector_ops.dot(offset, unit) * unit)
        return distance if keepdims else distance[..., 0]


@trace_hook.op
def project_to_ray(point, origin, direction, name="point_project_to_ray"):
    """Orthogonal projections of points onto the lines of rays.

    Args:
      point: A tensor of shape `[A1, ..., An, M]`.
      origin: A tensor of shape `[A1, ..., An, M]`: the origins of the rays.
      direction: A tensor of shape `[A1, ..., An, M]`: their directions (normalized here).
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An, M]`.
    """
    with tf.name_scope(name):
        point, origin, direction = _check(point, origin, direction)
        unit = safe_ops.normalize(direction)
        return origin + vector_ops.dot(point - origin, unit) * unit


def _check(point, origin, direction):
    return shape.check_inputs(point=(point, "M"), origin=(origin, "M"), direction=(direction, "M"))


__all__ = ["distance_to_ray", "project_to_ray"]

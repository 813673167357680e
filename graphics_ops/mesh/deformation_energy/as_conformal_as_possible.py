"""The as-conformal-as-possible (ACAP) deformation energy (TensorFlow Graphics' module of this name).

For a mesh at rest with vertices p, deformed to p', and a quaternion q_i per vertex, each directed
edge (i, j) of the rest pose contributes the squared residual

    r_ij = w_i w_ij |(p'_i - p'_j) - q_i (p_i - p_j) q_i*|²

(and the edge (j, i) likewise with w_j and q_j). q v q* rotates v and scales it by |q|², so a
quaternion encodes a rotation and a scale per vertex: the energy is zero exactly when every
one-ring moves by a similarity. With `conformal_energy=False` the quaternions are normalized first
and the energy is Sorkine and Alexa's as-rigid-as-possible one.
"""

import tensorflow as tf

from graphics_ops.util import safe_ops, shape, trace_hook, vector


@trace_hook.op
@tf.autograph.experimental.do_not_convert
def energy(
    vertices_rest_pose,
    vertices_deformed_pose,
    quaternions,
    edges,
    vertex_weight=None,
    edge_weight=None,
    conformal_energy=True,
    aggregate_loss=True,
    name="as_conformal_as_possible_energy",
):
    """The ACAP energy of deformed meshes (see the module's notes).

    Args:
      vertices_rest_pose: A tensor of shape `[V, 3]`.
      vertices_deformed_pose: A tensor of shape `[A1, ..., An, V, 3]`.
      quaternions: A tensor of shape `[A1, ..., An, V, 4]` (`[x, y, z, w]`): each vertex's rotation,
        and with `conformal_energy` its scale |q|².
      edges: An integer tensor of shape `[E, 2]`: vertex index pairs (i, j).
      vertex_weight: None (ones) or a tensor of shape `[V]`: w_i.
      edge_weight: None (ones) or a tensor of shape `[E]`: w_ij.
      conformal_energy: A Python bool: False normalizes the quaternions (rigid, no scale).
      aggregate_loss: A Python bool: True for the mean of all 2E residuals, False for the residuals.
      name: A name for this op.

    Returns:
      A tensor of shape `[A1, ..., An]` when `aggregate_loss`, else `[A1, ..., An, 2E]`: the
      residuals of the edges (i, j) in the order of `edges`, then those of (j, i).

    Raises:
      ValueError: For bad shapes, naming the argument.
    """
    with tf.name_scope(name):
        weights = {}
        if vertex_weight is not None:
            weights["vertex_weight"] = (vertex_weight, ("V",))
        if edge_weight is not None:
            weights["edge_weight"] = (edge_weight, ("E",))
        rest, deformed, quaternions, edges, *rest_of = shape.check_inputs(
            broadcast=[("vertices_deformed_pose", "quaternions")],
            integer=("edges",),
            unbatched=("vertices_rest_pose", "edges", *weights),
            vertices_rest_pose=(vertices_rest_pose, ("V", 3)),
            vertices_deformed_pose=(vertices_deformed_pose, ("V", 3)),
            quaternions=(quaternions, ("V", 4)),
            edges=(edges, ("E", 2)),
            **weights,
        )
        given = dict(zip(weights, rest_of))
        if not conformal_energy:
            quaternions = safe_ops.normalize(quaternions)
        start, end = edges[:, 0], edges[:, 1]
        rest_edge = tf.gather(rest, start) - tf.gather(rest, end)  # [E, 3]
        deformed_edge = tf.gather(deformed, start, axis=-2) - tf.gather(deformed, end, axis=-2)
        forward = deformed_edge - _rotate_and_scale(rest_edge, tf.gather(quaternions, start, axis=-2))
        backward = -deformed_edge - _rotate_and_scale(-rest_edge, tf.gather(quaternions, end, axis=-2))
        residuals = tf.concat([vector.dot(forward, forward, False), vector.dot(backward, backward, False)], -1)
        factor = tf.tile(given.get("edge_weight", tf.ones_like(rest_edge[:, 0])), [2])
        if "vertex_weight" in given:
            factor *= tf.gather(given["vertex_weight"], tf.concat([start, end], 0))
        # The weights scale the residual vectors, as in TensorFlow Graphics: squared in the energy.
        residuals *= tf.square(factor)
        return tf.reduce_mean(residuals, axis=-1) if aggregate_loss else residuals


def _rotate_and_scale(point, quaternion):
    """q p q*: p rotated by q and scaled by |q|²: (w² - |v|²) p + 2 (v·p) v + 2 w v × p."""
    xyz, w = quaternion[..., :3], quaternion[..., 3:]
    scaled = (tf.square(w) - vector.dot(xyz, xyz)) * point + 2.0 * vector.dot(xyz, point) * xyz
    return scaled + 2.0 * w * vector.cross(xyz, point)

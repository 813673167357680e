"""OpenCV's lens distortion model (Brown–Conrady): radial k1, k2, k3 and tangential p1, p2.

Not in TensorFlow Graphics. `distortion` holds `[k1, k2, p1, p2, k3]`, OpenCV's order (the first five
coefficients `cv2.calibrateCamera` returns). A point with normalized coordinates (x, y) = (X/Z, Y/Z)
and r² = x² + y² is distorted to

    x' = x (1 + k1 r² + k2 r⁴ + k3 r⁶) + 2 p1 x y + p2 (r² + 2 x²)
    y' = y (1 + k1 r² + k2 r⁴ + k3 r⁶) + p1 (r² + 2 y²) + 2 p2 x y

and lands on the pixel focal * (x', y') + principal_point, as in `cv2.projectPoints` (no skew).
Camera coordinates are those of `perspective`: x right, y down, z forward. Focal lengths (fx, fy)
and principal points (cx, cy) are `[A1, ..., An, 2]` in pixels, `distortion` is `[A1, ..., An, 5]`,
and the batch dimensions broadcast between arguments; `num_iterations` is the number of Newton
steps of `undistort`.

Valid range: the distortion is invertible near the image centre, but polynomials fold the image
over itself far enough out (for example beyond r² = -1/(3 k1) if only k1 < 0). A point is in the
valid range when the radial map r -> r (1 + k1 r² + k2 r⁴ + k3 r⁶) increases on [0, r] and the
Jacobian of the whole distortion has a positive determinant at the point. `project_with_validity`
checks this together with the depth.

`undistort` inverts the distortion with a fixed number of Newton steps (no data-dependent loops,
so it compiles with XLA). The first steps aim at 1/3 and 2/3 of the target (continuation from the
image centre, where the distortion is the identity), which keeps the iterates on the branch of the
valid range; the steps are also limited in length, so that outside the valid range the results are
meaningless but finite. Its gradient is that of the exact inverse (the implicit function theorem),
computed from the last step alone.
"""

import tensorflow as tf

from graphics_ops.camera import perspective
from graphics_ops.util import safe_ops, shape, trace_hook

_NUM_ITERATIONS = 10
# Normalized radius (tan of the angle off the optical axis: 89.94°) at which `distort` and
# `project` clamp points, so that the polynomial stays finite in float32 for points near z = 0.
_MAX_RADIUS = 1e3


@trace_hook.op
def distort(normalized_point, distortion, name="brown_conrady_distort"):
    """Applies lens distortion to normalized image coordinates (X/Z, Y/Z) `[A1, ..., An, 2]` (same shape).

    Points farther than 1000 from the centre (89.94° off the optical axis, far outside the valid range
    of any lens) are first moved back to that radius, so that values stay finite.
    """
    with tf.name_scope(name):
        normalized_point, distortion = shape.check_inputs(
            normalized_point=(normalized_point, 2), distortion=(distortion, 5)
        )
        return _distort(_clamp_radius(normalized_point), distortion)[0]


@trace_hook.op
def undistort(distorted_point, distortion, num_iterations=_NUM_ITERATIONS, name="brown_conrady_undistort"):
    """Removes lens distortion from normalized image coordinates `[A1, ..., An, 2]`, by Newton's method.

    Within the valid range (see the module docstring), the default 10 steps (`num_iterations`, a Python
    int) reach 1e-9 or better even for strong lenses (|k1| <= 0.5, |k2| <= 0.3, |k3| <= 0.05, |p1|,
    |p2| <= 0.01, coordinates up to 1 in magnitude), except next to the edge of the range, where the
    inverse is ill-conditioned.
    """
    with tf.name_scope(name):
        distorted_point, distortion = shape.check_inputs(
            distorted_point=(distorted_point, 2), distortion=(distortion, 5)
        )
        return _undistort(distorted_point, distortion, num_iterations)


@trace_hook.op
def project(point_3d, focal, principal_point, distortion, name="brown_conrady_project"):
    """Projects 3d points `[A1, ..., An, 3]` in camera coordinates to pixels `[A1, ..., An, 2]` through the lens.

    Depths are handled as in `perspective.project`: points behind the camera are projected through
    its centre; use `project_with_validity` to tell them apart.
    """
    with tf.name_scope(name):
        point_3d, focal, principal_point, distortion = shape.check_inputs(
            point_3d=(point_3d, 3), focal=(focal, 2), principal_point=(principal_point, 2), distortion=(distortion, 5)
        )
        normalized = _clamp_radius(_normalized(point_3d))
        return focal * _distort(normalized, distortion)[0] + principal_point


@trace_hook.op
def project_with_validity(point_3d, focal, principal_point, distortion, name="brown_conrady_project_with_validity"):
    """Like `project`, and also tells which pixels are images of their points.

    A tuple of the pixels `[A1, ..., An, 2]` of `project` and bools `[A1, ..., An, 1]`, True where the
    point is in front of the camera (depth above `perspective.min_depth`), within 89.94° of the optical
    axis (see `distort`) and in the valid range of the distortion. Image bounds are not checked.
    """
    with tf.name_scope(name):
        point_3d, focal, principal_point, distortion = shape.check_inputs(
            point_3d=(point_3d, 3), focal=(focal, 2), principal_point=(principal_point, 2), distortion=(distortion, 5)
        )
        normalized = _normalized(point_3d)
        clamped = _clamp_radius(normalized)
        distorted, jacobian_determinant = _distort(clamped, distortion, with_jacobian_determinant=True)
        point_2d = focal * distorted + principal_point
        in_front = point_3d[..., 2:] > perspective.min_depth(point_3d.dtype)
        in_range = tf.reduce_sum(tf.square(normalized), axis=-1, keepdims=True) <= _MAX_RADIUS**2
        valid = in_front & in_range & (jacobian_determinant > 0.0) & _radially_monotonic(clamped, distortion)
        return point_2d, valid & tf.ones_like(point_2d[..., :1], dtype=tf.bool)


@trace_hook.op
def ray(point_2d, focal, principal_point, distortion, num_iterations=_NUM_ITERATIONS, name="brown_conrady_ray"):
    """Directions (x, y, 1) `[A1, ..., An, 3]` of the rays through pixels `[A1, ..., An, 2]` of a distorting lens."""
    with tf.name_scope(name):
        point_2d, focal, principal_point, distortion = shape.check_inputs(
            point_2d=(point_2d, 2), focal=(focal, 2), principal_point=(principal_point, 2), distortion=(distortion, 5)
        )
        return _ray(point_2d, focal, principal_point, distortion, num_iterations)


@trace_hook.op
def unproject(
    point_2d,
    depth,
    focal,
    principal_point,
    distortion,
    num_iterations=_NUM_ITERATIONS,
    name="brown_conrady_unproject",
):
    """The 3d points `[A1, ..., An, 3]` that project to pixels `[A1, ..., An, 2]` at depths z `[A1, ..., An, 1]`."""
    with tf.name_scope(name):
        point_2d, depth, focal, principal_point, distortion = shape.check_inputs(
            point_2d=(point_2d, 2),
            depth=(depth, 1),
            focal=(focal, 2),
            principal_point=(principal_point, 2),
            distortion=(distortion, 5),
        )
        return _ray(point_2d, focal, principal_point, distortion, num_iterations) * depth


def _normalized(point_3d):
    """(X/Z, Y/Z), with Z clamped as in `perspective.project`."""
    one = tf.ones([2], point_3d.dtype)
    return perspective.project(point_3d, one, tf.zeros_like(one))


def _clamp_radius(point):
    """Points farther than `_MAX_RADIUS` from the origin, moved back to that radius."""
    return point * (_MAX_RADIUS / tf.maximum(safe_ops.norm(point), _MAX_RADIUS))


def _ray(point_2d, focal, principal_point, distortion, num_iterations):
    distorted = perspective.ray(point_2d, focal, principal_point)[..., :2]
    undistorted = _undistort(distorted, distortion, num_iterations)
    return tf.concat([undistorted, tf.ones_like(undistorted[..., :1])], axis=-1)


def _distort(point, distortion, with_jacobian=False, with_jacobian_determinant=False):
    """Distorted points, and optionally the Jacobian entries or determinant of the distortion.

    The Jacobian is symmetric, [[a, b], [b, d]]; it is returned as the tuple (a, b, d) of `[A1, ..., An]`
    tensors, and its determinant as a `[A1, ..., An, 1]` tensor.
    """
    x, y = tf.unstack(point, axis=-1)
    k1, k2, p1, p2, k3 = tf.unstack(distortion, axis=-1)
    xx, yy, xy = x * x, y * y, x * y
    r2 = xx + yy
    radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3))
    distorted = tf.stack(
        [x * radial + 2.0 * p1 * xy + p2 * (r2 + 2.0 * xx), y * radial + p1 * (r2 + 2.0 * yy) + 2.0 * p2 * xy],
        axis=-1,
    )
    if not (with_jacobian or with_jacobian_determinant):
        return distorted, None
    # d(radial)/d(r²), then the partial derivatives of (x', y') with respect to (x, y).
    slope = k1 + r2 * (2.0 * k2 + 3.0 * k3 * r2)
    a = radial + 2.0 * xx * slope + 2.0 * p1 * y + 6.0 * p2 * x
    b = 2.0 * xy * slope + 2.0 * p1 * x + 2.0 * p2 * y
    d = radial + 2.0 * yy * slope + 6.0 * p1 * y + 2.0 * p2 * x
    if with_jacobian:
        return distorted, (a, b, d)
    return distorted, (a * d - b * b)[..., None]


def _radially_monotonic(point, distortion):
    """Whether r (1 + k1 r² + k2 r⁴ + k3 r⁶) increases on [0, r], as a `[A1, ..., An, 1]` bool tensor.

    Its derivative is h(s) = 1 + 3 k1 s + 5 k2 s² + 7 k3 s³ with s = r². A cubic is smallest on [0, S]
    at an end or where h'(s) = 3 k1 + 10 k2 s + 21 k3 s² vanishes; the roots of h' (or any value, if
    they are complex) are clipped into [0, S], so h is only ever evaluated inside the interval.
    """
    k1, k2, _, _, k3 = tf.unstack(distortion, axis=-1)
    end = tf.reduce_sum(tf.square(point), axis=-1)
    quadratic, linear, constant = 21.0 * k3, 10.0 * k2, 3.0 * k1
    discriminant = tf.maximum(tf.square(linear) - 4.0 * quadratic * constant, 0.0)
    # The numerically stable pair of roots q / quadratic and constant / q; 0 where undefined.
    q = -0.5 * (linear + safe_ops.nonzero_sign(linear) * tf.sqrt(discriminant))
    candidates = [end, tf.math.divide_no_nan(q, quadratic), tf.math.divide_no_nan(constant, q)]
    smallest = None
    for s in candidates:
        s = tf.minimum(tf.maximum(s, 0.0), end)
        derivative = 1.0 + s * (3.0 * k1 + s * (5.0 * k2 + s * 7.0 * k3))
        smallest = derivative if smallest is None else tf.minimum(smallest, derivative)
    return (smallest > 0.0)[..., None]


def _undistort(target, distortion, num_iterations):
    """Newton's method for distort(x) = target, continued from the image centre; see the module docstring."""
    if num_iterations == 0:
        return target + 0.0 * distortion[..., :2]
    fixed_target, fixed_distortion = tf.stop_gradient(target), tf.stop_gradient(distortion)
    # All but the last step run in a loop with a fixed trip count, traced once (unrolling it makes
    # graphs ten times larger and slower to build); no gradient flows through it.
    start = tf.zeros_like(fixed_target + fixed_distortion[..., :2])

    def step(index, point):
        fraction = tf.minimum(tf.cast(index, point.dtype) / 3.0, 1.0)
        return index + 1, _newton_step(point, fraction * fixed_target, fixed_distortion)

    _, point = tf.while_loop(
        lambda index, _: index < num_iterations, step, (tf.constant(1), start), maximum_iterations=num_iterations - 1
    )
    # From the stopped iterate, the last step has the derivatives of the exact inverse.
    return _newton_step(tf.stop_gradient(point), target, distortion)


def _newton_step(point, target, distortion):
    """One Newton step towards distort(point) = target, at most half of 1 + |point| long."""
    distorted, (a, b, d) = _distort(point, distortion, with_jacobian=True)
    residual_x, residual_y = tf.unstack(distorted - target, axis=-1)
    determinant = a * d - b * b
    smallest = safe_ops.eps(point.dtype)
    determinant = tf.where(tf.abs(determinant) < smallest, smallest * safe_ops.nonzero_sign(determinant), determinant)
    step = tf.stack([d * residual_x - b * residual_y, a * residual_y - b * residual_x], axis=-1)
    step = step / determinant[..., None]
    limit = 0.5 * (1.0 + safe_ops.norm(point))
    length = safe_ops.norm(step)
    return point - step * tf.minimum(limit / tf.maximum(length, limit), 1.0)


__all__ = ["distort", "undistort", "project", "project_with_validity", "ray", "unproject"]

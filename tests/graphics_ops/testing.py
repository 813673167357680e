"""Shared numeric helpers of the graphics_ops tests: reference rotations, comparisons, Jacobians and shape errors."""

import numpy as np
import pytest
import tensorflow as tf
from scipy.spatial.transform import Rotation

DTYPES = (tf.float32, tf.float64)
# Absolute tolerances for values computed in each dtype from float64 references.
ATOL = {tf.float32: 5e-6, tf.float64: 1e-12}

all_dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])


def random_rotations(count, seed=0):
    """`count` rotations uniformly distributed over SO(3), as a scipy Rotation."""
    return Rotation.random(count, random_state=seed)


def half_turn_axes():
    """Unit axes of 180° rotations worth testing: coordinate axes, diagonals, a generic one."""
    axes = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, -1, 1], [1, 1, 1], [-1, 2, 0.5]], np.float64)
    return axes / np.linalg.norm(axes, axis=-1, keepdims=True)


def special_rotations():
    """The identity, half turns, and rotations within 1e-3 to 1e-7 of either, as a scipy Rotation."""
    axes = half_turn_axes()
    angles = [0.0, 1e-7, 1e-4, np.pi, np.pi - 1e-3, np.pi - 1e-5, np.pi - 1e-7]
    rotvecs = np.concatenate([axes * angle for angle in angles])
    return Rotation.from_rotvec(rotvecs)


def hamilton_product(q1, q2):
    """Reference Hamilton product of `[..., 4]` quaternions, via the left-multiplication matrix of q1."""
    x, y, z, w = np.moveaxis(q1, -1, 0)
    left = np.stack(
        [
            np.stack([w, -z, y, x], -1),
            np.stack([z, w, -x, y], -1),
            np.stack([-y, x, w, z], -1),
            np.stack([-x, -y, -z, w], -1),
        ],
        -2,
    )
    return np.einsum("...ij,...j->...i", left, q2)


def assert_same_quaternions(actual, expected, atol):
    """Asserts that quaternions represent the same rotations: q and -q are equal."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    error = np.minimum(np.abs(actual - expected).max(axis=-1), np.abs(actual + expected).max(axis=-1))
    worst = np.max(error, initial=0.0)
    assert worst <= atol, f"quaternions differ by up to {worst:.3g} (> {atol:g}) at {np.argmax(error)}"


def assert_all_finite(*tensors):
    for tensor in tensors:
        values = np.asarray(tensor)
        assert np.all(np.isfinite(values)), f"non-finite values: {values[~np.isfinite(values)][:5]}"


def weighted_gradients(function, *inputs, seed=0):
    """Gradients w.r.t. every input of a random weighted sum of every float output of `function`."""
    inputs = [tf.convert_to_tensor(value) for value in inputs]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = [out for out in tf.nest.flatten(function(*inputs)) if out.dtype.is_floating]
        rng = np.random.default_rng(seed)
        loss = tf.add_n(
            [tf.reduce_sum(out * rng.normal(size=out.shape).astype(out.dtype.as_numpy_dtype)) for out in outputs]
        )
    return tape.gradient(loss, inputs, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def assert_finite_gradients(function, *inputs):
    """Asserts that `function`'s float outputs and their gradients w.r.t. all inputs are finite."""
    assert_all_finite(*[out for out in tf.nest.flatten(function(*inputs)) if out.dtype.is_floating])
    assert_all_finite(*weighted_gradients(function, *inputs))


def jacobians(function, *inputs, delta=1e-6):
    """Theoretical and central-difference Jacobians of `function` w.r.t. each input, in float64.

    The same pairs as `tf.test.compute_gradient`, but batched, hence much faster: `function` must
    treat a new leading axis of all its inputs as one more batch axis. Then one backward pass on
    copies of the inputs gives every row of the theoretical Jacobians, and one call on shifted
    copies every finite difference.

    Returns:
      A list of `(theoretical, numerical)` arrays of shape `[output size, input size]`, per input.
    """
    inputs = [np.asarray(value, np.float64) for value in inputs]
    size = _flat_outputs(function, [value[None] for value in inputs]).shape[1]
    copies = [tf.constant(np.broadcast_to(value, (size,) + value.shape)) for value in inputs]
    with tf.GradientTape() as tape:
        tape.watch(copies)
        loss = tf.reduce_sum(_flat_outputs(function, copies) * tf.eye(size, dtype=tf.float64))
    theoretical = tape.gradient(loss, copies, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    pairs = []
    for index, value in enumerate(inputs):
        steps = delta * np.eye(value.size).reshape((value.size,) + value.shape)
        shifted = [np.broadcast_to(other, (2 * value.size,) + other.shape) for other in inputs]
        shifted[index] = np.concatenate([value + steps, value - steps])
        outputs = _flat_outputs(function, [tf.constant(array) for array in shifted]).numpy()
        numerical = (outputs[: value.size] - outputs[value.size :]).T / (2 * delta)
        pairs.append((theoretical[index].numpy().reshape(size, -1), numerical))
    return pairs


def assert_jacobians_match_finite_differences(function, *inputs, tolerance=1e-6):
    """Compares the Jacobians w.r.t. every input with central finite differences (see `jacobians`)."""
    for index, (theoretical, numerical) in enumerate(jacobians(function, *inputs)):
        np.testing.assert_allclose(
            theoretical, numerical, rtol=tolerance, atol=tolerance, err_msg=f"Jacobian w.r.t. input {index}"
        )


def _flat_outputs(function, inputs):
    """The outputs of `function` for inputs with a leading copy axis, as one `[copies, -1]` tensor."""
    copies = inputs[0].shape[0]
    return tf.concat(
        [tf.reshape(tf.cast(output, tf.float64), [copies, -1]) for output in tf.nest.flatten(function(*inputs))], 1
    )


def assert_longer_last_axis_is_named(function, inputs, index, argument, pattern=None):
    """Lengthens the last axis of `inputs[index]` by one: `function` must raise ValueError naming `argument`.

    `pattern`, if given, is the whole message expected instead of just the argument's name.
    """
    inputs = list(inputs)
    inputs[index] = np.concatenate([inputs[index], inputs[index][..., :1]], axis=-1)
    with pytest.raises(ValueError, match=pattern or rf"\b{argument}\b"):
        function(*inputs)


def assert_longer_last_axis_is_named_at_run_time(function, inputs, index, argument):
    """Like `assert_longer_last_axis_is_named`, for a `tf.function` traced with unknown float64 shapes.

    The shapes are then only checked at run time, where the error must still name `argument`.
    """
    inputs = [tf.constant(value) for value in inputs]
    signature = [tf.TensorSpec([None] * value.shape.rank, tf.float64) for value in inputs]
    graph = tf.function(function, input_signature=signature)
    inputs[index] = tf.concat([inputs[index], inputs[index][..., :1]], axis=-1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"\b{argument}\b"):
        graph(*inputs)


def flat_numpy(outputs):
    """The outputs of an op (a tensor or a nest of them) as a flat list of NumPy arrays."""
    return [np.asarray(output) for output in tf.nest.flatten(outputs)]


def assert_broadcast_equals_tiled(function, inputs, tiled):
    """`function` gives the same on `inputs`, whose batch dimensions broadcast to (2, 3), as on them `tiled`."""
    for got, want in zip(flat_numpy(function(*inputs)), flat_numpy(function(*tiled))):
        assert got.shape[:2] == (2, 3)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)

"""Physical properties of the BRDFs, on batches drawn by hypothesis: reciprocity, positivity, invariance.

Hypothesis favours 0, ±1 and interval ends, so the batches often hold grazing and back-facing light,
directions along the normal, opposite light and view (zero half vectors) and zero vectors.
"""

import numpy as np
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.spatial.transform import Rotation

from graphics_ops.reflectance import blinn_phong, ggx, lambertian, phong

BATCH = 16
SETTINGS = settings(max_examples=25, deadline=None)


def _unit_or_zero(array):
    length = np.linalg.norm(array, axis=-1, keepdims=True)
    return np.where(length > 1e-3, array / np.maximum(length, 1e-3), 0.0)


def _unit(array):
    length = np.linalg.norm(array, axis=-1, keepdims=True)
    return np.where(length > 1e-3, array / np.maximum(length, 1e-3), [0.0, 0.0, 1.0])


directions = hnp.arrays(np.float64, (BATCH, 3), elements=st.floats(-1, 1)).map(_unit_or_zero)
normals = hnp.arrays(np.float64, (BATCH, 3), elements=st.floats(-1, 1)).map(_unit)
unit_intervals = hnp.arrays(np.float64, (BATCH, 1), elements=st.floats(0, 1))
colors = hnp.arrays(np.float64, (BATCH, 3), elements=st.floats(0, 1))
shininesses = hnp.arrays(np.float64, (BATCH, 1), elements=st.floats(0, 50))


def _models(shininess, color, metallic, roughness):
    return {
        "lambertian": lambda i, o, n: lambertian.brdf(i, o, n, color),
        "phong": lambda i, o, n: phong.brdf(i, o, n, shininess, color),
        "blinn_phong": lambda i, o, n: blinn_phong.brdf(i, o, n, shininess, color),
        "ggx": lambda i, o, n: ggx.brdf(i, o, n, color, metallic, roughness),
    }


@SETTINGS
@given(directions, directions, normals, shininesses, colors, unit_intervals, unit_intervals)
def test_helmholtz_reciprocity_and_positivity(incoming, outgoing, normal, shininess, color, metallic, roughness):
    """f(l -> v) = f(v -> l): swapping the roles reverses both directions."""
    for name, brdf in _models(shininess, color, metallic, roughness).items():
        forward = brdf(incoming, outgoing, normal).numpy()
        backward = brdf(-outgoing, -incoming, normal).numpy()
        assert np.all(np.isfinite(forward)) and np.all(forward >= 0.0), name
        np.testing.assert_allclose(forward, backward, rtol=1e-9, atol=1e-12, err_msg=name)


@SETTINGS
@given(directions, directions, normals, colors, unit_intervals, unit_intervals, st.integers(0, 2**31))
def test_invariant_under_rotations_of_the_whole_frame(incoming, outgoing, normal, color, metallic, roughness, seed):
    """Exactly grazing light or view is left out: there the BRDF jumps to 0, and rounding in the
    rotation may put the direction just below the surface."""
    rotation = Rotation.random(random_state=seed).as_matrix()
    grazing = (np.abs(np.sum(incoming * normal, -1)) < 1e-9) | (np.abs(np.sum(outgoing * normal, -1)) < 1e-9)
    for brdf in _models(np.full((BATCH, 1), 5.0), color, metallic, roughness).values():
        rotated = brdf(incoming @ rotation.T, outgoing @ rotation.T, normal @ rotation.T).numpy()
        expected = brdf(incoming, outgoing, normal).numpy()
        np.testing.assert_allclose(rotated[~grazing], expected[~grazing], rtol=1e-7, atol=1e-9)


@SETTINGS
@given(directions, directions, normals, shininesses, colors, unit_intervals, unit_intervals)
def test_gradients_are_finite(incoming, outgoing, normal, shininess, color, metallic, roughness):
    inputs = [tf.constant(value) for value in (incoming, outgoing, normal, shininess, color, metallic, roughness)]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(inputs)
        values = [brdf(*inputs[:3]) for brdf in _models(*inputs[3:]).values()]
    for value in values:
        for gradient in tape.gradient(value, inputs, unconnected_gradients=tf.UnconnectedGradients.ZERO):
            assert np.all(np.isfinite(gradient.numpy()))

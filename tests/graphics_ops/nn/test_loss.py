"""graphics_ops.nn.loss: TensorFlow Graphics' Chamfer and Hausdorff `evaluate` on graphics_ops.mesh.distances."""

import inspect

import numpy as np
import pytest
import tensorflow as tf
from scipy.spatial import distance as scipy_distance

from graphics_ops.nn.loss import chamfer_distance, hausdorff_distance
from tests.graphics_ops.testing import all_dtypes, assert_all_finite, assert_jacobians_match_finite_differences


def reference_chamfer(a, b):
    squared = scipy_distance.cdist(a, b, "sqeuclidean")
    return squared.min(axis=1).mean() + squared.min(axis=0).mean()


def reference_hausdorff(a, b):
    return np.sqrt(scipy_distance.cdist(a, b, "sqeuclidean").min(axis=1).max())


def point_sets(seed=0, batch=(2,), sizes=(7, 5), dims=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=batch + (sizes[0], dims)), rng.normal(size=batch + (sizes[1], dims))


@pytest.mark.parametrize("module", [chamfer_distance, hausdorff_distance])
def test_signature_is_tensorflow_graphics(module):
    assert list(inspect.signature(module.evaluate).parameters) == ["point_set_a", "point_set_b", "name"]


@all_dtypes
@pytest.mark.parametrize(
    "module, reference", [(chamfer_distance, reference_chamfer), (hausdorff_distance, reference_hausdorff)]
)
def test_matches_float64_reference(module, reference, dtype):
    a, b = point_sets(batch=(2, 3))
    result = module.evaluate(tf.constant(a, dtype), tf.constant(b, dtype))
    assert result.dtype == dtype and result.shape == (2, 3)
    expected = np.array([[reference(a[i, j], b[i, j]) for j in range(3)] for i in range(2)])
    np.testing.assert_allclose(result, expected, rtol=1e-5 if dtype == tf.float32 else 1e-12)


def test_hausdorff_is_directed_and_chamfer_symmetric():
    a = np.array([[0.0, 0.0], [3.0, 0.0]])
    b = np.array([[0.0, 0.0]])
    assert float(hausdorff_distance.evaluate(a, b)) == pytest.approx(3.0)
    assert float(hausdorff_distance.evaluate(b, a)) == pytest.approx(0.0)
    assert float(chamfer_distance.evaluate(a, b)) == pytest.approx(float(chamfer_distance.evaluate(b, a)))


def test_batch_dimensions_broadcast():
    a, b = point_sets(batch=(3,))
    result = chamfer_distance.evaluate(a, b[:1])
    expected = [reference_chamfer(a[i], b[0]) for i in range(3)]
    np.testing.assert_allclose(result, expected, rtol=1e-12)


@pytest.mark.parametrize("module", [chamfer_distance, hausdorff_distance])
def test_jacobians_match_finite_differences(module):
    a, b = point_sets(seed=3, batch=(), sizes=(4, 3))
    assert_jacobians_match_finite_differences(module.evaluate, a, b)


def test_hausdorff_gradient_is_finite_at_zero_distance():
    # TensorFlow Graphics takes the square root of the squared distance: nan gradients here.
    a = tf.constant([[1.0, 2.0, 3.0]], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(a)
        value = hausdorff_distance.evaluate(a, a + 0.0)
    assert float(value) == 0.0
    assert_all_finite(tape.gradient(value, a))


@pytest.mark.parametrize("module", [chamfer_distance, hausdorff_distance])
def test_tf_function_unknown_batch_and_jit_compile_match_eager(module):
    a, b = point_sets(batch=(2,))
    eager = module.evaluate(a, b)
    spec = tf.TensorSpec([None, None, 3], tf.float64)
    traced = tf.function(module.evaluate, input_signature=[spec, spec])(a, b)
    compiled = tf.function(module.evaluate, jit_compile=True)(a, b)
    np.testing.assert_allclose(traced, eager, rtol=1e-12)
    np.testing.assert_allclose(compiled, eager, rtol=1e-12)


@pytest.mark.parametrize("module", [chamfer_distance, hausdorff_distance])
def test_bad_inputs_name_the_argument(module):
    a, b = point_sets()
    with pytest.raises(ValueError, match="point_set_b"):
        module.evaluate(a, b[..., :2])
    with pytest.raises(ValueError, match="point_set_a must not be empty"):
        module.evaluate(np.zeros((0, 3)), b[0])
    with pytest.raises(ValueError, match="point_set_b must not be empty"):
        module.evaluate(a[0], np.zeros((0, 3)))

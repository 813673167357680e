"""graphics_ops.nn.graph_convolution: FeaStNet and the edge convolution template against NumPy loops."""

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops.nn import graph_convolution
from tests.graphics_ops.mesh_testing import ATOL, all_dtypes
from tests.graphics_ops.nn.nn_testing import (
    per_copy,
    random_adjacency,
    reference_edge_convolution,
    reference_feature_steered,
    to_edges,
    to_sparse,
)
from tests.graphics_ops.testing import assert_finite_gradients, assert_jacobians_match_finite_differences

C, W, D = 3, 4, 2


def _variables(rng, channels=C, matrices=W, outputs=D):
    shapes = [(channels, matrices), (channels, matrices), (matrices,), (matrices, channels, outputs), (outputs,)]
    return [rng.normal(size=shape) for shape in shapes]


def _feast(data, neighbors, variables, sizes=None):
    return graph_convolution.feature_steered_convolution(data, neighbors, sizes, *variables)


def _forms(dense, dtype):
    """The same neighbourhoods as a SparseTensor and as (edges, weights) with one padding row."""
    edges, weights = to_edges(dense, padding=1)
    return {"sparse": to_sparse(dense, dtype), "edges": (edges, tf.constant(weights, dtype))}


def _edge_function(x_i, x_j):
    """f(x_i, x_j) = [x_j - x_i, x_i * x_j]: depends on both ends, in TensorFlow and NumPy."""
    concatenate = tf.concat if tf.is_tensor(x_i) else np.concatenate
    return concatenate([x_j - x_i, x_i * x_j], -1)


@all_dtypes
@pytest.mark.parametrize("form", ["sparse", "edges"])
def test_feature_steered_convolution_matches_the_formula(dtype, form):
    rng = np.random.default_rng(0)
    adjacency = random_adjacency(rng, 7, isolated=[3])
    data, variables = rng.normal(size=(7, C)), _variables(rng)
    result = _feast(
        tf.constant(data, dtype), _forms(adjacency, dtype)[form], [tf.constant(v, dtype) for v in variables]
    )
    assert result.dtype == dtype and result.shape == (7, D)
    expected = reference_feature_steered(data, adjacency, *variables)
    np.testing.assert_allclose(result, expected, atol=10 * ATOL[dtype], rtol=10 * ATOL[dtype])
    np.testing.assert_allclose(result[3], variables[-1], atol=ATOL[dtype], err_msg="an isolated vertex gets the bias")


@pytest.mark.parametrize("form", ["sparse", "edges"])
def test_batches_are_graphs_of_their_own_and_sizes_zero_the_padding(form):
    rng = np.random.default_rng(1)
    adjacency = np.stack([random_adjacency(rng, 6) for _ in range(6)]).reshape(2, 3, 6, 6)
    adjacency[0, 1, 4:] = adjacency[0, 1, :, 4:] = 0  # Graph (0, 1) has 4 real vertices.
    data, variables = rng.normal(size=(2, 3, 6, C)), _variables(rng)
    sizes = np.full((2, 3), 6)
    sizes[0, 1] = 4
    result = _feast(data, _forms(adjacency, tf.float64)[form], variables, sizes=sizes).numpy()
    for index in np.ndindex(2, 3):
        expected = reference_feature_steered(data[index], adjacency[index], *variables)
        expected[sizes[index] :] = 0
        np.testing.assert_allclose(result[index], expected, atol=1e-12)


def test_one_graph_of_edges_serves_a_batch_of_features():
    rng = np.random.default_rng(2)
    adjacency = random_adjacency(rng, 5)
    edges, weights = to_edges(adjacency)
    data, variables = rng.normal(size=(4, 5, C)), _variables(rng)
    result = _feast(data, (edges, weights), variables).numpy()
    for index in range(4):
        np.testing.assert_allclose(
            result[index], reference_feature_steered(data[index], adjacency, *variables), atol=1e-12
        )


@all_dtypes
@pytest.mark.parametrize("reduction", ["weighted", "max"])
@pytest.mark.parametrize("form", ["sparse", "edges"])
def test_edge_convolution_template_matches_the_formula(dtype, reduction, form):
    rng = np.random.default_rng(3)
    adjacency = random_adjacency(rng, 8, isolated=[0, 5])
    data = rng.normal(size=(8, C))
    result = graph_convolution.edge_convolution_template(
        tf.constant(data, dtype), _forms(adjacency, dtype)[form], None, _edge_function, reduction, None
    )
    expected = reference_edge_convolution(data, adjacency, _edge_function, reduction, 2 * C)
    np.testing.assert_allclose(result, expected, atol=10 * ATOL[dtype])
    assert np.all(result.numpy()[[0, 5]] == 0), "vertices without neighbours get zeros"


def test_edge_function_kwargs_are_passed_on():
    rng = np.random.default_rng(4)
    adjacency = random_adjacency(rng, 4)
    data = rng.normal(size=(4, 2))
    scaled = graph_convolution.edge_convolution_template(
        data, to_sparse(adjacency), None, lambda x_i, x_j, scale: scale * x_j, "weighted", {"scale": 3.0}
    )
    np.testing.assert_allclose(scaled, 3.0 * adjacency @ data, atol=1e-12)


def test_graphs_without_edges_and_isolated_vertices_give_finite_values_and_gradients():
    rng = np.random.default_rng(5)
    variables = _variables(rng)
    data = rng.normal(size=(2, 4, C))
    empty = (np.zeros((0, 2), np.int32), np.zeros((0,)))
    padding_only = (np.full((2, 3, 2), -1, np.int32), np.zeros((2, 3)))
    for neighbors in (empty, padding_only, to_sparse(np.zeros((2, 4, 4)))):
        np.testing.assert_allclose(_feast(data, neighbors, variables), np.broadcast_to(variables[-1], (2, 4, D)))
        assert_finite_gradients(lambda x, u: _feast(x, neighbors, [u] + variables[1:]), data, variables[0])
        for reduction in ("weighted", "max"):
            result = graph_convolution.edge_convolution_template(data, neighbors, None, _edge_function, reduction, None)
            np.testing.assert_array_equal(result, np.zeros((2, 4, 2 * C)))
            assert_finite_gradients(
                lambda x: graph_convolution.edge_convolution_template(
                    x, neighbors, None, _edge_function, reduction, None
                ),
                data,
            )


def test_feature_steered_jacobians_match_finite_differences():
    rng = np.random.default_rng(6)
    adjacency = random_adjacency(rng, 4, density=0.6, isolated=[2])
    neighbors = to_edges(adjacency)
    variables = _variables(rng, channels=2, matrices=3, outputs=2)
    assert_jacobians_match_finite_differences(
        per_copy(lambda x, *params: _feast(x, neighbors, params)), rng.normal(size=(4, 2)), *variables
    )


@pytest.mark.parametrize("reduction", ["weighted", "max"])
def test_edge_convolution_jacobians_match_finite_differences(reduction):
    rng = np.random.default_rng(7)
    adjacency = random_adjacency(rng, 5, density=0.5, isolated=[1])
    edges, weights = to_edges(adjacency)

    def convolve(x, w):
        return graph_convolution.edge_convolution_template(x, (edges, w), None, _edge_function, reduction, None)

    inputs = [rng.normal(size=(5, 2))] + ([weights] if reduction == "weighted" else [])
    function = convolve if reduction == "weighted" else (lambda x: convolve(x, weights))
    assert_jacobians_match_finite_differences(function, *inputs)


@pytest.mark.parametrize("form", ["sparse", "edges"])
def test_tf_function_with_unknown_sizes_and_jit_compile_match_eager(form):
    rng = np.random.default_rng(8)
    adjacency = np.stack([random_adjacency(rng, 6, isolated=[1]) for _ in range(3)])
    neighbors = _forms(adjacency, tf.float32)[form]
    data = tf.constant(rng.normal(size=(3, 6, C)), tf.float32)
    variables = [tf.constant(v, tf.float32) for v in _variables(rng)]

    def both(x, neighbors):
        return _feast(x, neighbors, variables), graph_convolution.edge_convolution_template(
            x, neighbors, None, _edge_function, "max", None
        )

    expected = both(data, neighbors)
    if form == "sparse":
        spec = tf.SparseTensorSpec([None, None, None], tf.float32)
    else:
        spec = (tf.TensorSpec([None, None, 2], tf.int32), tf.TensorSpec([None, None], tf.float32))
    graph = tf.function(both, input_signature=[tf.TensorSpec([None, None, C], tf.float32), spec])
    for name, function in (("graph", graph), ("xla", tf.function(both, jit_compile=True))):
        for got, want in zip(function(data, neighbors), expected):
            np.testing.assert_allclose(got, want, atol=1e-5, err_msg=name)


VARIABLES = _variables(np.random.default_rng(9))
ADJACENCY = random_adjacency(np.random.default_rng(10), 5)
BAD_SHAPES = [
    (
        lambda: _feast(np.zeros(5), to_edges(ADJACENCY), VARIABLES),
        r"^data must have shape \[A1, \.\.\., An, V, C\], got \[5\]$",
    ),
    (
        lambda: _feast(np.zeros((5, 2)), to_edges(ADJACENCY), VARIABLES),
        r"^dimension C must agree: data has C=2, var_u has C=3",
    ),
    (
        lambda: _feast(np.zeros((5, C)), to_edges(ADJACENCY), VARIABLES[:4] + [np.zeros(3)]),
        r"^dimension D must agree: var_w has D=2, var_b has D=3$",
    ),
    (
        lambda: _feast(np.zeros((5, C)), to_edges(ADJACENCY), VARIABLES[:3] + [np.zeros((1, W, C, D))] + VARIABLES[4:]),
        r"^var_w must have shape \[W, C, D\], got \[1, 4, 3, 2\]$",
    ),
    (
        lambda: _feast(np.zeros((5, C)), (np.zeros((4, 3), np.int32), np.zeros(4)), VARIABLES),
        r"^edges must have shape \[A1, \.\.\., An, E, 2\], got \[4, 3\]$",
    ),
    (
        lambda: _feast(np.zeros((5, C)), (np.zeros((4, 2), np.int32), np.zeros(3)), VARIABLES),
        r"^dimension E must agree: edges has E=4, weights has E=3$",
    ),
    (
        lambda: _feast(np.zeros((2, 5, C)), (np.zeros((3, 4, 2), np.int32), np.zeros((3, 4))), VARIABLES),
        r"batch dimensions .* of data and edges and weights must be broadcast-compatible",
    ),
    (
        lambda: _feast(np.zeros((5, C)), to_sparse(np.zeros((6, 6))), VARIABLES),
        r"^neighbors must have dense shape \[5, 5\] \(the batch dimensions of data, then R, V\), got \[6, 6\]$",
    ),
    (
        lambda: _feast(np.zeros((2, 5, C)), to_sparse(ADJACENCY), VARIABLES),
        r"^neighbors must have dense shape \[2, 5, 5\] .*, got \[5, 5\]$",
    ),
    (
        lambda: _feast(np.zeros((2, 5, C)), to_edges(ADJACENCY), VARIABLES, sizes=np.zeros((2, 1), np.int32)),
        r"^sizes must have the batch dimensions \[A1, \.\.\., An\] of the data, got shape \[2, 1\]",
    ),
    (
        lambda: graph_convolution.edge_convolution_template(
            np.zeros((5, C)), to_sparse(ADJACENCY), None, lambda x_i, x_j: x_j[0], "max", None
        ),
        r"^edge_function must return one row per edge, \[E, D\] with E = \d+, got \[3\]$",
    ),
    (
        lambda: graph_convolution.edge_convolution_template(
            np.zeros((5, C)), to_sparse(ADJACENCY), None, _edge_function, "mean", None
        ),
        r"^reduction must be one of \('weighted', 'max'\), got 'mean'$",
    ),
]


@pytest.mark.parametrize("index", range(len(BAD_SHAPES)))
def test_bad_arguments_raise_value_errors_naming_the_argument(index):
    call, pattern = BAD_SHAPES[index]
    with pytest.raises(ValueError, match=pattern):
        call()


def test_bad_types_raise_type_errors():
    data = np.zeros((5, C))
    with pytest.raises(
        TypeError, match=r"^neighbors must be a tf.sparse.SparseTensor or a pair \(edges, weights\), got ndarray$"
    ):
        _feast(data, ADJACENCY, VARIABLES)
    with pytest.raises(TypeError, match=r"^neighbors must have dtype float64, got float32$"):
        _feast(data, to_sparse(ADJACENCY, tf.float32), VARIABLES)
    with pytest.raises(TypeError, match=r"^edges must have an integer dtype, got float64$"):
        _feast(data, (np.zeros((2, 2)), np.zeros(2)), VARIABLES)
    with pytest.raises(TypeError, match=r"^edge_function must be callable, got str$"):
        graph_convolution.edge_convolution_template(data, to_sparse(ADJACENCY), None, "relu", "max", None)


def _out_of_range_calls():
    data = np.zeros((2, 5, C))
    bad_edges = np.array([[0, 1], [5, 2]], np.int32), np.ones(2)
    half_padding = np.array([[0, 1], [-1, 2]], np.int32), np.ones(2)
    bad_sparse = tf.sparse.SparseTensor([[0, 0, 1], [1, 4, 7]], tf.ones(2, tf.float64), [2, 5, 5])
    yield lambda d: _feast(d, bad_edges, VARIABLES), r"edges must hold vertex indices in \[0, V\)"
    yield lambda d: _feast(d, half_padding, VARIABLES), r"edges must hold vertex indices in \[0, V\), or rows of -1"
    yield lambda d: _feast(d, bad_sparse, VARIABLES), r"neighbors must have indices in range and the dense shape"
    yield lambda d: _feast(d, to_edges(ADJACENCY), VARIABLES, sizes=[5, 6]), r"sizes must lie in \[0, V\]"
    yield (
        lambda d: graph_convolution.edge_convolution_template(d, bad_edges, None, _edge_function, "weighted", None),
        r"edges must hold vertex indices",
    )
    yield data


def test_out_of_range_indices_raise_invalid_argument_errors_naming_the_argument():
    *calls, data = list(_out_of_range_calls())
    for call, pattern in calls:
        with pytest.raises(tf.errors.InvalidArgumentError, match=pattern):
            call(data)
        graph = tf.function(call, input_signature=[tf.TensorSpec([None, None, C], tf.float64)])
        with pytest.raises(tf.errors.InvalidArgumentError, match=pattern):
            graph(data)


def test_name_scopes_follow_the_name_argument():
    graph = tf.function(
        lambda x: graph_convolution.feature_steered_convolution(
            x, to_edges(ADJACENCY), None, *VARIABLES, name="my_feast"
        )
    )
    concrete = graph.get_concrete_function(tf.TensorSpec([None, 5, C], tf.float64))
    assert any(op.name.startswith("my_feast/") for op in concrete.graph.get_operations())

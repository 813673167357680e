"""Every differentiable function of graphics_ops.mesh, through one table of example inputs.

Checks: TensorFlow Graphics' argument names and order where it has the function, tf.function with
unknown batch dimensions and jit_compile against eager, float32 and float64, Jacobians against
finite differences, broadcasting of batch dimensions, errors naming the argument for bad shapes,
and name scopes.
"""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from graphics_ops import mesh
from graphics_ops.mesh import distances, laplacian, measures, normals, sampler, triangle
from tests.graphics_ops.api_testing import public_functions
from tests.graphics_ops.mesh_testing import OCTAHEDRON_FACES, noisy_octahedra, reference_uniform_laplacian
from tests.graphics_ops.modes_testing import assert_unknown_batch_modes_match_eager
from tests.graphics_ops.testing import (
    assert_broadcast_equals_tiled,
    assert_jacobians_match_finite_differences,
    jacobians,
)

# TensorFlow Graphics' functions and their arguments before `name`: ours may add arguments after them.
TFG_API = {
    triangle.normal: ["v0", "v1", "v2", "clockwise", "normalize"],
    triangle.area: ["v0", "v1", "v2"],
    normals.gather_faces: ["vertices", "indices"],
    normals.face_normals: ["faces", "clockwise", "normalize"],
    normals.vertex_normals: ["vertices", "indices", "clockwise"],
    sampler.triangle_area: ["vertex0", "vertex1", "vertex2"],
    sampler.generate_random_face_indices: ["num_samples", "face_weights", "seed", "stateless"],
    sampler.generate_random_barycentric_coordinates: ["sample_shape", "dtype", "seed", "stateless"],
    sampler.weighted_random_sample_triangle_mesh: [
        "vertex_attributes",
        "faces",
        "num_samples",
        "face_weights",
        "seed",
        "stateless",
    ],
    sampler.area_weighted_random_sample_triangle_mesh: [
        "vertex_attributes",
        "faces",
        "num_samples",
        "vertex_positions",
        "seed",
        "stateless",
    ],
}

PUBLIC = {
    "triangle": {"normal", "area", "angles"},
    "normals": {"gather_faces", "face_normals", "vertex_normals"},
    "measures": {"face_areas", "surface_area", "face_angles"},
    "sampler": {
        "triangle_area",
        "generate_random_face_indices",
        "generate_random_barycentric_coordinates",
        "weighted_random_sample_triangle_mesh",
        "area_weighted_random_sample_triangle_mesh",
    },
    "edges": {"unique_edges", "extract_unique_edges_from_triangular_mesh", "get_degree_based_edge_weights"},
    "deformation_energy": set(),
    "laplacian": {"uniform", "cotangent", "cotangent_weights", "apply"},
    "distances": {"nearest_neighbors", "chamfer_distance", "hausdorff_distance"},
    "io": {"load"},
}

FACES = OCTAHEDRON_FACES
UNIFORM = reference_uniform_laplacian(FACES, 6)


def _uniform_sparse(dtype):
    """The octahedron's uniform Laplacian as constants, so that `apply` can be compiled alone."""
    indices = np.argwhere(UNIFORM != 0)
    return tf.sparse.SparseTensor(indices, tf.constant(UNIFORM[UNIFORM != 0], dtype), UNIFORM.shape)


KINDS = {
    "vertices": lambda rng, batch: noisy_octahedra(rng, batch),
    "corner": lambda rng, batch: rng.normal(size=batch + (3,)),
    "corners": lambda rng, batch: rng.normal(size=batch + (4, 3)),
    "points_a": lambda rng, batch: rng.normal(size=batch + (7, 3)),
    "points_b": lambda rng, batch: rng.normal(size=batch + (9, 3)),
    "vertex_values": lambda rng, batch: rng.normal(size=batch + (6, 2)),
}

# name -> (function of float tensors only, kinds of its arguments, supports jit_compile). Variants
# of one function share a case, so that each is traced and compiled once.
CASES = {
    "triangle.normal": (
        lambda a, b, c: (triangle.normal(a, b, c), triangle.normal(a, b, c, clockwise=True, normalize=False)),
        ["corner"] * 3,
        True,
    ),
    "triangle.area": (lambda a, b, c: (triangle.area(a, b, c), sampler.triangle_area(a, b, c)), ["corner"] * 3, True),
    "triangle.angles": (triangle.angles, ["corner"] * 3, True),
    "normals.gather_faces": (lambda v: normals.gather_faces(v, FACES), ["vertices"], True),
    "normals.face_normals": (
        lambda c: (normals.face_normals(c), normals.face_normals(c, clockwise=False, normalize=False)),
        ["corners"],
        True,
    ),
    "normals.vertex_normals": (
        lambda v: (normals.vertex_normals(v, FACES), normals.vertex_normals(v, FACES, weighting="angle")),
        ["vertices"],
        True,
    ),
    "measures": (
        lambda v: (measures.face_areas(v, FACES), measures.surface_area(v, FACES), measures.face_angles(v, FACES)),
        ["vertices"],
        True,
    ),
    "laplacian.cotangent_weights": (lambda v: laplacian.cotangent_weights(v, FACES), ["vertices"], True),
    "laplacian.cotangent": (lambda v: tf.sparse.to_dense(laplacian.cotangent(v, FACES)), ["vertices"], False),
    "laplacian.apply": (lambda x: laplacian.apply(_uniform_sparse(x.dtype), x), ["vertex_values"], True),
    "distances": (
        lambda a, b: (
            distances.nearest_neighbors(a, b),
            distances.chamfer_distance(a, b, chunk_size=3),  # Three tiles, in a loop.
            distances.hausdorff_distance(a, b),  # One tile: no loop.
            distances.hausdorff_distance(a, b, symmetric=True),
        ),
        ["points_a", "points_b"],
        True,
    ),
}


def _inputs(name, batch, seed=0):
    rng = np.random.default_rng(seed)
    return [KINDS[kind](rng, batch) for kind in CASES[name][1]]


def test_tensorflow_graphics_arguments_come_first():
    for function, arguments in TFG_API.items():
        parameters = list(inspect.signature(function).parameters)
        assert parameters[: len(arguments)] == arguments, function.__qualname__
        assert parameters[-1] == "name", function.__qualname__


def test_modules_export_only_declared_functions():
    assert set(mesh.__all__) == set(PUBLIC)
    for module_name, declared in PUBLIC.items():
        module = getattr(mesh, module_name)
        public = public_functions(module)
        assert public == declared, module_name


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_xla_match_eager(name):
    function, _, jit = CASES[name]
    for dtype in (tf.float32, tf.float64):
        modes = ("graph", "xla") if jit and dtype == tf.float32 else ("graph",)
        arrays = _inputs(name, (3,))
        assert_unknown_batch_modes_match_eager(function, arrays, dtype, modes, other_dtypes=(tf.int32,), message=name)


def test_unknown_vertex_and_face_counts():
    """Not only the batch: V, F and the number of points may be unknown while tracing."""
    vertices = tf.constant(noisy_octahedra(np.random.default_rng(0), (2,)), tf.float32)
    points = tf.constant(np.random.default_rng(1).normal(size=(2, 11, 3)), tf.float32)
    vertex_spec = tf.TensorSpec([None, None, 3], tf.float32)
    faces_spec = tf.TensorSpec([None, 3], tf.int32)
    for function in (normals.vertex_normals, measures.face_areas, laplacian.cotangent_weights):
        graph = tf.function(function, input_signature=[vertex_spec, faces_spec])
        np.testing.assert_allclose(graph(vertices, FACES), function(vertices, FACES), atol=1e-6)
    dense = tf.function(
        lambda v, f: tf.sparse.to_dense(laplacian.cotangent(v, f)), input_signature=[vertex_spec, faces_spec]
    )
    np.testing.assert_allclose(
        dense(vertices, FACES), tf.sparse.to_dense(laplacian.cotangent(vertices, FACES)), atol=1e-6
    )
    chamfer = tf.function(
        lambda a, b: distances.chamfer_distance(a, b, chunk_size=4), input_signature=[vertex_spec, vertex_spec]
    )
    xla = tf.function(
        lambda a, b: distances.chamfer_distance(a, b, chunk_size=4),
        input_signature=[vertex_spec, vertex_spec],
        jit_compile=True,
    )
    expected = distances.chamfer_distance(points, vertices)
    np.testing.assert_allclose(chamfer(points, vertices), expected, rtol=1e-5)
    np.testing.assert_allclose(xla(points, vertices), expected, rtol=1e-5)


DIFFERENTIABLE = sorted(CASES)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_jacobians_match_finite_differences(name):
    assert_jacobians_match_finite_differences(CASES[name][0], *_inputs(name, (2,), seed=1))


@pytest.mark.parametrize("name", ["laplacian.cotangent"])
def test_batched_jacobians_equal_tf_test_compute_gradient(name):
    function = CASES[name][0]
    inputs = [tf.constant(value) for value in _inputs(name, (1,), seed=1)]
    flat = tf.function(lambda *args: tf.concat([tf.reshape(out, [-1]) for out in tf.nest.flatten(function(*args))], 0))
    theoretical, numerical = tf.test.compute_gradient(flat, inputs, delta=1e-6)
    for (ours, our_estimate), jacobian, estimate in zip(jacobians(function, *inputs), theoretical, numerical):
        np.testing.assert_allclose(ours, jacobian, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(our_estimate, estimate, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize(
    "function,inner",
    [
        (normals.gather_faces, 2),
        (normals.vertex_normals, 3),
        (measures.face_areas, 1),
        (measures.face_angles, 2),
        (laplacian.cotangent_weights, 2),
    ],
)
def test_vertex_and_face_batch_dimensions_broadcast(function, inner):
    rng = np.random.default_rng(3)
    vertices = noisy_octahedra(rng, (2, 1))
    faces = np.stack([np.roll(FACES, shift, axis=-1) for shift in range(3)])  # [3, F, 3]: other windings.
    broadcast = function(vertices, faces).numpy()
    assert broadcast.shape[:2] == (2, 3)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(broadcast[i, j], function(vertices[i, 0], faces[j]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith(("distances", "triangle"))])
def test_point_batch_dimensions_broadcast(name):
    function = CASES[name][0]
    inputs = _inputs(name, (2, 1))[:1] + _inputs(name, (1, 3), seed=2)[1:]
    tiled = [np.broadcast_to(value, (2, 3) + value.shape[2:]) for value in inputs]
    assert_broadcast_equals_tiled(function, inputs, tiled)


VERTICES = noisy_octahedra(np.random.default_rng(0), ())
BAD_SHAPES = [
    (
        lambda: normals.vertex_normals(np.zeros((6, 2)), FACES),
        r"^vertices must have shape \[A1, \.\.\., An, V, 3\], got \[6, 2\]$",
    ),
    (lambda: normals.vertex_normals(VERTICES, FACES[:, :2]), r"^indices must have shape .*M >= 3, got \[8, 2\]$"),
    (
        lambda: normals.vertex_normals(VERTICES, FACES[0]),
        r"^indices must have shape \[A1, \.\.\., An, F, M\], got \[3\]$",
    ),
    (
        lambda: tf.function(lambda f: normals.vertex_normals(VERTICES, f), autograph=False).get_concrete_function(
            tf.TensorSpec([None, None], tf.int32)
        ),
        r"^indices must have shape .* with a statically known M >= 3, got \[None, None\]$",
    ),
    (lambda: normals.face_normals(np.zeros((5, 2, 3))), r"^faces must have shape \[A1, \.\.\., An, M, 3\] with M >= 3"),
    (
        lambda: normals.face_normals(np.zeros((5, 3, 4))),
        r"^faces must have shape \[A1, \.\.\., An, \?, 3\], got \[5, 3, 4\]$",
    ),
    (
        lambda: normals.gather_faces(np.zeros(6), FACES),
        r"^vertices must have shape \[A1, \.\.\., An, V, D\], got \[6\]$",
    ),
    (
        lambda: measures.face_areas(VERTICES, np.zeros((8, 4), np.int32)),
        r"^faces must have shape \[A1, \.\.\., An, F, 3\], got \[8, 4\]$",
    ),
    (lambda: measures.face_areas(np.zeros((6, 4)), FACES), r"^vertices must have shape"),
    (
        lambda: measures.face_areas(np.zeros((2, 6, 3)), np.zeros((3, 8, 3), np.int32)),
        r"batch dimensions .* of vertices and faces .* got vertices \[2, 6, 3\] and faces \[3, 8, 3\]",
    ),
    (lambda: laplacian.cotangent(VERTICES, FACES[None]), r"^faces must have shape \[F, 3\], got \[1, 8, 3\]$"),
    (lambda: laplacian.cotangent_weights(VERTICES[..., :2], FACES), r"^vertices must have shape"),
    (lambda: laplacian.uniform(FACES[0], 6), r"^faces must have shape \[F, M\], got \[3\]$"),
    (
        lambda: laplacian.apply(_uniform_sparse(tf.float64), np.zeros((5, 2))),
        r"^dimension V must agree: laplacian has V=6, values has V=5$",
    ),
    (
        lambda: triangle.area(np.zeros(3), np.zeros(3), np.zeros(2)),
        r"^v2 must have shape \[A1, \.\.\., An, 3\], got \[2\]$",
    ),
    (
        lambda: distances.chamfer_distance(np.zeros((4, 3)), np.zeros((5, 2))),
        r"^dimension D must agree: point_set_a has D=3, point_set_b has D=2$",
    ),
    (
        lambda: distances.hausdorff_distance(np.zeros(3), np.zeros((5, 3))),
        r"^point_set_a must have shape \[A1, \.\.\., An, N, D\]",
    ),
    (
        lambda: sampler.weighted_random_sample_triangle_mesh(VERTICES, FACES, 4, np.ones(7)),
        r"^dimension F must agree: face_weights has F=7, faces has F=8$",
    ),
    (
        lambda: sampler.area_weighted_random_sample_triangle_mesh(VERTICES[..., :2], FACES, 4),
        r"^vertex_attributes must have shape \[A1, \.\.\., An, V, D\] with D >= 3",
    ),
    (
        lambda: sampler.area_weighted_random_sample_triangle_mesh(
            VERTICES, FACES, 4, vertex_positions=np.zeros((5, 3))
        ),
        r"^dimension V must agree: vertex_attributes has V=6, vertex_positions has V=5$",
    ),
    (lambda: normals.vertex_normals(VERTICES, FACES, weighting="uniform"), r"^weighting must be one of"),
]


@pytest.mark.parametrize("index", range(len(BAD_SHAPES)))
def test_bad_shapes_name_the_argument(index):
    call, pattern = BAD_SHAPES[index]
    with pytest.raises(ValueError, match=pattern):
        call()


def test_faces_must_be_integers():
    with pytest.raises(TypeError, match=r"^faces must have an integer dtype, got float64$"):
        measures.face_areas(VERTICES, FACES.astype(np.float64))
    with pytest.raises(TypeError, match=r"^indices must have an integer dtype, got float32$"):
        normals.vertex_normals(VERTICES, tf.zeros([8, 3]))
    with pytest.raises(TypeError, match=r"^vertex_positions must have dtype float32, got float64$"):
        sampler.area_weighted_random_sample_triangle_mesh(tf.ones([6, 3]), FACES, 4, vertex_positions=VERTICES)
    faces64 = FACES.astype(np.int64)
    np.testing.assert_allclose(measures.face_areas(VERTICES, faces64), measures.face_areas(VERTICES, FACES))
    np.testing.assert_allclose(
        measures.face_areas(VERTICES, FACES.astype(np.uint8)), measures.face_areas(VERTICES, FACES)
    )


def test_bad_shapes_found_at_run_time_name_the_argument():
    graph = tf.function(
        measures.face_areas,
        input_signature=[tf.TensorSpec([None, None], tf.float64), tf.TensorSpec([None, None], tf.int32)],
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"faces must have shape \[A1, \.\.\., An, F, 3\]"):
        graph(VERTICES, FACES[:, :2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"vertices must have shape \[A1, \.\.\., An, V, 3\]"):
        graph(VERTICES[:, :2], FACES)
    batched = tf.function(
        measures.face_areas,
        input_signature=[tf.TensorSpec([None, 6, 3], tf.float64), tf.TensorSpec([None, 8, 3], tf.int32)],
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"batch dimensions .* of vertices and faces"):
        batched(np.stack([VERTICES] * 2), np.stack([FACES] * 3))


def test_name_scopes_follow_the_name_argument():
    graph = tf.function(lambda v: normals.vertex_normals(v, FACES, name="my_normals"))
    concrete = graph.get_concrete_function(tf.TensorSpec([None, 6, 3]))
    assert any(op.name.startswith("my_normals/") for op in concrete.graph.get_operations())
    default = tf.function(lambda a, b: distances.chamfer_distance(a, b)).get_concrete_function(
        tf.TensorSpec([None, 3]), tf.TensorSpec([None, 3])
    )
    assert any(op.name.startswith("mesh_chamfer_distance/") for op in default.graph.get_operations())

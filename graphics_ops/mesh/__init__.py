"""Triangle meshes: normals, areas, surface sampling, edges, Laplacians, point-set distances, loading.

Vertices are `[A1, ..., An, V, 3]` float tensors and faces `[A1, ..., An, F, 3]` integer tensors
of vertex indices, wound counterclockwise seen from outside; the batch dimensions broadcast, so
faces `[F, 3]` are shared by a batch of vertex sets. Ops whose output structure depends on the
faces (`edges`, `laplacian.uniform`, `laplacian.cotangent`) take unbatched faces `[F, 3]` (or
polygons `[F, M]` where their docstrings say so).

Modules follow TensorFlow Graphics where it has them: `triangle` (`geometry.representation.triangle`),
`normals` and `sampler` (`geometry.representation.mesh`), `distances` (`nn.loss.chamfer_distance`
and `hausdorff_distance`), `edges` (also `mesh.utils`: `extract_unique_edges_from_triangular_mesh`,
`get_degree_based_edge_weights`), `deformation_energy` (`geometry.deformation_energy`).
Beyond it: angle-weighted vertex normals, `measures`, `edges`,
`laplacian` (uniform and cotangent, sparse), tiled distances, and `io.load` (through trimesh).

Every op takes float32 or float64, runs eagerly, in `tf.function` with unknown batch dimensions,
and under `jit_compile=True`, except `edges.unique_edges` (and
`edges.extract_unique_edges_from_triangular_mesh`), `laplacian.uniform` and
`laplacian.cotangent` (their output sizes depend on the values of `faces`) and `io.load` (not a
TensorFlow op). Degenerate triangles and zero-length normals give finite values and gradients.
The ops have no Python control flow that depends on tensor values, so they are marked
`tf.autograph.experimental.do_not_convert`: `tf.function` traces them without AutoGraph's source
transformation, which otherwise costs up to seconds on the first trace.
"""

from graphics_ops.mesh import deformation_energy, distances, edges, io, laplacian, measures, normals, sampler, triangle

__all__ = [
    "deformation_energy",
    "distances",
    "edges",
    "io",
    "laplacian",
    "measures",
    "normals",
    "sampler",
    "triangle",
]

"""Networks that read meshes and point clouds: graph convolutions, pooling, neighbourhoods, Keras layers.

Modules, with TensorFlow Graphics' function names and arguments where it has them:

- `graph_convolution`: `feature_steered_convolution` (FeaStNet) and `edge_convolution_template`
  (TensorFlow Graphics' `geometry.convolution.graph_convolution`).
- `pooling`: `pool`, `unpool` and `upsample_transposed_convolution` between mesh resolutions
  (`geometry.convolution.graph_pooling`).
- `neighbourhood`: `adjacency_from_faces` (row-normalised, with self loops), k-nearest-neighbour
  graphs of point clouds (`k_nearest_neighbors`, `knn_graph`, searched in tiles), and
  `sparse_to_edges` / `edges_to_sparse` between the two forms of a neighbourhood.
- `layers`: Keras 3 layers (TensorFlow Graphics' `nn.layer`): `FeatureSteeredConvolutionKerasLayer`,
  `DynamicGraphConvolutionKerasLayer`, DGCNN's `EdgeConvKerasLayer` (k-NN graph rebuilt from the
  features), and PointNet's `PointNetConv2Layer`, `PointNetDenseLayer`, `VanillaEncoder`,
  `ClassificationHead` and `PointNetVanillaClassifier`; all serialisable, all `jit_compile`-able.
- `loss`: `chamfer_distance.evaluate` and `hausdorff_distance.evaluate` between point sets
  (`graphics_ops.mesh.distances` under TensorFlow Graphics' names).
- `metric`: `precision`, `recall`, `fscore` and `intersection_over_union`, each an `evaluate`.

Neighbourhoods come in two forms, accepted by every graph convolution:

- a `tf.sparse.SparseTensor` adjacency of dense shape `[A1, ..., An, V, V]` (TensorFlow Graphics'):
  entry (i, j) with value w_ij makes j a neighbour of i;
- a pair `(edges, weights)` of dense tensors: `edges` `[A1, ..., An, E, 2]` integer (i, j) pairs,
  `weights` `[A1, ..., An, E]` their w_ij. Rows [-1, -1] are padding (any weight; ignored), so
  graphs with different numbers of edges batch into one array. This is the form Keras layers
  take as inputs: Keras 3 models, `model.fit` (NumPy arrays or `tf.data`), `.keras` saving and
  XLA all handle dense tensors, while batched SparseTensor inputs are awkward there.

Batching: features are `[A1, ..., An, V, C]`. A SparseTensor has the same batch dimensions; the
edge pairs broadcast with them (one `[E, 2]` graph serves a batch of feature sets). Graphs of
different sizes are padded to one V, with `sizes` `[A1, ..., An]` giving each graph's real vertex
count: outputs of padded vertices are zero (TensorFlow Graphics' convention), and padded vertices
should have no edges. Internally every batch is one flat graph, the disjoint union of its graphs:
features are gathered at the edges' ends and messages summed (or maximised) into their receivers
with segment reductions, so memory grows with the number of edges, never with V², and no
SparseTensor is ever reshaped or densified (TensorFlow Graphics did both; its SparseReshape has no
GPU kernel).

`jit_compile`: the convolutions, every layer, the pooling ops (given a pooling map of static dense shape) and
the k-nearest-neighbour search compile with XLA. `adjacency_from_faces`, `sparse_to_edges` and
`edges_to_sparse` do not: their output sizes depend on the values of their inputs; build the
neighbourhoods once, outside the compiled step. Under XLA the run-time index checks are skipped
(XLA clamps out-of-range gathers instead of failing).

Errors name the argument: `TypeError` for wrong kinds or dtypes, `ValueError` for shapes known
while tracing, `tf.errors.InvalidArgumentError` for out-of-range indices and sizes known only at
run time. Vertices without neighbours are allowed and give finite outputs and gradients.
"""

from graphics_ops.nn import graph_convolution, layers, loss, metric, neighbourhood, pooling

__all__ = ["graph_convolution", "layers", "loss", "metric", "neighbourhood", "pooling"]

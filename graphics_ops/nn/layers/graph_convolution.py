"""Keras 3 layers of graph convolutions: FeaStNet, DGCNN's edge convolution, with given or k-NN graphs.

TensorFlow Graphics' `nn.layer.graph_convolution` layers, with the same names and constructor
arguments, rebuilt for Keras 3 (TensorFlow Graphics' own break there). They take their graph in
`inputs`, as dense tensors so that `model.fit`, `.keras` saving and `jit_compile` work:

    [data, edges, weights]          # [B, V, C] float, [B, E, 2] int, [B, E] float
    [data, edges, weights, sizes]   # and [B] int: real vertex counts of a padded batch

`edges` holds (i, j) pairs, vertex i receiving from vertex j, with rows [-1, -1] for padding, and
`weights` their w_ij (see `graphics_ops.nn`); `[data, neighbors]` or `[data, neighbors, sizes]` with
a `tf.sparse.SparseTensor` adjacency also works, eagerly and in `tf.function`. `EdgeConvKerasLayer`
takes the features alone and builds its k-nearest-neighbour graph from them.

Every layer here supports `jit_compile` (`model.compile(jit_compile=True)`, Keras' default "auto"
on TensorFlow picks it when a GPU is present), trains under `model.fit`, and round-trips through
`model.save("m.keras")`.
"""

import keras
import tensorflow as tf

from graphics_ops.nn import graph_convolution, neighbourhood


def split_inputs(inputs):
    """`(data, neighbors, sizes)` from a layer's `inputs` list (see the module's notes)."""
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(inputs) in (2, 3) and isinstance(inputs[1], tf.sparse.SparseTensor):
        return inputs[0], inputs[1], inputs[2] if len(inputs) == 3 else None
    if len(inputs) in (3, 4):
        return inputs[0], (inputs[1], inputs[2]), inputs[3] if len(inputs) == 4 else None
    raise ValueError(
        "inputs must be [data, edges, weights], [data, edges, weights, sizes], [data, neighbors] or "
        f"[data, neighbors, sizes] with a tf.sparse.SparseTensor neighbors; got {len(inputs)} inputs"
    )


def data_channels(input_shape):
    """The channels C of the data `[B, V, C]`, from a layer's input shape (a list, or one shape)."""
    nested = isinstance(input_shape, (list, tuple)) and len(input_shape) and isinstance(input_shape[0], (list, tuple))
    shape = tuple(input_shape[0] if nested else input_shape)
    if not shape or shape[-1] is None:
        raise ValueError(f"data must have a known number of channels C in [B, V, C], got shape {shape}")
    return shape


@keras.saving.register_keras_serializable(package="graphics_ops")
class FeatureSteeredConvolutionKerasLayer(keras.layers.Layer):
    """FeaStNet's graph convolution (`graph_convolution.feature_steered_convolution`) as a Keras layer."""

    def __init__(
        self,
        translation_invariant=True,
        num_weight_matrices=8,
        num_output_channels=None,
        initializer=None,
        name=None,
        **kwargs,
    ):
        """Initializes the layer.

        Args:
          translation_invariant: Whether the assignment of edges to weight matrices depends on
            x_j - x_i only (u = -v); then the layer has no `var_u`.
          num_weight_matrices: W, the number of weight matrices.
          num_output_channels: D; None for as many as the input has.
          initializer: An initializer (or its name or config) for every variable; None for a
            truncated normal of standard deviation 0.1, TensorFlow Graphics' default.
          name: A name for this layer.
          **kwargs: Further arguments of `keras.layers.Layer` (e.g. `dtype`).
        """
        super().__init__(name=name, **kwargs)
        self.translation_invariant = bool(translation_invariant)
        self.num_weight_matrices = int(num_weight_matrices)
        self.num_output_channels = None if num_output_channels is None else int(num_output_channels)
        self.initializer = keras.initializers.get(initializer or keras.initializers.TruncatedNormal(stddev=0.1))

    def build(self, input_shape):
        """Creates `var_u` (unless translation invariant), `var_v`, `var_c`, `var_w` and `var_b`."""
        channels = data_channels(input_shape)[-1]
        weights, outputs = self.num_weight_matrices, self._outputs(channels)

        def variable(name, shape):
            return self.add_weight(name=name, shape=shape, initializer=self.initializer)

        if not self.translation_invariant:
            self.var_u = variable("var_u", (channels, weights))
        self.var_v = variable("var_v", (channels, weights))
        self.var_c = variable("var_c", (weights,))
        self.var_w = variable("var_w", (weights, channels, outputs))
        self.var_b = variable("var_b", (outputs,))

    def call(self, inputs):
        """`inputs` as in the module's notes; returns `[B, V, D]`."""
        data, neighbors, sizes = split_inputs(inputs)
        var_v = tf.convert_to_tensor(self.var_v)
        var_u = -var_v if self.translation_invariant else tf.convert_to_tensor(self.var_u)
        return graph_convolution.feature_steered_convolution(
            data, neighbors, sizes, var_u, var_v, self.var_c, self.var_w, self.var_b
        )

    def compute_output_shape(self, input_shape):
        shape = data_channels(input_shape)
        return shape[:-1] + (self._outputs(shape[-1]),)

    def get_config(self):
        return {
            **super().get_config(),
            "translation_invariant": self.translation_invariant,
            "num_weight_matrices": self.num_weight_matrices,
            "num_output_channels": self.num_output_channels,
            "initializer": keras.initializers.serialize(self.initializer),
        }

    def _outputs(self, channels):
        return channels if self.num_output_channels is None else self.num_output_channels


@keras.saving.register_keras_serializable(package="graphics_ops")
class DynamicGraphConvolutionKerasLayer(keras.layers.Layer):
    """DGCNN's edge convolution (Wang et al., 2019) over given neighbourhoods.

    Each edge (i, j) carries h(x_i, x_j - x_i) = activation([x_i, x_j - x_i] K + b), a dense layer
    on the concatenation; each vertex reduces its edges' messages by the weighted sum or the max
    (`graph_convolution.edge_convolution_template`). Neighbourhoods may have any size; for the
    paper's k-nearest-neighbour graph rebuilt from the features, use `EdgeConvKerasLayer`.
    """

    def __init__(
        self,
        num_output_channels,
        reduction,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        name=None,
        **kwargs,
    ):
        """Initializes the layer.

        Args:
          num_output_channels: D, the channels of the output.
          reduction: "weighted" or "max" (see `edge_convolution_template`).
          activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, kernel_constraint, bias_constraint: as for `keras.layers.Dense`,
            applied to each edge's message before the reduction.
          activity_regularizer: A regularizer of the layer's output.
          name: A name for this layer.
          **kwargs: Further arguments of `keras.layers.Layer`.
        """
        if reduction not in graph_convolution.REDUCTIONS:
            raise ValueError(f"reduction must be one of {graph_convolution.REDUCTIONS}, got {reduction!r}")
        super().__init__(name=name, activity_regularizer=activity_regularizer, **kwargs)
        self.num_output_channels = int(num_output_channels)
        self.reduction = reduction
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)

    def build(self, input_shape):
        """Creates the kernel `[2 C, D]` and the bias `[D]`."""
        channels = data_channels(input_shape)[-1]
        self.kernel = self.add_weight(
            name="kernel",
            shape=(2 * channels, self.num_output_channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.num_output_channels,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs):
        """`inputs` as in the module's notes; returns `[B, V, D]`."""
        data, neighbors, sizes = split_inputs(inputs)
        return graph_convolution.edge_convolution_template(
            data, neighbors, sizes, self._edge_function, self.reduction, None
        )

    def _edge_function(self, receivers, senders):
        messages = tf.matmul(tf.concat([receivers, senders - receivers], axis=-1), self.kernel)
        if self.use_bias:
            messages += self.bias
        return self.activation(messages)

    def compute_output_shape(self, input_shape):
        return data_channels(input_shape)[:-1] + (self.num_output_channels,)

    def get_config(self):
        return {
            **super().get_config(),
            "num_output_channels": self.num_output_channels,
            "reduction": self.reduction,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
        }


@keras.saving.register_keras_serializable(package="graphics_ops")
class EdgeConvKerasLayer(DynamicGraphConvolutionKerasLayer):
    """DGCNN's EdgeConv: a max edge convolution over the k nearest neighbours in feature space.

    The graph is rebuilt from the layer's input features at every call
    (`neighbourhood.knn_graph`), so deeper layers group points by learned similarity (the paper's
    dynamic graph). Takes a dense batch of point features `[B, N, C]` (no padding) and returns
    `[B, N, D]`. The neighbour search is not differentiated; the messages are.
    """

    def __init__(
        self, num_output_channels, k=20, include_self=True, chunk_size=neighbourhood.DEFAULT_CHUNK_SIZE, **kwargs
    ):
        """Initializes the layer.

        Args:
          num_output_channels: D, the channels of the output.
          k: The number of neighbours of each point (at most N).
          include_self: Whether a point is among its own neighbours (its edge then carries
            h(x_i, 0)), as in the paper's code.
          chunk_size: Rows per tile of the neighbour search (see `neighbourhood`).
          **kwargs: The other arguments of `DynamicGraphConvolutionKerasLayer`; `reduction`
            defaults to "max", the paper's.
        """
        kwargs.setdefault("reduction", "max")
        super().__init__(num_output_channels, **kwargs)
        self.k, self.include_self, self.chunk_size = int(k), bool(include_self), int(chunk_size)

    def call(self, inputs):
        """Point features `[B, N, C]` to `[B, N, D]`."""
        edges, weights = neighbourhood.knn_graph(
            inputs, self.k, include_self=self.include_self, chunk_size=self.chunk_size
        )
        return super().call([inputs, edges, weights])

    def get_config(self):
        return {**super().get_config(), "k": self.k, "include_self": self.include_self, "chunk_size": self.chunk_size}

"""PointNet's vanilla classifier (Qi et al., CVPR 2017) as Keras 3 layers.

TensorFlow Graphics' `nn.layer.pointnet`, with the same classes and constructor arguments: shared
per-point layers (a 1 × 1 convolution, batch normalisation, ReLU), a max over the points, and a
classification head. Shapes: B point sets of N points of D coordinates, C channels. The layers
support `jit_compile` and round-trip through `.keras` files.
"""

import keras
import tensorflow as tf


class _LinearNormRelu(keras.layers.Layer):
    """A linear layer, then batch normalisation, then ReLU (the order of the paper's code).

    Args:
      channels: C, the number of output features.
      momentum: The momentum of the batch normalisation.
    """

    def __init__(self, channels, momentum, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.momentum = int(channels), float(momentum)
        self.linear = self._linear()
        self.norm = keras.layers.BatchNormalization(momentum=self.momentum, dtype=self.dtype_policy)

    def build(self, input_shape):
        self.linear.build(input_shape)
        self.norm.build(tuple(input_shape[:-1]) + (self.channels,))

    def call(self, inputs, training=None):
        return tf.nn.relu(self.norm(self.linear(inputs), training=training))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.channels,)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "momentum": self.momentum}


@keras.saving.register_keras_serializable(package="graphics_ops")
class PointNetConv2Layer(_LinearNormRelu):
    """The shared per-point layer of PointNet's encoder: `[B, N, 1, D]` to `[B, N, 1, C]`."""

    def _linear(self):
        return keras.layers.Conv2D(self.channels, (1, 1), dtype=self.dtype_policy)


@keras.saving.register_keras_serializable(package="graphics_ops")
class PointNetDenseLayer(_LinearNormRelu):
    """The fully connected layer of PointNet's classification head: `[B, D]` to `[B, C]`."""

    def _linear(self):
        return keras.layers.Dense(self.channels, dtype=self.dtype_policy)


@keras.saving.register_keras_serializable(package="graphics_ops")
class VanillaEncoder(keras.layers.Layer):
    """PointNet's encoder without spatial transformers: five shared layers (64, 64, 64, 128, 1024
    channels) and a max over the points, `[B, N, D]` to `[B, 1024]`."""

    CHANNELS = (64, 64, 64, 128, 1024)

    def __init__(self, momentum=0.5, **kwargs):
        """Args: momentum: The momentum of the batch normalisations."""
        super().__init__(**kwargs)
        self.momentum = float(momentum)
        self.convolutions = [
            PointNetConv2Layer(channels, self.momentum, dtype=self.dtype_policy) for channels in self.CHANNELS
        ]

    def build(self, input_shape):
        shape = tuple(input_shape[:-1]) + (1, input_shape[-1])
        for convolution in self.convolutions:
            convolution.build(shape)
            shape = convolution.compute_output_shape(shape)

    def call(self, inputs, training=None):
        features = inputs[..., None, :]
        for convolution in self.convolutions:
            features = convolution(features, training=training)
        return tf.reduce_max(features[..., 0, :], axis=-2)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-2]) + (self.CHANNELS[-1],)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum}


class _Classifier(keras.layers.Layer):
    """The arguments and config shared by the classifying layers."""

    def __init__(self, num_classes=40, momentum=0.5, dropout_rate=0.3, **kwargs):
        """Args: num_classes: The number of classes. momentum: Of the batch normalisations.
        dropout_rate: The dropout rate before the last layer."""
        super().__init__(**kwargs)
        self.num_classes, self.momentum, self.dropout_rate = int(num_classes), float(momentum), float(dropout_rate)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "momentum": self.momentum,
            "dropout_rate": self.dropout_rate,
        }


@keras.saving.register_keras_serializable(package="graphics_ops")
class ClassificationHead(_Classifier):
    """PointNet's classification head: dense layers of 512 and 256 channels, dropout, and a linear
    layer to the logits, `[B, D]` to `[B, num_classes]`."""

    def __init__(self, num_classes=40, momentum=0.5, dropout_rate=0.3, **kwargs):
        super().__init__(num_classes, momentum, dropout_rate, **kwargs)
        policy = self.dtype_policy
        self.hidden = [PointNetDenseLayer(channels, self.momentum, dtype=policy) for channels in (512, 256)]
        self.dropout = keras.layers.Dropout(self.dropout_rate, dtype=policy)
        self.logits = keras.layers.Dense(self.num_classes, dtype=policy)

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.hidden:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.logits.build(shape)

    def call(self, inputs, training=None):
        features = inputs
        for layer in self.hidden:
            features = layer(features, training=training)
        return self.logits(self.dropout(features, training=training))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.num_classes,)


@keras.saving.register_keras_serializable(package="graphics_ops")
class PointNetVanillaClassifier(_Classifier):
    """PointNet's vanilla classifier: `VanillaEncoder` then `ClassificationHead`, point sets
    `[B, N, D]` to logits `[B, num_classes]`. Arguments as for `ClassificationHead`."""

    def __init__(self, num_classes=40, momentum=0.5, dropout_rate=0.3, **kwargs):
        super().__init__(num_classes, momentum, dropout_rate, **kwargs)
        self.encoder = VanillaEncoder(self.momentum, dtype=self.dtype_policy)
        self.classifier = ClassificationHead(
            self.num_classes, self.momentum, self.dropout_rate, dtype=self.dtype_policy
        )

    def build(self, input_shape):
        self.encoder.build(input_shape)
        self.classifier.build(self.encoder.compute_output_shape(input_shape))

    def call(self, points, training=None):
        return self.classifier(self.encoder(points, training=training), training=training)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-2]) + (self.num_classes,)

    @staticmethod
    def loss(labels, logits):
        """The training loss: mean sparse softmax cross-entropy of `[B]` labels and `[B, K]` logits."""
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))

"""Keras 3 layers: graph convolutions on meshes and point clouds, and PointNet.

Importing this package registers every layer with `keras.saving`, so `.keras` files that use them
load with `keras.saving.load_model` and no `custom_objects`.
"""

from graphics_ops.nn.layers import graph_convolution, pointnet
from graphics_ops.nn.layers.graph_convolution import (
    DynamicGraphConvolutionKerasLayer,
    EdgeConvKerasLayer,
    FeatureSteeredConvolutionKerasLayer,
)
from graphics_ops.nn.layers.pointnet import (
    ClassificationHead,
    PointNetConv2Layer,
    PointNetDenseLayer,
    PointNetVanillaClassifier,
    VanillaEncoder,
)

__all__ = [
    "ClassificationHead",
    "DynamicGraphConvolutionKerasLayer",
    "EdgeConvKerasLayer",
    "FeatureSteeredConvolutionKerasLayer",
    "PointNetConv2Layer",
    "PointNetDenseLayer",
    "PointNetVanillaClassifier",
    "VanillaEncoder",
    "graph_convolution",
    "pointnet",
]

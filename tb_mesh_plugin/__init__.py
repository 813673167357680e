"""TensorBoard plugin for meshes and point clouds.

`tb_mesh_plugin.summary` writes summaries (it needs TensorFlow); the plugin itself
(`tb_mesh_plugin.plugin`) reads them through TensorBoard's data provider and needs no TensorFlow.
"""

__version__ = "0.1.0"

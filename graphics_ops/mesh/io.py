"""Loading triangle meshes from OBJ, PLY, OFF, STL and GLB/glTF files into tensors, through trimesh.

`load` reads a file with trimesh (imported on first use) without its "processing", so vertices
keep the file's order, with two exceptions made by the formats: STL stores each triangle's corners
separately, and they are merged by position so that triangles share vertices; OBJ files whose
faces index texture coordinates or normals separately get one vertex per distinct combination
(trimesh's behaviour). Polygons (quads, ...) are split into triangles by trimesh.

Scenes (GLB, glTF, and OBJ files with several objects) are flattened into one mesh: every mesh
instance of the scene is transformed by its node's transform into the scene's frame and the
instances are concatenated, in trimesh's order of the scene graph (`trimesh.Scene.to_mesh`).
Point clouds and lines in a scene are ignored; a file with no triangles at all is an error.

This is not a TensorFlow op: it runs in Python, outside `tf.function`.
"""

import os

import numpy as np
import tensorflow as tf

FORMATS = ("obj", "ply", "off", "stl", "glb", "gltf")


def load(path, return_vertex_colors=False):
    """Loads a triangle mesh from a file.

    Args:
      path: A path (str or `os.PathLike`) to an OBJ, PLY, OFF, STL, GLB or glTF file; the format is
        given by the extension.
      return_vertex_colors: A Python bool: whether to also return the vertex colours.

    Returns:
      A tuple `(vertices, faces)`: a float32 tensor of shape `[V, 3]` and an int32 tensor of shape
      `[F, 3]` of vertex indices (counterclockwise seen from outside in well-formed files); with
      `return_vertex_colors`, also a uint8 tensor of shape `[V, 4]` of RGBA colours, or None if
      the file has neither vertex nor face colours (face colours are spread to the vertices by
      trimesh; texture images are not sampled). In a scene where only some meshes have colours,
      the others get trimesh's default grey.

    Raises:
      ImportError: If trimesh is not installed (the `mesh` extra).
      FileNotFoundError: If there is no file at `path`.
      ValueError: If the file cannot be read (unknown format, corrupt data), or holds no
        triangles (empty, a point cloud, lines). The message names the file.
    """
    try:
        import trimesh  # noqa: PLC0415 (imported on first use: heavy, and only needed here)
    except ImportError as error:
        raise ImportError(
            "graphics_ops.mesh.io.load reads mesh files through trimesh, which is not installed: "
            "pip install 'tb-mesh-plugin[mesh]' (or pip install trimesh)"
        ) from error

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in FORMATS:
        raise ValueError(
            f"{path}: cannot load a mesh from a .{extension} file; supported formats: {', '.join(FORMATS)}"
        )
    try:
        loaded = trimesh.load(path, process=False)
    except Exception as error:  # trimesh's parsers raise many kinds of errors on bad data.
        raise ValueError(f"{path}: cannot read this {extension.upper()} file: {error}") from error

    mesh = _single_mesh(path, loaded, trimesh)
    if extension == "stl":
        mesh.merge_vertices()
    vertices = np.asarray(mesh.vertices, np.float64)
    faces = np.asarray(mesh.faces, np.int64)
    if faces.ndim != 2 or faces.shape[1] != 3 or len(faces) == 0:
        raise ValueError(f"{path}: contains no triangles")
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise ValueError(f"{path}: faces refer to vertices outside 0..{len(vertices) - 1}")
    if not np.all(np.isfinite(vertices)):
        raise ValueError(f"{path}: vertices are not all finite")
    result = (tf.constant(vertices, tf.float32), tf.constant(faces, tf.int32))
    if not return_vertex_colors:
        return result
    return result + (_vertex_colors(mesh),)


def _single_mesh(path, loaded, trimesh):
    """One `trimesh.Trimesh` from whatever trimesh loaded, or a ValueError naming the file."""
    if isinstance(loaded, trimesh.Scene):
        meshes = [geometry for geometry in loaded.geometry.values() if isinstance(geometry, trimesh.Trimesh)]
        if not meshes:
            kinds = sorted({type(geometry).__name__ for geometry in loaded.geometry.values()})
            what = f"only {', '.join(kinds)}" if kinds else "no geometry at all"
            raise ValueError(f"{path}: contains no triangle mesh ({what})")
        if len(loaded.geometry) > len(meshes):
            loaded = loaded.copy()
            for name, geometry in list(loaded.geometry.items()):
                if not isinstance(geometry, trimesh.Trimesh):
                    loaded.delete_geometry(name)
        loaded = loaded.to_mesh()
    if isinstance(loaded, trimesh.PointCloud):
        raise ValueError(f"{path}: contains a point cloud of {len(loaded.vertices)} points, not a triangle mesh")
    if not isinstance(loaded, trimesh.Trimesh):
        raise ValueError(f"{path}: contains a {type(loaded).__name__}, not a triangle mesh")
    if len(loaded.faces) == 0:
        raise ValueError(f"{path}: contains no triangles ({len(loaded.vertices)} vertices)")
    return loaded


def _vertex_colors(mesh):
    if getattr(mesh.visual, "kind", None) not in ("vertex", "face"):
        return None
    colors = np.asarray(mesh.visual.vertex_colors, np.uint8)
    if colors.shape != (len(mesh.vertices), 4):
        return None
    return tf.constant(colors, tf.uint8)

"""graphics_ops.mesh.io.load: OBJ, PLY, OFF, STL and GLB files written by trimesh's exporters."""

import sys

import numpy as np
import pytest
import tensorflow as tf
import trimesh

from graphics_ops.mesh import io, normals
from tests.graphics_ops.mesh_testing import OCTAHEDRON_FACES, OCTAHEDRON_VERTICES

VERTICES = OCTAHEDRON_VERTICES * [1.0, 2.0, 3.0] + [0.25, -0.5, 4.0]
COLORS = np.array(
    [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [10, 20, 30, 255], [200, 100, 50, 255], [1, 2, 3, 255]],
    np.uint8,
)


def _mesh(colors=None, offset=0.0):
    mesh = trimesh.Trimesh(VERTICES + offset, OCTAHEDRON_FACES, process=False)
    if colors is not None:
        mesh.visual.vertex_colors = colors
    return mesh


def _triangles(vertices, faces):
    """The set of triangles as sorted tuples of rounded corner coordinates (independent of vertex order)."""
    corners = np.round(np.asarray(vertices, np.float64)[np.asarray(faces)], 5)
    return sorted(tuple(map(tuple, np.roll(face, -np.lexsort(face.T[::-1])[0], axis=0))) for face in corners)


@pytest.mark.parametrize("extension", ["obj", "ply", "off", "stl", "glb", "gltf"])
def test_formats_load_as_float32_vertices_and_int32_faces(tmp_path, extension):
    path = tmp_path / f"octahedron.{extension}"
    _mesh().export(path)
    vertices, faces = io.load(path)
    assert vertices.dtype == tf.float32 and faces.dtype == tf.int32
    assert vertices.shape == (6, 3) and faces.shape == (8, 3)
    assert _triangles(vertices, faces) == _triangles(VERTICES, OCTAHEDRON_FACES)
    if extension != "stl":  # STL has no shared vertices: they are merged, in trimesh's order.
        np.testing.assert_allclose(vertices, VERTICES, atol=1e-6)
        np.testing.assert_array_equal(faces, OCTAHEDRON_FACES)
    # The winding survives: the normals point outward.
    outward = normals.vertex_normals(vertices, faces).numpy()
    assert np.all(np.sum(outward * (vertices.numpy() - VERTICES.mean(0)), axis=-1) > 0)


@pytest.mark.parametrize("extension,alpha", [("ply", True), ("glb", True), ("obj", False)])
def test_vertex_colors(tmp_path, extension, alpha):
    path = tmp_path / f"colored.{extension}"
    colors = COLORS.copy()
    if alpha:
        colors[:, 3] = [255, 128, 64, 32, 16, 8]
    _mesh(colors).export(path)
    vertices, faces, loaded = io.load(path, return_vertex_colors=True)
    assert loaded.dtype == tf.uint8 and loaded.shape == (6, 4)
    np.testing.assert_array_equal(loaded[:, :3], colors[:, :3])
    np.testing.assert_array_equal(loaded[:, 3], colors[:, 3] if alpha else 255)


@pytest.mark.parametrize("extension", ["off", "stl", "ply"])
def test_files_without_colors_give_none(tmp_path, extension):
    path = tmp_path / f"plain.{extension}"
    _mesh().export(path)
    assert io.load(path, return_vertex_colors=True)[2] is None


def test_scenes_concatenate_their_meshes_in_the_scene_frame(tmp_path):
    scene = trimesh.Scene()
    scene.add_geometry(_mesh(COLORS), node_name="first", geom_name="first")
    scene.add_geometry(
        _mesh(),
        node_name="second",
        geom_name="second",
        transform=trimesh.transformations.translation_matrix([0, 0, 10]),
    )
    path = tmp_path / "scene.glb"
    scene.export(path)
    vertices, faces, colors = io.load(path, return_vertex_colors=True)
    assert vertices.shape == (12, 3) and faces.shape == (16, 3) and colors.shape == (12, 4)
    expected = _triangles(VERTICES, OCTAHEDRON_FACES) + _triangles(VERTICES + [0, 0, 10], OCTAHEDRON_FACES)
    assert _triangles(vertices, faces) == sorted(expected)


def test_quads_are_split_into_triangles(tmp_path):
    (tmp_path / "quad.obj").write_text("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n")
    (tmp_path / "quad.off").write_text("OFF\n4 1 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n4 0 1 2 3\n")
    for name in ("quad.obj", "quad.off"):
        vertices, faces = io.load(tmp_path / name)
        assert faces.shape == (2, 3)
        np.testing.assert_allclose(normals.vertex_normals(vertices, faces), [[0, 0, 1]] * 4, atol=1e-6)


def test_missing_file(tmp_path):
    path = tmp_path / "missing.obj"
    with pytest.raises(FileNotFoundError, match=rf"^{path}: no such file$"):
        io.load(path)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("mesh.xyz", b"1 2 3\n", r"cannot load a mesh from a \.xyz file; supported formats: obj, ply, off, stl"),
        ("garbage.ply", b"this is not a ply file", r"cannot read this PLY file"),
        ("garbage.glb", b"glTF\x02\x00\x00\x00garbage", r"cannot read this GLB file"),
        ("empty.obj", b"", r"contains no triangle mesh \(no geometry at all\)"),
        ("empty.stl", b"solid empty\nendsolid empty\n", r"contains no triangle mesh"),
        ("points.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\n", r"contains a point cloud of 3 points, not a triangle mesh"),
        ("lines.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nl 1 2 3\n", r"contains a point cloud of 3 points"),
    ],
)
def test_unreadable_files_name_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=rf"^{path}: {message}"):
        io.load(str(path))


def test_point_cloud_ply_is_an_error(tmp_path):
    path = tmp_path / "cloud.ply"
    trimesh.PointCloud(VERTICES).export(path)
    with pytest.raises(ValueError, match=rf"^{path}: contains a point cloud of 6 points"):
        io.load(path)


def test_glb_with_only_lines_is_an_error(tmp_path):
    scene = trimesh.Scene()
    scene.add_geometry(
        trimesh.load_path(np.array([[[0, 0, 0], [1, 0, 0]], [[1, 0, 0], [1, 1, 0]]], float)), geom_name="lines"
    )
    path = tmp_path / "lines.glb"
    scene.export(path)
    with pytest.raises(ValueError, match=rf"^{path}: contains no triangle mesh \(only Path3D\)$"):
        io.load(path)


def test_point_clouds_beside_meshes_in_a_scene_are_ignored(tmp_path):
    scene = trimesh.Scene()
    scene.add_geometry(trimesh.PointCloud(np.random.default_rng(0).normal(size=(5, 3))), geom_name="cloud")
    scene.add_geometry(_mesh(), geom_name="mesh")
    path = tmp_path / "mixed.glb"
    scene.export(path)
    vertices, faces = io.load(path)
    assert _triangles(vertices, faces) == _triangles(VERTICES, OCTAHEDRON_FACES)


def test_without_trimesh_the_error_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "octahedron.obj"
    _mesh().export(path)
    monkeypatch.setitem(sys.modules, "trimesh", None)  # any import of trimesh now fails
    with pytest.raises(ImportError, match=r"tb-mesh-plugin\[mesh\]"):
        io.load(path)

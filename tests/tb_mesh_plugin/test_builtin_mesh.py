"""Summaries of TensorBoard's built-in mesh plugin, listed and served by our routes in our wire format.

Written with `tensorboard.plugins.mesh.summary_v2.mesh`, as `torch.utils.tensorboard` and tensorboardX
`add_mesh` write them: one tensor summary per component under plugin name "mesh".
"""

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from tb_mesh_plugin import summary, wire
from tests.tb_mesh_plugin.logdir_reading import make_client

RNG = np.random.default_rng(8)
VERTICES = RNG.normal(size=(2, 900, 3)).astype(np.float32)
FACES = RNG.integers(0, 900, size=(2, 300, 3)).astype(np.int32)
COLORS = RNG.integers(0, 256, size=(2, 900, 3)).astype(np.uint8)
CONFIG = {"camera": {"cls": "PerspectiveCamera", "fov": 30}, "material": {"cls": "PointsMaterial", "size": 0.05}}
STEPS = range(0, 24, 2)  # 12 steps: more than the 10 TensorBoard keeps by default


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("logs")
    with tf.summary.create_file_writer(str(logdir / "torch")).as_default():
        for step in STEPS:
            mesh_summary.mesh(
                "scene/mesh", VERTICES + step, faces=FACES, colors=COLORS, step=step, description="<b>built-in</b>"
            )
            mesh_summary.mesh("scene/cloud", VERTICES[:1], config_dict=CONFIG, step=step)
            summary.point_cloud("scene/mesh", VERTICES[0], step=step)  # ours, with the built-in mesh's name
    return logdir


@pytest.fixture(scope="module")
def client(logdir):
    return make_client(logdir)


def test_built_in_meshes_are_listed_with_their_config_and_kept_steps(client):
    runs = client.get("/data/plugin/mesh3d/tags").get_json()["runs"]["torch"]
    cloud = runs["scene/cloud"]
    assert (cloud["source"], cloud["kind"], cloud["vertex_count"], cloud["samples"]) == ("mesh", "point_cloud", 900, 1)
    assert cloud["config"] == CONFIG and cloud["color_channels"] == 0
    # A mesh3d tag has the mesh's name: the built-in mesh is keyed by its vertex tag instead.
    assert runs["scene/mesh"]["source"] == "mesh3d"
    mesh = runs["scene/mesh_VERTEX"]
    assert (mesh["kind"], mesh["face_count"], mesh["color_channels"], mesh["samples"]) == ("mesh", 300, 3, 2)
    assert mesh["description"] == "<b>built-in</b>"
    assert len(mesh["steps"]) == 10 and mesh["steps"][-1]["step"] == 22 and mesh["max_step"] == 22
    assert mesh["sampling"] == {"limit": 10, "may_have_dropped": True, "keep_all_flag": "--samples_per_plugin=mesh=0"}


def test_a_built_in_step_is_served_in_our_wire_format_bit_exactly(client):
    step = 22
    response = client.get(
        "/data/plugin/mesh3d/builtin_mesh",
        query_string={"run": "torch", "tag": "scene/mesh_VERTEX", "step": step, "sample": 1},
    )
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    body = response.get_data()
    header, buffers = wire.decode(body)
    assert (header["kind"], header["step"], header["sample"], header["num_samples"]) == ("mesh", step, 1, 2)
    assert buffers["vertices"][:2] == ("float32", (900, 3))
    assert bytes(buffers["vertices"][2]) == (VERTICES[1] + step).astype("<f4").tobytes()
    assert buffers["faces"][:2] == ("uint32", (300, 3))
    np.testing.assert_array_equal(np.frombuffer(buffers["faces"][2], "<u4").reshape(300, 3), FACES[1])
    assert bytes(buffers["colors"][2]) == COLORS[1].tobytes()
    raw = VERTICES[1].nbytes + FACES[1].nbytes + COLORS[1].nbytes
    assert raw < len(body) <= raw + 512  # a header of a few hundred bytes


def test_keeping_every_step_of_built_in_meshes_is_a_sampling_hint_for_mesh(logdir):
    client = make_client(logdir, {"mesh": 0})
    mesh = client.get("/data/plugin/mesh3d/tags").get_json()["runs"]["torch"]["scene/mesh_VERTEX"]
    assert [s["step"] for s in mesh["steps"]] == list(STEPS)
    assert mesh["sampling"] == {
        "limit": None,
        "may_have_dropped": False,
        "keep_all_flag": "--samples_per_plugin=mesh=0",
    }
    response = client.get("/data/plugin/mesh3d/builtin_mesh?run=torch&tag=scene/mesh_VERTEX&step=0")
    assert response.status_code == 200


def test_a_preview_strides_the_vertices_and_drops_the_faces(client):
    query = {"run": "torch", "tag": "scene/mesh_VERTEX", "step": 20, "max_points": 100}
    header, buffers = wire.decode(client.get("/data/plugin/mesh3d/builtin_mesh", query_string=query).get_data())
    assert header["preview"] == {"stride": 9, "vertex_count": 900}
    assert set(buffers) == {"vertices", "colors"}
    np.testing.assert_array_equal(np.frombuffer(buffers["vertices"][2], "<f4").reshape(-1, 3), VERTICES[0, ::9] + 20)
    np.testing.assert_array_equal(np.frombuffer(buffers["colors"][2], "u1").reshape(-1, 3), COLORS[0, ::9])


@pytest.mark.parametrize(
    "query, code, message",
    [
        (
            {"run": "torch", "tag": "scene/nope", "step": 0},
            404,
            "no built-in mesh for run 'torch' and tag 'scene/nope'",
        ),
        ({"run": "torch", "tag": "scene/mesh", "step": 0}, 404, "no built-in mesh"),  # that key is the mesh3d tag
        ({"run": "torch", "tag": "scene/cloud", "step": 1}, 404, "step 1 of run 'torch'"),
        ({"run": "torch", "tag": "scene/cloud", "step": 22, "sample": 1}, 404, "sample 1 is out of range"),
        ({"run": "torch", "tag": "scene/cloud", "step": 22, "max_points": 0}, 400, "'max_points' must be at least 1"),
        ({"run": "torch", "tag": "scene/cloud", "step": "x"}, 400, "'step' must be an integer"),
    ],
)
def test_bad_built_in_requests_get_json_errors(client, query, code, message):
    response = client.get("/data/plugin/mesh3d/builtin_mesh", query_string=query)
    assert response.status_code == code and message in response.get_json()["error"]

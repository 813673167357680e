"""Writes `v3_logdir/` and the bodies the routes answered for it, with the code of commit e4c519d.

The logdir is kept in git as written then (stored format version 2 and 3 summaries, and built-in mesh
summaries); `test_v3_logdir.py` checks that later code still lists it and serves the same bytes. Run
it again only to make a NEW fixture: `python -m tests.tb_mesh_plugin.data.make_v3_logdir`.
"""

import json
import pathlib
import shutil

import numpy as np
import tensorflow as tf
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from tb_mesh_plugin import summary

HERE = pathlib.Path(__file__).resolve().parent
LOGDIR = HERE / "v3_logdir"
BODIES = HERE / "v3_bodies"
# (route, run, tag, step, sample, max_points) of every body kept in BODIES.
REQUESTS = [
    ("mesh", "plain", "tet", 0, 0, None),
    ("mesh", "plain", "tet", 1, 0, None),
    ("mesh", "plain", "tet", 1, 0, 2),
    ("mesh", "plain", "cloud", 0, 1, None),
    ("mesh", "plain", "edges", 0, 0, None),
    ("mesh", "quantized", "half", 0, 0, None),
    ("mesh", "quantized", "fixed", 0, 1, None),
    ("mesh", "quantized", "fixed", 0, 0, 3),
    ("builtin_mesh", "builtin", "shape", 0, 1, None),
]


def write_logdir(logdir):
    rng = np.random.default_rng(3)
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    faces = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]], np.int32)
    colors = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]], np.uint8)
    with tf.summary.create_file_writer(str(logdir / "plain")).as_default():
        for step in (0, 1):
            summary.mesh(
                "tet",
                vertices + step,
                faces,
                colors,
                attributes={"heat": np.arange(4, dtype=np.float32) * (step + 1), "flow": vertices - 0.5},
                face_attributes={"area": np.array([0.5, 0.5, 0.5, 0.87], np.float32)},
                step=step,
                description="a <b>tetrahedron</b>",
            )
        summary.point_cloud("cloud", rng.normal(size=(2, 5, 3)), colors=rng.uniform(size=(2, 5, 4)), step=0)
        summary.lines("edges", vertices, np.array([[0, 1], [1, 2], [2, 3]], np.int64), step=0)
    with tf.summary.create_file_writer(str(logdir / "quantized")).as_default():
        summary.mesh("half", vertices * 3, faces, face_colors=colors, quantize="float16", step=0)
        summary.point_cloud(
            "fixed",
            rng.normal(size=(2, 6, 3)),
            attributes={"id": np.arange(12).reshape(2, 6)},
            quantize="uint16",
            step=0,
        )
    with tf.summary.create_file_writer(str(logdir / "builtin")).as_default():
        mesh_summary.mesh(
            "shape",
            np.stack([vertices, vertices * 2]),
            faces=np.stack([faces, faces]),
            colors=np.stack([colors, colors]),
            config_dict={"camera": {"cls": "PerspectiveCamera", "fov": 40}},
            step=0,
        )


def body_name(request):
    route, run, tag, step, sample, max_points = request
    return f"{route}-{run}-{tag}-{step}-{sample}-{max_points}.bin"


def main():
    from tests.tb_mesh_plugin.logdir_reading import make_client

    shutil.rmtree(LOGDIR, ignore_errors=True)
    shutil.rmtree(BODIES, ignore_errors=True)
    write_logdir(LOGDIR)
    BODIES.mkdir()
    client = make_client(LOGDIR)
    tags = client.get("/data/plugin/mesh3d/tags").get_json()
    (BODIES / "tags.json").write_text(json.dumps(tags, indent=1, sort_keys=True) + "\n")
    for request in REQUESTS:
        route, run, tag, step, sample, max_points = request
        query = {"run": run, "tag": tag, "step": step, "sample": sample}
        if max_points is not None:
            query["max_points"] = max_points
        response = client.get(f"/data/plugin/mesh3d/{route}", query_string=query)
        assert response.status_code == 200, (request, response.get_data())
        (BODIES / body_name(request)).write_bytes(response.get_data())


if __name__ == "__main__":
    main()

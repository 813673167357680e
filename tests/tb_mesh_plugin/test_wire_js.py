"""The browser's decoder (frontend/src/wire.js, run in Node) reads what the plugin's `mesh` route sends."""

import json
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest
import tensorflow as tf

from tb_mesh_plugin import schema, summary
from tests.tb_mesh_plugin.logdir_reading import make_client

FRONTEND_WIRE = pathlib.Path(__file__).resolve().parents[2] / "frontend" / "src" / "wire.js"
# Decodes a body file with the frontend's decoder and prints the header and arrays as JSON.
DECODE_SCRIPT = """
import {readFileSync} from 'node:fs';
const {decodeMesh} = await import(process.argv[1]);
const bytes = readFileSync(process.argv[2]);
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
const {header, arrays} = decodeMesh(buffer);
const out = {header, arrays: {}};
for (const [name, a] of Object.entries(arrays)) {
  out.arrays[name] = {dtype: a.dtype, shape: a.shape, type: a.data.constructor.name, data: Array.from(a.data)};
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node():
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is needed to run the frontend's decoder")
        pytest.skip("node is not installed")
    return path


def decode_in_node(node, body, tmp_path):
    path = tmp_path / "body.bin"
    path.write_bytes(body)
    result = subprocess.run(
        [node, "--input-type=module", "-e", DECODE_SCRIPT, FRONTEND_WIRE.as_uri(), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("channels", [None, 3, 4])
def test_node_decodes_the_mesh_route_into_the_logged_arrays(node, tmp_path, channels):
    rng = np.random.default_rng(channels or 0)
    vertices = rng.normal(size=(301, 3)).astype(np.float32)  # 301 colour bytes per channel: unaligned lengths
    faces = rng.integers(0, 301, size=(97, 3)).astype(np.int32)
    colors = None if channels is None else rng.integers(0, 256, size=(301, channels)).astype(np.uint8)
    grad = rng.normal(size=(301, 3)).astype(np.float32)
    logdir = tmp_path / "logs"
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        summary.mesh("m", vertices, faces, colors, attributes={"grad": grad}, step=5)

    response = make_client(logdir).get("/data/plugin/mesh3d/mesh", query_string={"run": "run", "tag": "m", "step": 5})
    assert response.status_code == 200
    decoded = decode_in_node(node, response.get_data(), tmp_path)

    assert decoded["header"]["kind"] == "mesh" and decoded["header"]["step"] == 5
    arrays = decoded["arrays"]
    assert arrays["vertices"]["type"] == "Float32Array" and arrays["vertices"]["shape"] == [301, 3]
    np.testing.assert_array_equal(np.asarray(arrays["vertices"]["data"], np.float32), vertices.ravel())
    assert arrays["faces"]["type"] == "Uint32Array"
    np.testing.assert_array_equal(arrays["faces"]["data"], faces.ravel())
    [attribute] = decoded["header"]["attributes"]
    values = arrays[attribute["values"]]
    assert values["type"] == "Float32Array" and values["shape"] == [301, 3]
    np.testing.assert_array_equal(np.asarray(values["data"], np.float32), grad.ravel())
    assert arrays[attribute["ranges"]]["type"] == "Float32Array" and arrays[attribute["ranges"]]["shape"] == [4, 2]
    if colors is None:
        assert "colors" not in arrays
    else:
        assert arrays["colors"]["type"] == "Uint8Array" and arrays["colors"]["shape"] == [301, channels]
        np.testing.assert_array_equal(arrays["colors"]["data"], colors.ravel())


def test_node_and_the_server_agree_on_the_wire_dtypes(node):
    script = "const {ITEM_SIZES} = await import(process.argv[1]); console.log(JSON.stringify(ITEM_SIZES));"
    result = subprocess.run(
        [node, "--input-type=module", "-e", script, FRONTEND_WIRE.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == {name: dtype.item_size for name, dtype in schema.WIRE_DTYPES.items()}


@pytest.mark.parametrize("quantize", [None, "float16", "uint16"])
@pytest.mark.parametrize("max_points", [None, 50])
def test_node_accepts_every_kind_of_body_the_server_sends(node, tmp_path, quantize, max_points):
    """Quantised positions, per-face colours and attributes, lines, and previews pass the decoder's checks."""
    rng = np.random.default_rng(1)
    vertices = rng.normal(size=(120, 3)).astype(np.float32)
    faces = rng.integers(0, 120, size=(40, 3)).astype(np.int32)
    face_colors = rng.integers(0, 256, size=(40, 4)).astype(np.uint8)
    logdir = tmp_path / "logs"
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        summary.mesh(
            "mesh",
            vertices,
            faces,
            face_colors=face_colors,
            quantize=quantize,
            step=1,
            attributes={"x": vertices[:, 0]},
            face_attributes={"area": rng.random((40, 2)).astype(np.float32)},
        )
        summary.lines("lines", vertices, faces[:, :2], quantize=quantize, step=1)
    client = make_client(logdir)
    for tag, kind in (("mesh", "mesh"), ("lines", "lines")):
        query = {"run": "run", "tag": tag, "step": 1, **({"max_points": max_points} if max_points else {})}
        response = client.get("/data/plugin/mesh3d/mesh", query_string=query)
        assert response.status_code == 200
        decoded = decode_in_node(node, response.get_data(), tmp_path)
        assert decoded["header"]["kind"] == kind
        assert decoded["arrays"]["vertices"]["dtype"] == (quantize or "float32")
        assert ("preview" in decoded["header"]) == (max_points is not None)

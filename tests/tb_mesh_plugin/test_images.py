"""The `images` and `image` routes: TensorBoard image summaries for the scene cards' image strip."""

import io

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tb_mesh_plugin import images
from tests.tb_mesh_plugin.logdir_reading import make_client

STEPS = (0, 5, 10)


def _pixels(step, index):
    """A small RGB image whose colour encodes `step` and `index`."""
    return np.full((4, 6, 3), [step * 20, index * 100, 50], np.uint8)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("images")
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in STEPS:
            tf.summary.image("pose/render", np.stack([_pixels(step, 0), _pixels(step, 1)]), step=step, max_outputs=2)
        tf.summary.image("pose/target", _pixels(7, 0)[None], step=7, description="the target")
    return make_client(logdir)


def _decode(response):
    return np.asarray(Image.open(io.BytesIO(response.get_data())).convert("RGB"))


def test_images_lists_runs_tags_samples_and_kept_steps(client):
    response = client.get("/data/plugin/mesh3d/images")
    assert response.status_code == 200
    runs = response.get_json()["runs"]
    render, target = runs["train"]["pose/render"], runs["train"]["pose/target"]
    assert render["samples"] == 2 and [s["step"] for s in render["steps"]] == list(STEPS)
    assert target == {"description": "the target", "samples": 1, "steps": [target["steps"][0]]}
    assert target["steps"][0]["step"] == 7


@pytest.mark.parametrize(("step", "served"), [(0, 0), (5, 5), (7, 5), (9, 5), (10, 10), (100, 10)])
def test_image_serves_the_nearest_kept_step_at_or_before(client, step, served):
    query = {"run": "train", "tag": "pose/render", "step": step}
    response = client.get("/data/plugin/mesh3d/image", query_string=query)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["X-Mesh3d-Step"] == str(served)
    np.testing.assert_array_equal(_decode(response), _pixels(served, 0))


def test_an_image_revalidates_by_its_etag(client):
    def get(step, index=0, etag=None):
        query = {"run": "train", "tag": "pose/render", "step": step, "index": index}
        headers = {"If-None-Match": etag} if etag else {}
        return client.get("/data/plugin/mesh3d/image", query_string=query, headers=headers)

    first = get(5)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    # Any step served by the same kept step is the same image: the browser's copy is still good.
    again = get(7, etag=etag)
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert again.headers["X-Mesh3d-Step"] == "5"
    # Another kept step or another image of the batch is another entity.
    for other in (get(10, etag=etag), get(5, index=1, etag=etag)):
        assert other.status_code == 200 and other.headers["ETag"] != etag and other.get_data()


def test_image_serves_each_image_of_a_batch(client):
    query = {"run": "train", "tag": "pose/render", "step": 5, "index": 1}
    response = client.get("/data/plugin/mesh3d/image", query_string=query)
    np.testing.assert_array_equal(_decode(response), _pixels(5, 1))


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ({"tag": "pose/render", "step": "0"}, 400, "'run'"),
        ({"run": "train", "step": "0"}, 400, "'tag'"),
        ({"run": "train", "tag": "pose/render"}, 400, "'step'"),
        ({"run": "train", "tag": "pose/render", "step": "1.5"}, 400, "'step'"),
        ({"run": "train", "tag": "pose/render", "step": "0", "index": "x"}, 400, "'index'"),
        ({"run": "train", "tag": "pose/render", "step": "0", "index": "-1"}, 400, "'index'"),
        ({"run": "eval", "tag": "pose/render", "step": "0"}, 404, "'eval'"),
        ({"run": "train", "tag": "nope", "step": "0"}, 404, "'nope'"),
        ({"run": "train", "tag": "pose/target", "step": "6"}, 404, "at or before step 6"),
        ({"run": "train", "tag": "pose/render", "step": "5", "index": "2"}, 404, "image 2 is out of range"),
    ],
)
def test_bad_image_requests_get_json_errors(client, query, code, message):
    response = client.get("/data/plugin/mesh3d/image", query_string=query)
    assert response.status_code == code
    assert message in response.get_json()["error"]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"GIF89a..", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"hello", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_content_type_is_sniffed_from_the_bytes(data, kind):
    assert images.content_type(data) == kind


PARAMS = st.dictionaries(
    st.sampled_from(["run", "tag", "step", "index", "other"]),
    st.one_of(
        st.text(max_size=30),
        st.integers(-(2**80), 2**80).map(str),
        st.sampled_from(["train", "pose/render", "pose/target", "0", "1", "5", "7", "10"]),
    ),
)


@settings(max_examples=200, deadline=None)
@given(PARAMS, st.sampled_from(["image", "images"]))
def test_random_image_requests_never_produce_a_server_error(client, params, route):
    response = client.get(f"/data/plugin/mesh3d/{route}", query_string=params)
    assert response.status_code in (200, 400, 404)
    if response.status_code != 200:
        assert "error" in response.get_json()

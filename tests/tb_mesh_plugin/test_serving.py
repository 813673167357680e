"""Serving steps: the response cache, HTTP validators, stored checksums, strict integer parameters and
listings that survive one bad summary, through TensorBoard's WSGI app over real logdirs."""

import argparse
import json

import farmhash
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard import context as tb_context
from tensorboard import errors
from tensorboard.plugins.mesh import summary_v2 as mesh_summary
from tensorboard.util.grpc_util import ChannelCredsType

from demo import data_providers, tensorboard_process
from tb_mesh_plugin import plugin, storage, summary, wire
from tests.tb_mesh_plugin.event_file_editing import flip_byte_after
from tests.tb_mesh_plugin.logdir_reading import make_client
from tests.tb_mesh_plugin.test_plugin import summary_metadata_with_content

POINTS = np.random.default_rng(5).normal(size=(3, 400, 3)).astype(np.float32)
VERTICES = POINTS[0]
FACES = np.array([[0, 1, 2], [1, 2, 3]], np.int32)


def nested(depth):
    value = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("serving")
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in range(3):
            summary.point_cloud("points", POINTS[step], step=step)
        mesh_summary.mesh("deep", VERTICES[None], config_dict={"camera": nested(500)}, step=0)
        mesh_summary.mesh("fine", VERTICES[None], faces=FACES[None], step=0)
        tf.summary.write(
            "hostile",
            tf.constant([b"x"]),
            step=0,
            metadata=summary_metadata_with_content(
                json.dumps({"version": 2, "kind": "mesh", "vertex_count": nested(900)}).encode()
            ),
        )
    return logdir


@pytest.fixture(scope="module")
def client(logdir):
    return make_client(logdir)


def get(client, route="mesh", headers=None, **params):
    return client.get(f"/data/plugin/mesh3d/{route}", query_string=params, headers=headers or {})


def test_a_step_carries_a_validator_and_a_repeat_is_served_from_the_cache(client):
    first = get(client, run="train", tag="points", step=1)
    assert first.status_code == 200 and first.headers["X-Mesh3d-Cache"] == "miss"
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    second = get(client, run="train", tag="points", step=1)
    assert second.headers["X-Mesh3d-Cache"] == "hit" and second.headers["ETag"] == etag
    assert second.headers["Server-Timing"].startswith("mesh3d;dur=")
    assert second.get_data() == first.get_data()
    np.testing.assert_array_equal(
        np.frombuffer(wire.decode(second.get_data())[1]["vertices"][2], "<f4"), POINTS[1].ravel()
    )


def test_each_step_sample_and_preview_has_its_own_validator(client):
    etags = {
        get(client, run="train", tag="points", step=s, **extra).headers["ETag"]
        for s in range(3)
        for extra in ({}, {"max_points": 10}, {"max_points": 20})
    }
    etags.add(get(client, "builtin_mesh", run="train", tag="fine", step=0).headers["ETag"])
    assert len(etags) == 10


@pytest.mark.parametrize("route, tag", [("mesh", "points"), ("builtin_mesh", "fine")])
def test_a_matching_if_none_match_is_answered_304_without_a_body(client, route, tag):
    etag = get(client, route, run="train", tag=tag, step=0).headers["ETag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        response = get(client, route, headers={"If-None-Match": header}, run="train", tag=tag, step=0)
        assert response.status_code == 304 and response.get_data() == b"", header
        assert response.headers["ETag"] == etag and response.headers["Cache-Control"] == "private, no-cache"
    stale = get(client, route, headers={"If-None-Match": '"stale"'}, run="train", tag=tag, step=0)
    assert stale.status_code == 200 and wire.decode(stale.get_data())[0]["step"] == 0


@pytest.mark.parametrize("name", ["step", "sample", "max_points"])
@pytest.mark.parametrize("raw", ["1_0", "+1", "１", "١", "abc", "1.5", " 1", "1 ", "0x1", "", "1e3", "٣٠"])
def test_integer_parameters_accept_plain_ascii_decimal_only(client, name, raw):
    params = {"run": "train", "tag": "points", "step": "0", name: raw}
    response = get(client, **params)
    assert response.status_code == 400
    assert f"query parameter {name!r} must be an integer in plain decimal digits" in response.get_json()["error"]


def test_a_long_run_of_digits_is_out_of_range_not_an_error_of_the_server(client):
    response = get(client, run="train", tag="points", step="9" * 5000)
    assert response.status_code == 400 and "out of the int64 range" in response.get_json()["error"]


def test_one_summary_too_deep_to_list_costs_only_its_own_card(client):
    response = get(client, "tags")
    assert response.status_code == 200
    runs = response.get_json()["runs"]["train"]
    assert "nests deeper than 32 levels" in runs["deep"]["error"] and runs["deep"]["steps"] == []
    assert "error" in runs["hostile"] and runs["hostile"]["steps"] == []
    assert runs["fine"]["kind"] == "mesh" and len(runs["points"]["steps"]) == 3


def write_points(logdir, points, checksums=True, monkeypatch=None):
    if not checksums:
        monkeypatch.setattr(storage, "checksummed", lambda serialized: serialized)
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        summary.point_cloud("cloud", points, step=0)
    [events] = (logdir / "run").glob("events.out.tfevents.*")
    return events


def test_a_sample_whose_stored_bytes_changed_is_refused_not_served(tmp_path):
    events = write_points(tmp_path, VERTICES)
    flip_byte_after(events, VERTICES[100].tobytes())
    response = get(make_client(tmp_path), run="run", tag="cloud", step=0)
    assert response.status_code == 409
    body = response.get_json()
    assert body["reason"] == "corrupt" and "checksum does not match" in body["error"]


def test_a_sample_without_a_checksum_is_still_served(tmp_path, monkeypatch):
    # As written before checksums existed; the same damage then goes unnoticed (the reason for checksums).
    events = write_points(tmp_path, VERTICES, checksums=False, monkeypatch=monkeypatch)
    assert get(make_client(tmp_path), run="run", tag="cloud", step=0).status_code == 200
    flip_byte_after(events, VERTICES[100].tobytes())
    response = get(make_client(tmp_path), run="run", tag="cloud", step=0)
    served = np.frombuffer(wire.decode(response.get_data())[1]["vertices"][2], "<f4").reshape(-1, 3)
    assert response.status_code == 200 and not np.array_equal(served, VERTICES)


def test_a_checksummed_sample_round_trips_and_any_flipped_byte_is_caught():
    vertices = tf.constant(VERTICES[:50])
    blob = storage.checksummed(
        tf.io.serialize_tensor(tf.stack([tf.constant('{"x": 1}'), tf.io.serialize_tensor(vertices)]))
    )
    blob = blob.numpy()
    assert tf.io.parse_tensor(blob, tf.string).shape == [2]  # protobuf readers skip the checksum field
    assert storage._verified(blob) == blob[13:]
    for position in range(13, len(blob), 37):
        damaged = bytearray(blob)
        damaged[position] ^= 0x01
        with pytest.raises(storage.ChecksumMismatchError):
            storage._verified(bytes(damaged))
    with pytest.raises(storage.CorruptSampleError, match="neither a checksum"):
        storage._verified(b"\x00" + blob[1:])


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=3000), st.integers(0, 40))
def test_the_checksum_is_computed_on_a_view_of_the_blob_as_farmhash_computes_it(data, offset):
    assert storage._FINGERPRINT64(memoryview(data)[offset:]) == farmhash.fingerprint64(data[offset:])


def test_verifying_a_sample_does_not_copy_it():
    blob = storage.checksummed(tf.io.serialize_tensor(tf.constant(["{}", "x" * 1000]))).numpy()
    payload = storage._verified(blob)
    assert isinstance(payload, memoryview) and payload.obj is blob and payload == blob[13:]


def test_rustboard_blobs_joined_as_sent_equal_the_data_providers_own(tmp_path):
    points = np.random.default_rng(6).normal(size=(800_000, 3)).astype(np.float32)  # 9.6 MB: two messages
    write_points(tmp_path, points)
    ctx = tb_context.RequestContext()
    with data_providers.rustboard_data_provider(tmp_path, {"mesh3d": 0}) as provider:

        def blob_key():
            data = provider.read_blob_sequences(ctx, experiment_id="", plugin_name="mesh3d", downsample=10)
            return data.get("run", {}).get("cloud", [None])[0] and data["run"]["cloud"][0].values[0].blob_key

        key = tensorboard_process.wait_until(blob_key, 60, "RustBoard to load the step")
        read_blob = plugin._rustboard_blob_reader(provider, argparse.Namespace(grpc_creds_type=ChannelCredsType.LOCAL))
        blob = read_blob(key)
        assert blob == provider.read_blob(ctx, blob_key=key) and isinstance(blob, bytes)
        served = np.frombuffer(storage.decode_sample(blob).arrays["vertices"].data, "<f4")
        np.testing.assert_array_equal(served, points.ravel())
        with pytest.raises(errors.InvalidArgumentError):
            read_blob("not a blob key")
    assert plugin._rustboard_blob_reader(provider, argparse.Namespace()) is None

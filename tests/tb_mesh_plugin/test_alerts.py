"""The `alerts` route: alerts written by `trace.record`, served through TensorBoard's WSGI app."""

import numpy as np
import pytest
import tensorflow as tf

from tests.tb_mesh_plugin import test_trace
from tests.tb_mesh_plugin.logdir_reading import make_client


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("alerts")
    colors = test_trace.COLORS.copy()
    colors[0, 0] = np.inf
    test_trace.write(logdir / "nan", lambda: [test_trace.traced_step(s, tf.constant(0.3), colors) for s in (2, 4)])
    test_trace.write(logdir / "fine", lambda: test_trace.traced_step(0, tf.constant(0.3)))
    # A text summary of the same tag that is not a table of (field, value) rows is skipped.
    test_trace.write(logdir / "other", lambda: tf.summary.text("trace/alerts", "not an alert", step=0))
    return make_client(logdir)


def test_alerts_lists_each_alert_with_its_op_tag_and_inputs(client):
    response = client.get("/data/plugin/mesh3d/alerts")
    assert response.status_code == 200
    alerts = response.get_json()["alerts"]
    assert [(alert["run"], alert["step"]) for alert in alerts] == [("nan", 2), ("nan", 4)]
    assert alerts[0]["op"] == "graphics_ops.rendering.interpolation.interpolate"
    assert alerts[0]["tag"] == "trace/interpolate" and alerts[0]["found_in"] == "output"
    assert alerts[0]["inputs"].startswith("attributes: ") and alerts[0]["wall_time"] > 0
    assert client.get("/data/plugin/mesh3d/alerts?run=nan").get_json()["alerts"] == alerts
    assert client.get("/data/plugin/mesh3d/alerts?run=fine").status_code == 404


@pytest.mark.parametrize("query", ["run=", "run=nan&run=fine", "run=unknown"])
def test_bad_alert_requests_get_json_errors(client, query):
    response = client.get(f"/data/plugin/mesh3d/alerts?{query}")
    assert response.status_code in (400, 404) and "error" in response.get_json()

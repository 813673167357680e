"""The 3D tab hears TensorBoard's reload (its plugin IPC 'experimental.DataReloaded') and lists the tags again."""

import numpy as np
import tensorflow as tf
from playwright.sync_api import expect

from tb_mesh_plugin import summary
from tests.e2e.dashboard_page import open_tab
from tests.e2e.tensorboard_process import tensorboard, wait_until

TIMEOUT_MS = 60_000


def _write_cloud(logdir, run, tag):
    points = np.random.default_rng(0).normal(size=(100, 3)).astype(np.float32)
    with tf.summary.create_file_writer(str(logdir / run)).as_default():
        summary.point_cloud(tag, points, step=0)


def test_the_reload_button_makes_the_tab_list_tags_again(page, tmp_path):
    logdir = tmp_path / "logs"
    _write_cloud(logdir, "first", "cloud")
    with tensorboard(logdir, "--reload_interval=1") as url:
        frame = open_tab(page, url)
        expect(frame.locator(".mesh3d-card")).to_have_count(1, timeout=TIMEOUT_MS)
        root = frame.locator(".mesh3d-root")
        before = int(root.get_attribute("data-reloads") or 0)

        tags_requests = []
        page.on("request", lambda request: "/data/plugin/mesh3d/tags" in request.url and tags_requests.append(1))
        page.locator("app-header-reload button").click()
        wait_until(lambda: int(root.get_attribute("data-reloads") or 0) > before, 60, "the tab to hear the reload")

        _write_cloud(logdir, "second", "cloud")
        page.locator("app-header-reload button").click()
        expect(frame.locator(".mesh3d-card")).to_have_count(2, timeout=TIMEOUT_MS)
        assert tags_requests, "the reload listed no tags"

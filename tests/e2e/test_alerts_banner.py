"""The alerts banner in a real TensorBoard and headless Chromium: a traced step's NaN shows at the top, as text."""

import numpy as np
import tensorflow as tf
from playwright.sync_api import expect

from tests.e2e.dashboard_page import open_tab
from tests.e2e.tensorboard_process import tensorboard
from tests.tb_mesh_plugin import test_trace

TIMEOUT_MS = 60_000
RUN = "<b>nan</b>"  # markup in a run name must reach the page as text


def test_the_banner_shows_a_logged_alerts_op_and_tag_as_text(tmp_path, page):
    logdir = tmp_path / "logs"
    colors = test_trace.COLORS.copy()
    colors[1, 2] = np.nan
    test_trace.write(logdir / RUN, lambda: test_trace.traced_step(7, tf.constant(0.3), colors))
    with tensorboard(logdir) as url:
        frame = open_tab(page, url)
        banner = frame.locator(".mesh3d-alerts")
        expect(banner).to_contain_text("1 traced step produced NaN or Inf", timeout=TIMEOUT_MS)
        line = banner.locator("li")
        expect(line).to_contain_text(
            f"{RUN}, step 7: NaN/Inf first in the output of graphics_ops.rendering.interpolation.interpolate "
            "(tag trace/interpolate); inputs: attributes: "
        )
        assert line.evaluate("node => node.children.length") == 0  # text, no markup
        # The banner comes first, above the toolbar and the cards.
        assert banner.evaluate("node => node.parentElement.firstElementChild === node")

"""The self-supervised training run in the 3D tab: four held-out predictions, their d loss / d vertex
and the true poses as a ghost. A real (short) training run, a real TensorBoard, headless Chromium.

With SELF_SUPERVISED_LOGDIR=DIR (a logdir holding one run of `python -m demo.self_supervised`), the
view of that run is checked instead and saved as docs/images/self_supervised.png.
"""

import os
import pathlib
import shutil

import pytest
from playwright.sync_api import expect

from demo.self_supervised import run
from tests.e2e.dashboard_page import fraction_differing, open_tab, view_pixels
from tests.e2e.tensorboard_process import tensorboard

TIMEOUT_MS = 60_000
DOCS_IMAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "images" / "self_supervised.png"


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    if os.environ.get("SELF_SUPERVISED_LOGDIR"):
        return pathlib.Path(os.environ["SELF_SUPERVISED_LOGDIR"])
    logdir = tmp_path_factory.mktemp("e2e-self-supervised") / "logs"
    run.train(
        str(logdir / "self_supervised"),
        steps=3,
        log_every=1,
        size=32,
        batch=8,
        hypotheses=2,
        train_images=16,
        held_out_images=4,
        progress=False,
    )
    return logdir


def test_predictions_gradients_and_true_pose_ghost_are_drawn(page, logdir, artifacts):
    with tensorboard(logdir, "--samples_per_plugin=mesh3d=0") as url:
        frame = open_tab(page, url)
        card = frame.locator('.mesh3d-card[data-tag="pose/predicted"]').first
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        logged_colours = view_pixels(card)
        card.locator(".mesh3d-color-by").select_option(label="grad_norm")
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        expect(card.locator(".mesh3d-legend-title")).to_have_text("grad_norm", timeout=TIMEOUT_MS)
        coloured = view_pixels(card)
        assert fraction_differing(logged_colours, coloured) > 0.01, "colouring by grad_norm changed nothing"
        card.locator(".mesh3d-ghost").select_option(label="pose/true")
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        expect(card).to_have_attribute("data-ghost-step", card.get_attribute("data-step"), timeout=TIMEOUT_MS)
        assert fraction_differing(coloured, view_pixels(card), threshold=12) > 0.005, "no true-pose ghost"
        page.screenshot(path=str(artifacts / "self-supervised.png"))
        if os.environ.get("SELF_SUPERVISED_LOGDIR"):
            shutil.copyfile(artifacts / "self-supervised.png", DOCS_IMAGE)

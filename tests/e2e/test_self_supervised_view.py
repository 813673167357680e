"""The self-supervised training run in the 3D tab: four held-out predictions, their d loss / d vertex
and the true poses as a ghost. A real (short) training run, a real TensorBoard, headless Chromium.

With SELF_SUPERVISED_LOGDIR=DIR (a logdir holding one run of `python -m demo.self_supervised`), that
run is checked instead, and its scene card saved as docs/images/self_supervised.png.
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


def test_the_run_as_a_scene_shows_prediction_truth_and_images_side_by_side(page, logdir, artifacts):
    with tensorboard(logdir, "--samples_per_plugin=mesh3d=0,images=0") as url:
        frame = open_tab(page, url)
        frame.locator(".mesh3d-grouping").select_option("parent")
        scene = frame.locator('.mesh3d-scene[data-scene="pose"]').first
        scene.locator(".mesh3d-view").scroll_into_view_if_needed(timeout=TIMEOUT_MS)
        expect(scene).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        layers = scene.locator(".mesh3d-layer")
        expect(layers).to_have_count(2, timeout=TIMEOUT_MS)
        assert sorted(layers.evaluate_all("rows => rows.map((row) => row.dataset.tag)")) == [
            "pose/predicted",
            "pose/true",
        ]
        strip = scene.locator(".mesh3d-images")
        expect(strip).to_have_attribute("data-step", scene.get_attribute("data-step"), timeout=TIMEOUT_MS)
        image = strip.locator('.mesh3d-image[data-tag="pose/input_render_difference"] img').first
        expect(image).to_be_visible(timeout=TIMEOUT_MS)
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        both = view_pixels(scene)
        scene.locator('.mesh3d-layer[data-tag="pose/true"] .mesh3d-layer-visible').uncheck()
        expect(scene).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        assert fraction_differing(both, view_pixels(scene), threshold=12) > 0.002, (
            "hiding the true poses changed nothing"
        )
        scene.locator('.mesh3d-layer[data-tag="pose/true"] .mesh3d-layer-visible').check()
        expect(scene).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        scene.screenshot(path=str(artifacts / "self-supervised-scene.png"))
        if os.environ.get("SELF_SUPERVISED_LOGDIR"):
            shutil.copyfile(artifacts / "self-supervised-scene.png", DOCS_IMAGE)

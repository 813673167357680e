"""The pose-fitting demo's run in the 3D tab: its gradient colormap, legend, arrows and target ghost, and
the run as a scene card (estimate, target and camera in one view, the renders beside it).

A real (short) fit written by demo.pose_fit, a real TensorBoard process, headless Chromium. With
POSE_FIT_LOGDIR=DIR (a logdir holding one run of `python -m demo.pose_fit`), that run is checked instead,
and its scene card saved as docs/images/pose_fit_scene.png.
"""

import os
import pathlib
import shutil

import numpy as np
import pytest
from playwright.sync_api import expect

from demo import pose_fit
from tests.e2e.dashboard_page import fraction_differing, open_tab, view_pixels
from tests.e2e.tensorboard_process import tensorboard
from tests.tb_mesh_plugin.logdir_reading import read_logdir

STEPS = 3
TIMEOUT_MS = 60_000
DOCS_IMAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "images" / "pose_fit_scene.png"


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    if os.environ.get("POSE_FIT_LOGDIR"):
        return pathlib.Path(os.environ["POSE_FIT_LOGDIR"])
    logdir = tmp_path_factory.mktemp("e2e-pose-fit") / "logs"
    pose_fit.run(str(logdir / "pose_fit"), seed=0, steps=STEPS, size=48, progress=False)
    return logdir


def _stored_range(logdir, attribute):
    """The (min, max) magnitude range stored with the last step of pose/estimate."""
    _, steps = read_logdir(logdir)[("pose_fit", "pose/estimate")]
    [sample] = steps[-1][1]
    ranges = np.frombuffer(sample.arrays[f"attribute_range/{attribute}"].data, "<f4").reshape(-1, 2)
    return ranges[-1]


def test_the_gradient_colormap_legend_arrows_and_target_ghost_are_drawn(page, logdir, artifacts):
    with tensorboard(logdir, "--samples_per_plugin=mesh3d=0") as url:
        frame = open_tab(page, url)
        card = frame.locator('.mesh3d-card[data-tag="pose/estimate"]')
        expect(card).to_have_attribute("data-step", str(STEPS - 1), timeout=TIMEOUT_MS)
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        expect(frame.locator('.mesh3d-card[data-tag="pose/camera"]')).to_have_attribute(
            "data-state", "ready", timeout=TIMEOUT_MS
        )
        logged_colours = view_pixels(card)

        card.locator(".mesh3d-color-by").select_option(label="grad_norm")
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        legend = card.locator(".mesh3d-legend")
        expect(legend.locator(".mesh3d-legend-title")).to_have_text("grad_norm", timeout=TIMEOUT_MS)
        low, high = _stored_range(logdir, "grad_norm")
        assert float(legend.locator(".mesh3d-legend-min").inner_text()) == pytest.approx(low, rel=0.01, abs=1e-12)
        assert float(legend.locator(".mesh3d-legend-max").inner_text()) == pytest.approx(high, rel=0.01)
        coloured = view_pixels(card)
        assert fraction_differing(logged_colours, coloured) > 0.02, "colouring by grad_norm changed nothing"

        card.locator(".mesh3d-arrows").select_option(label="grad")
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        card.locator(".mesh3d-arrow-length").fill("1")
        expect(card.locator(".mesh3d-arrow-factor")).to_have_text("×10", timeout=TIMEOUT_MS)
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        with_arrows = view_pixels(card)
        assert fraction_differing(coloured, with_arrows) > 0.002, "the gradient arrows are not drawn"

        card.locator(".mesh3d-ghost").select_option(label="pose/target")
        expect(card).to_have_attribute("data-ghost-step", "0", timeout=TIMEOUT_MS)
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        assert fraction_differing(with_arrows, view_pixels(card), threshold=12) > 0.01, "no target ghost"
        page.screenshot(path=str(artifacts / "pose-fit.png"))


def test_the_fit_as_a_scene_shows_estimate_target_camera_and_renders_side_by_side(page, logdir, artifacts):
    with tensorboard(logdir, "--samples_per_plugin=mesh3d=0,images=0") as url:
        frame = open_tab(page, url)
        frame.locator(".mesh3d-grouping").select_option("parent")
        scene = frame.locator('.mesh3d-scene[data-scene="pose"]').first
        scene.locator(".mesh3d-view").scroll_into_view_if_needed(timeout=TIMEOUT_MS)
        expect(scene).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        tags = scene.locator(".mesh3d-layer").evaluate_all("rows => rows.map((row) => row.dataset.tag)")
        assert sorted(tags) == ["pose/camera", "pose/estimate", "pose/target"]
        strip = scene.locator(".mesh3d-images")
        expect(strip).to_have_attribute("data-step", scene.get_attribute("data-step"), timeout=TIMEOUT_MS)
        for tag in ("pose/render", "pose/target_image", "pose/difference"):
            image = strip.locator(f'.mesh3d-image[data-tag="{tag}"] img').first
            expect(image).to_be_visible(timeout=TIMEOUT_MS)
            page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        scene.screenshot(path=str(artifacts / "pose-fit-scene.png"))
        if os.environ.get("POSE_FIT_LOGDIR"):
            shutil.copyfile(artifacts / "pose-fit-scene.png", DOCS_IMAGE)

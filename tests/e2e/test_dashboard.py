"""The 3D tab in a real TensorBoard, in headless Chromium, with both of TensorBoard's loaders."""

import numpy as np
import pytest
import tensorflow as tf
from playwright.sync_api import expect

from demo import sample_logdir
from demo.sample_logdir import spiral_galaxy, twisted_torus
from tb_mesh_plugin import summary
from tests.e2e.dashboard_page import fraction_differing, open_tab, view_pixels
from tests.e2e.tensorboard_process import tensorboard

STEPS = [0, 1, 2, 3]
HOSTILE_TAG = "shapes/<img src=x onerror=window.__xss=1>"
HOSTILE_DESCRIPTION = "<script>window.__xss=1</script><b>bold?</b>"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("e2e") / "logs"
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in STEPS:
            phase = 2 * np.pi * step / len(STEPS)
            vertices, faces, colors = twisted_torus(phase, rings=400, segments=250)
            summary.mesh("shapes/torus", vertices, faces, colors, step=step, description="100k vertices")
            points, point_colors = spiral_galaxy(phase, count=50_000)
            summary.point_cloud(HOSTILE_TAG, points, point_colors, step=step, description=HOSTILE_DESCRIPTION)
            summary.lines("shapes/bounding_box", *_box_edges(vertices), step=step)
    return logdir


def _box_edges(vertices):
    """The 8 corners `[8, 3]` and 12 edges `[12, 2]` of the axis-aligned box around `vertices`."""
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    corners = np.array([[(low, high)[(i >> k) & 1][k] for k in range(3)] for i in range(8)], np.float32)
    edges = [(i, i | 1 << k) for i in range(8) for k in range(3) if not i >> k & 1]
    return corners, np.array(edges, np.int32)


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_cards_draw_meshes_and_follow_the_step_slider(page, logdir, artifacts, load_fast):
    console = []  # (text, script URL) of every console message
    page.on("console", lambda message: console.append((message.text, message.location.get("url", ""))))
    with tensorboard(logdir, f"--load_fast={load_fast}") as url:
        frame = open_tab(page, url)
        cards = frame.locator(".mesh3d-card")
        expect(cards).to_have_count(3, timeout=TIMEOUT_MS)
        for card in (cards.nth(0), cards.nth(1), cards.nth(2)):
            expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
            expect(card).to_have_attribute("data-step", str(STEPS[-1]), timeout=TIMEOUT_MS)

        mesh_card = frame.locator('.mesh3d-card[data-tag="shapes/torus"]')
        before = view_pixels(mesh_card)
        background = before[2, 2]  # a corner of the view shows the background
        model_area = np.abs(before - background).max(axis=-1) > 24
        assert model_area.mean() > 0.05, "the mesh covers too little of its view"
        page.screenshot(path=str(artifacts / f"dashboard-load_fast-{load_fast}.png"))

        mesh_card.locator(".mesh3d-step").fill("0")
        expect(mesh_card).to_have_attribute("data-step", str(STEPS[0]), timeout=TIMEOUT_MS)
        expect(mesh_card.locator(".mesh3d-step-label")).to_contain_text("step 0")
        after = view_pixels(mesh_card)
        assert fraction_differing(before, after) > 0.01, "moving the step slider did not change the picture"

        for tag, least in ((HOSTILE_TAG, 0.01), ("shapes/bounding_box", 0.002)):
            pixels = view_pixels(cards.filter(has=frame.locator(".mesh3d-tag").get_by_text(tag, exact=True)))
            assert (np.abs(pixels - pixels[2, 2]).max(axis=-1) > 24).mean() > least, f"{tag} draws nothing"
        expect(frame.locator('.mesh3d-card[data-tag="shapes/bounding_box"]')).to_contain_text("12 segments")
    # One copy of three.js in the plugin's frame. (TensorBoard's own page bundles two and warns about it
    # from its index.js, outside this plugin.)
    ours = [text for text, where in console if "/data/plugin/mesh3d/" in where or "plugin_entry.html" in where]
    assert not [text for text in ours if "Multiple instances of Three.js" in text], ours


def test_user_text_is_shown_as_text_never_as_html(page, logdir):
    with tensorboard(logdir, "--load_fast=false") as url:
        frame = open_tab(page, url)
        expect(frame.locator(".mesh3d-card")).to_have_count(3, timeout=TIMEOUT_MS)
        text = frame.locator("body").inner_text()
        assert HOSTILE_TAG in text and HOSTILE_DESCRIPTION in text
        assert frame.locator("img, b, .mesh3d-card script").count() == 0
        plugin_frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
        assert plugin_frame.evaluate("() => window.__xss") is None


def test_the_demo_logdir_shows_both_objects_with_every_step_kept(page, tmp_path, artifacts):
    sample_logdir.write(str(tmp_path / "runs"), steps=12)  # more than the 10 steps kept by default
    with tensorboard(tmp_path / "runs", "--samples_per_plugin=mesh3d=0") as url:
        frame = open_tab(page, url)
        cards = frame.locator(".mesh3d-card")
        expect(cards).to_have_count(2, timeout=TIMEOUT_MS)
        for index in range(2):
            expect(cards.nth(index)).to_have_attribute("data-step", "11", timeout=TIMEOUT_MS)
            expect(cards.nth(index).locator(".mesh3d-step")).to_have_attribute("max", "11")
        expect(frame.locator(".mesh3d-card[data-state=ready]")).to_have_count(2, timeout=TIMEOUT_MS)
        page.screenshot(path=str(artifacts / "demo.png"))

"""Attributes in the 3D tab: colour by, legend, arrows, ghost overlay and following a growing run.

A real TensorBoard process, headless Chromium, and checks on the canvas' pixels.
"""

import re

import numpy as np
import pytest
import tensorflow as tf
from playwright.sync_api import expect

from demo.sample_logdir import twisted_torus
from tb_mesh_plugin import summary
from tests.e2e.dashboard_page import fraction_differing, open_tab, view_pixels
from tests.e2e.tensorboard_process import tensorboard

STEPS = [0, 1, 2]
HOSTILE_NAME = "<img src=x onerror=window.__xss=1>"
TIMEOUT_MS = 60_000


def _gradient(vertices):
    """Radial vectors whose lengths run from 0.5 (lowest x) to 2 (highest x): both ends face the camera."""
    radial = vertices - vertices.mean(axis=0)
    radial /= np.linalg.norm(radial, axis=-1, keepdims=True)
    x = vertices[:, 0]
    length = 0.5 + 1.5 * (x - x.min()) / (x.max() - x.min())
    return (radial * length[:, None]).astype(np.float32)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("e2e-attributes") / "logs"
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in STEPS:
            vertices, faces, _ = twisted_torus(0.4 * step, rings=120, segments=60)
            summary.mesh(
                "pose/prediction",
                vertices,
                faces,
                attributes={"grad": _gradient(vertices), HOSTILE_NAME: vertices[:, 0]},
                step=step,
            )
            summary.mesh("pose/target", twisted_torus(0.0, rings=120, segments=60)[0] * 1.25, faces, step=step)
    return logdir


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir) as url:
        yield url


def _prediction_card(page, url):
    frame = open_tab(page, url)
    card = frame.locator('.mesh3d-card[data-tag="pose/prediction"]')
    expect(card).to_have_attribute("data-step", str(STEPS[-1]), timeout=TIMEOUT_MS)
    expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    return frame, card


def _change(card, action):
    """Does `action` (a control change) and returns the view's pixels once the card has drawn it."""
    action()
    expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    return view_pixels(card)


def _fraction(pixels, mask):
    return float(np.mean(mask(pixels[..., 0], pixels[..., 1], pixels[..., 2])))


def yellow(r, g, b):  # viridis' high end, #fde725, lit or shaded
    return (r > 150) & (g > 130) & (b < 0.45 * g)


def purple(r, g, b):  # viridis' low end, #440154 to #482475, shaded
    return (b > 1.6 * g) & (r > 1.1 * g) & (b > 40)


def test_colour_by_a_vector_magnitude_draws_viridis_and_a_legend(page, server, artifacts):
    frame, card = _prediction_card(page, server)
    before = view_pixels(card)
    assert _fraction(before, yellow) < 0.001 and _fraction(before, purple) < 0.001, "grey before colouring"
    expect(card.locator(".mesh3d-legend")).to_be_hidden()

    after = _change(card, lambda: card.locator(".mesh3d-color-by").select_option(label="grad · magnitude"))
    page.screenshot(path=str(artifacts / "colour-by-magnitude.png"))
    assert _fraction(after, yellow) > 0.01, "no viridis yellow where the largest gradients are"
    assert _fraction(after, purple) > 0.01, "no viridis purple where the smallest gradients are"
    legend = card.locator(".mesh3d-legend")
    expect(legend.locator(".mesh3d-legend-title")).to_have_text("grad · magnitude")
    expect(legend.locator(".mesh3d-legend-min")).to_have_text("0.5")
    expect(legend.locator(".mesh3d-legend-max")).to_have_text("2")
    expect(legend.locator(".mesh3d-legend-zero")).to_be_hidden()


def test_a_signed_component_gets_a_diverging_map_centred_on_zero(page, server):
    _, card = _prediction_card(page, server)
    pixels = _change(card, lambda: card.locator(".mesh3d-color-by").select_option(label="grad · y"))
    blue = _fraction(pixels, lambda r, g, b: b > r + 60)
    red = _fraction(pixels, lambda r, g, b: (r > b + 60) & (r > g + 40))
    assert blue > 0.01 and red > 0.01, f"blue {blue:.3f}, red {red:.3f}"
    legend = card.locator(".mesh3d-legend")
    expect(legend.locator(".mesh3d-legend-zero")).to_be_visible()
    low, high = legend.locator(".mesh3d-legend-min").inner_text(), legend.locator(".mesh3d-legend-max").inner_text()
    assert float(low) == -float(high) and float(high) > 1, (low, high)

    # A typed range replaces the step's: the legend shows it.
    card.locator(".mesh3d-range-mode").select_option("manual")
    card.locator(".mesh3d-range-min").fill("-4")
    card.locator(".mesh3d-range-max").fill("4")
    expect(legend.locator(".mesh3d-legend-max")).to_have_text("4", timeout=TIMEOUT_MS)
    expect(legend.locator(".mesh3d-legend-min")).to_have_text("-4")


def test_arrows_are_drawn_and_follow_the_length_slider(page, server):
    _, card = _prediction_card(page, server)
    before = view_pixels(card)
    with_arrows = _change(card, lambda: card.locator(".mesh3d-arrows").select_option(label="grad"))
    assert fraction_differing(before, with_arrows) > 0.005, "switching arrows on changed nothing"
    expect(card.locator(".mesh3d-arrow-factor")).to_have_text("×1")
    longer = _change(card, lambda: card.locator(".mesh3d-arrow-length").fill("1"))
    expect(card.locator(".mesh3d-arrow-factor")).to_have_text("×10")
    assert fraction_differing(with_arrows, longer) > 0.005, "ten times longer arrows look the same"
    off = _change(card, lambda: card.locator(".mesh3d-arrows").select_option("none"))
    assert fraction_differing(before, off) < 0.001, "switching arrows off did not restore the view"


def test_a_ghost_overlay_of_another_tag_is_drawn_at_the_same_step(page, server):
    _, card = _prediction_card(page, server)
    before = view_pixels(card)
    card.locator(".mesh3d-ghost").select_option(label="pose/target")
    expect(card).to_have_attribute("data-ghost-step", str(STEPS[-1]), timeout=TIMEOUT_MS)
    expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    overlaid = view_pixels(card)
    assert fraction_differing(before, overlaid, threshold=12) > 0.05, "the overlay is not drawn"

    card.locator(".mesh3d-step").fill("0")  # the overlay moves with the card's step
    expect(card).to_have_attribute("data-ghost-step", "0", timeout=TIMEOUT_MS)
    expect(card).to_have_attribute("data-step", "0")
    card.locator(".mesh3d-ghost").select_option("none")
    expect(card).not_to_have_attribute("data-ghost-step", re.compile(".*"), timeout=TIMEOUT_MS)


def test_attribute_names_are_shown_as_text(page, server):
    frame, card = _prediction_card(page, server)
    card.locator(".mesh3d-color-by").select_option(label=HOSTILE_NAME)
    expect(card.locator(".mesh3d-legend-title")).to_have_text(HOSTILE_NAME, timeout=TIMEOUT_MS)
    assert frame.locator("img").count() == 0
    plugin_frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
    assert plugin_frame.evaluate("() => window.__xss") is None


def test_follow_latest_step_moves_the_card_as_the_run_grows(page, tmp_path):
    logdir = tmp_path / "logs"
    vertices, faces, _ = twisted_torus(0.0, rings=40, segments=20)
    writer = tf.summary.create_file_writer(str(logdir / "live"))
    with writer.as_default():
        for step in range(2):
            summary.mesh("growing", vertices + step, faces, attributes={"grad": _gradient(vertices)}, step=step)
    writer.flush()
    with tensorboard(logdir, "--reload_interval", "1") as url:
        frame = open_tab(page, url)
        card = frame.locator('.mesh3d-card[data-tag="growing"]')
        expect(card).to_have_attribute("data-step", "1", timeout=TIMEOUT_MS)
        expect(card.locator(".mesh3d-follow")).to_be_checked()
        with writer.as_default():
            for step in range(2, 5):
                summary.mesh("growing", vertices + step, faces, attributes={"grad": _gradient(vertices)}, step=step)
        writer.flush()
        expect(card).to_have_attribute("data-step", "4", timeout=TIMEOUT_MS)
        expect(card.locator(".mesh3d-step")).to_have_attribute("max", "4")
        expect(card.locator(".mesh3d-step-label")).to_contain_text("step 4")

        # The slider still works, and moving it off the newest step stops following.
        card.locator(".mesh3d-step").fill("2")
        expect(card).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
        expect(card.locator(".mesh3d-follow")).not_to_be_checked()
    writer.close()

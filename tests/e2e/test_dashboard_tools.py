"""The dashboard's tools in a real TensorBoard and headless Chromium: filter, run selector, sync,
picking, keyboard, URL state, themes, view options, built-in mesh summaries, quantised positions and
decimated previews.
"""

import io
import json
import re
import urllib.parse

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from playwright.sync_api import expect
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from demo.sample_logdir import twisted_torus
from tb_mesh_plugin import summary
from tests.e2e.dashboard_page import fraction_differing, open_tab, view_pixels
from tests.e2e.tensorboard_process import tensorboard, wait_until

STEPS = [0, 1, 2, 3]
HOSTILE = "<img src=x onerror=window.__xss=1>"
HOSTILE_RUN = "eval <b onmouseover=window.__xss=1>"  # no '"': RustBoard cannot read blobs of such runs
TIMEOUT_MS = 60_000
BUILTIN_STEPS = range(12)  # more than the 10 steps TensorBoard keeps by default


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("e2e-tools") / "logs"
    for run, scale in (("train", 1.0), (HOSTILE_RUN, 1.3)):
        with tf.summary.create_file_writer(str(logdir / run)).as_default():
            for step in STEPS:
                vertices, faces, colors = twisted_torus(0.5 * step, rings=120, segments=60)
                face_colors = np.where(np.arange(len(faces))[:, None] % 2, [230, 60, 20], [20, 90, 220]).astype(
                    np.uint8
                )
                summary.mesh(
                    "shapes/torus",
                    vertices * scale,
                    faces,
                    colors,
                    step=step,
                    attributes={HOSTILE: vertices[:, 0]},
                    face_colors=face_colors,
                )
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in STEPS:
            vertices, _, _ = twisted_torus(0.5 * step, rings=120, segments=60)
            summary.point_cloud("points/quantised", vertices, quantize="uint16", step=step)
        cloud = np.random.default_rng(0).normal(size=(1, 2000, 3)).astype(np.float32)
        config = {"camera": {"cls": "PerspectiveCamera", "fov": 30}, "material": {"cls": "PointsMaterial", "size": 0.2}}
        for step in BUILTIN_STEPS:
            mesh_summary.mesh("builtin/cloud", cloud * (1 + step / 10), config_dict=config, step=step)
    return logdir


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def page(page):
    """A page tall enough for two rows of cards: cards out of view are not drawn, so never ready."""
    page.set_viewport_size({"width": 1280, "height": 1300})
    return page


def _ready(frame, count):
    cards = frame.locator(".mesh3d-card:not([hidden])")
    expect(cards).to_have_count(count, timeout=TIMEOUT_MS)
    for index in range(count):
        card = cards.nth(index)
        expect(card, card.get_attribute("data-tag") or "").to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)


def _card(frame, tag, run="train"):
    return frame.locator(f'.mesh3d-card[data-tag="{tag}"][data-run="{run}"]')


def _hash_state(page):
    """The p.mesh3d.* keys of TensorBoard's URL (read from the page: `page.url` lags behind replaceState)."""
    url = page.evaluate("() => location.href")
    pairs = dict(p.split("=", 1) for p in urllib.parse.urlsplit(url).fragment.split("&") if "=" in p)
    return {k[len("p.mesh3d.") :]: urllib.parse.unquote(v) for k, v in pairs.items() if k.startswith("p.mesh3d.")}


def _ring_point(card):
    """Page coordinates on the torus' ring (its middle is a hole), found from the view's pixels."""
    box = card.locator(".mesh3d-view").bounding_box()
    pixels = view_pixels(card)
    covered = np.abs(pixels - pixels[2, 2]).max(axis=-1) > 24
    row = pixels.shape[0] // 2
    column = int(np.flatnonzero(covered[row])[3])
    scale = box["width"] / pixels.shape[1]
    return box["x"] + (column + 4) * scale, box["y"] + row * scale


def _hover(page, server, tag):
    """Opens the tab and hovers the ring of `tag`'s card until it shows a tooltip: (frame, card, vertex, x, y)."""
    frame = open_tab(page, server)
    _ready(frame, 4)
    card = _card(frame, tag)
    x, y = _ring_point(card)
    page.mouse.move(x, y)
    page.mouse.move(x + 1, y + 1)
    expect(card.locator(".mesh3d-tooltip")).to_be_visible(timeout=TIMEOUT_MS)
    return frame, card, int(card.get_attribute("data-picked")), x + 1, y + 1


def test_filter_and_run_selector_choose_the_cards_and_an_invalid_regex_is_reported(page, server):
    frame = open_tab(page, server)
    _ready(frame, 4)
    frame.locator(".mesh3d-filter").fill("TORUS$")
    _ready(frame, 2)
    frame.locator(".mesh3d-filter").fill("shapes/(")
    expect(frame.locator(".mesh3d-filter-error")).to_contain_text("Invalid regular expression")
    expect(frame.locator(".mesh3d-card:not([hidden])")).to_have_count(4)
    frame.locator(".mesh3d-filter").fill("torus")
    expect(frame.locator(".mesh3d-filter-error")).to_have_text("")
    frame.locator(".mesh3d-runs-summary").click()
    expect(frame.locator(".mesh3d-run-name").get_by_text(HOSTILE_RUN, exact=True)).to_be_visible()
    frame.locator(f'.mesh3d-run input[data-run="{HOSTILE_RUN}"]').uncheck()
    _ready(frame, 1)
    expect(frame.locator(".mesh3d-runs-summary")).to_have_text("runs: 1 of 2")
    wait_until(
        lambda: _hash_state(page).get("hide_runs") == json.dumps([HOSTILE_RUN], separators=(",", ":")), 10, "the URL"
    )
    assert _hash_state(page)["filter"] == "torus"
    assert frame.locator("b, img").count() == 0


def _renderer_counts(frame):
    """How many views the shared renderer draws and the geometries and textures it holds on the GPU."""
    canvas = frame.locator("#mesh3d-canvas")
    return {key: int(canvas.get_attribute(f"data-{key}")) for key in ("views", "geometries", "textures")}


def test_a_card_filtered_out_frees_its_gpu_buffers_and_comes_back_as_it_was(page, server):
    frame = open_tab(page, server)
    _ready(frame, 4)
    torus = _card(frame, "shapes/torus")
    torus.locator(".mesh3d-step").fill("1")
    torus.locator(".mesh3d-wireframe").check()
    expect(torus).to_have_attribute("data-step", "1", timeout=TIMEOUT_MS)
    expect(torus).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    before = _renderer_counts(frame)
    assert before["views"] == 4 and before["geometries"] >= 4, before
    frame.locator(".mesh3d-filter").fill("quantised")
    _ready(frame, 1)
    wait_until(lambda: _renderer_counts(frame)["views"] == 1, 10, "the renderer to give the slots back")
    after = _renderer_counts(frame)
    assert after["geometries"] <= before["geometries"] - 3, (before, after)
    assert after["textures"] <= before["textures"], (before, after)
    frame.locator(".mesh3d-filter").fill("")
    _ready(frame, 4)
    expect(torus).to_have_attribute("data-step", "1", timeout=TIMEOUT_MS)
    expect(torus.locator(".mesh3d-wireframe")).to_be_checked()
    assert _renderer_counts(frame)["views"] == 4
    wait_until(lambda: _renderer_counts(frame)["geometries"] >= before["geometries"] - 1, 10, "the steps drawn again")


def test_hovering_shows_the_vertex_and_a_click_pins_it_as_text(page, server):
    frame, card, vertex, x, y = _hover(page, server, "shapes/torus")
    tooltip = card.locator(".mesh3d-tooltip")
    text = tooltip.inner_text()
    assert f"vertex\t{vertex}" in text and "position" in text and "colour\trgb(" in text, text
    assert "face\t" in text and "face colour\trgb(" in text and HOSTILE in text, text
    page.mouse.click(x, y)
    expect(tooltip).to_have_class(re.compile("mesh3d-pinned"))
    page.mouse.move(x + 40, y + 40)
    expect(tooltip).to_contain_text(re.compile(rf"vertex\s*{vertex}position"))  # pinned: moving does not change it
    assert frame.locator("img").count() == 0
    plugin_frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
    assert plugin_frame.evaluate("() => window.__xss") is None


def test_keys_step_the_focused_card_and_sync_step_moves_the_others(page, server):
    frame = open_tab(page, server)
    _ready(frame, 4)
    frame.locator(".mesh3d-sync-step").check()
    train, other = _card(frame, "shapes/torus"), _card(frame, "shapes/torus", HOSTILE_RUN)
    view = train.locator(".mesh3d-view")
    view.focus()
    page.keyboard.press("ArrowLeft")
    expect(train).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
    expect(other).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
    expect(_card(frame, "points/quantised")).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
    page.keyboard.press("[")
    expect(train).to_have_attribute("data-step", "1", timeout=TIMEOUT_MS)
    expect(other).to_have_attribute("data-step", "1", timeout=TIMEOUT_MS)
    page.keyboard.press("]")
    expect(train).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
    expect(train.locator(".mesh3d-follow")).not_to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(train).to_have_attribute("data-step", "3", timeout=TIMEOUT_MS)
    expect(train.locator(".mesh3d-follow")).to_be_checked()


def _drag(page, card, dx):
    box = card.locator(".mesh3d-view").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=4)
    page.mouse.move(x + dx, y + 10, steps=4)
    page.mouse.up()


def test_sync_camera_turns_every_card_and_the_url_restores_steps_and_camera(page, server):
    frame = open_tab(page, server)
    _ready(frame, 4)
    frame.locator(".mesh3d-sync-camera").check()
    train, other = _card(frame, "shapes/torus"), _card(frame, "shapes/torus", HOSTILE_RUN)
    other_before = view_pixels(other)
    _drag(page, train, 120)
    expect(other).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    wait_until(lambda: fraction_differing(other_before, view_pixels(other)) > 0.02, 20, "the other card to turn")
    train.locator(".mesh3d-step").fill("1")
    expect(train).to_have_attribute("data-step", "1", timeout=TIMEOUT_MS)
    wait_until(lambda: '"shapes/torus",1,[' in _hash_state(page).get("cards", ""), 10, "the card's state in the URL")
    assert _hash_state(page)["sync"] == "camera"
    expect(train).to_have_attribute("data-state", "ready")
    before = view_pixels(train)

    page.reload()
    frame = page.frame_locator('iframe[src*="plugin_entry.html?name=mesh3d"]')
    _ready(frame, 4)
    train = _card(frame, "shapes/torus")
    expect(train).to_have_attribute("data-step", "1")
    expect(train.locator(".mesh3d-follow")).not_to_be_checked()
    expect(frame.locator(".mesh3d-sync-camera")).to_be_checked()
    assert fraction_differing(before, view_pixels(train)) < 0.01, "the restored view differs"


def test_box_axes_shading_and_saving_the_view_as_png(page, server):
    frame = open_tab(page, server)
    _ready(frame, 4)
    card = _card(frame, "shapes/torus")

    def after(action):
        action()
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        return view_pixels(card)

    plain = view_pixels(card)
    boxed = after(lambda: card.locator(".mesh3d-box").check())
    assert fraction_differing(plain, boxed) > 0.002, "no bounding box drawn"
    with_axes = after(lambda: card.locator(".mesh3d-axes").check())
    assert fraction_differing(boxed, with_axes) > 0.001, "no axes drawn"
    flat = after(lambda: card.locator(".mesh3d-shading").select_option("flat"))
    assert fraction_differing(with_axes, flat, threshold=6) > 0.01, "flat shading looks smooth"
    faces = after(lambda: card.locator(".mesh3d-color-by").select_option(label="face colours"))
    red = np.mean((faces[..., 0] > 120) & (faces[..., 2] < 80))
    blue = np.mean((faces[..., 2] > 120) & (faces[..., 0] < 80))
    assert red > 0.02 and blue > 0.02, f"per-face colours not drawn: red {red:.3f}, blue {blue:.3f}"

    with page.expect_download() as download:
        card.locator(".mesh3d-save").click()
    assert download.value.suggested_filename == "train-shapes_torus-step3.png"
    image = Image.open(io.BytesIO(open(download.value.path(), "rb").read()))
    view = card.locator(".mesh3d-view").bounding_box()
    assert image.size == (round(view["width"]), round(view["height"]))
    saved = np.asarray(image.convert("RGB")).astype(np.float64)

    def blocks(pixels, size=20):  # 20 x 20 block means: alike up to a pixel's shift and the rounded corners
        rows, columns = pixels.shape[0] // size, pixels.shape[1] // size
        return pixels[: rows * size, : columns * size].reshape(rows, size, columns, size, 3).mean(axis=(1, 3))

    a, b = blocks(saved), blocks(faces.astype(np.float64))
    rows, columns = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    assert np.abs(a[:rows, :columns] - b[:rows, :columns]).mean() < 6, "the PNG is not the view"


def test_dark_theme_follows_tensorboard(page, server):
    page.emulate_media(color_scheme="dark")
    frame = open_tab(page, server)
    _ready(frame, 4)
    wait_until(lambda: page.evaluate("document.body.classList.contains('dark-mode')"), 20, "TensorBoard's dark mode")
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    corner = view_pixels(_card(frame, "shapes/torus"))[2, 2]
    assert corner.max() < 60, f"background {corner} is not dark"
    # TensorBoard's own toggle sets that class on its <body> (its header's theme menu): followed live.
    page.evaluate("document.body.classList.toggle('dark-mode', false)")
    expect(frame.locator("html")).to_have_attribute("data-theme", "light", timeout=TIMEOUT_MS)
    expect(_card(frame, "shapes/torus")).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    assert view_pixels(_card(frame, "shapes/torus"))[2, 2].min() > 200, "the background did not turn light"


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_built_in_mesh_summaries_are_drawn_with_a_sampling_note(page, logdir, load_fast):
    # RustBoard keeps 100 tensor steps per tag by default, the Python loader 10: a hint of 5 drops steps in both.
    with tensorboard(logdir, f"--load_fast={load_fast}", "--samples_per_plugin=mesh=5") as url:
        frame = open_tab(page, url)
        _ready(frame, 4)
        card = _card(frame, "builtin/cloud")
        expect(card).to_have_attribute("data-source", "mesh")
        expect(card).to_have_attribute("data-step", "11")
        note = card.locator(".mesh3d-sampling")
        expect(note).to_contain_text("Showing the 5 steps TensorBoard kept up to step 11: it keeps at most 5 per tag")
        expect(note).to_contain_text("--samples_per_plugin=mesh=0")
        pixels = view_pixels(card)
        assert (np.abs(pixels - pixels[2, 2]).max(axis=-1) > 24).mean() > 0.01, "the built-in point cloud draws nothing"
        first = card.locator(".mesh3d-step")
        first.fill("0")
        expect(card).not_to_have_attribute("data-step", "11", timeout=TIMEOUT_MS)
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        expect(_card(frame, "shapes/torus").locator(".mesh3d-sampling")).to_be_hidden()


def test_quantised_points_draw_and_pick_their_dequantised_positions(page, server):
    _, card, vertex, _, _ = _hover(page, server, "points/quantised")
    shown = re.search(r"position\t\((.*)\)", card.locator(".mesh3d-tooltip").inner_text()).group(1)
    logged, _, _ = twisted_torus(0.5 * STEPS[-1], rings=120, segments=60)
    np.testing.assert_allclose([float(v) for v in shown.split(",")], logged[vertex], atol=0.01)


def test_a_ghost_of_the_previous_step_follows_the_card(page, server):
    frame = open_tab(page, server)
    _ready(frame, 4)
    card = _card(frame, "shapes/torus")
    card.locator(".mesh3d-ghost").select_option(label="previous kept step")
    expect(card).to_have_attribute("data-ghost-step", "2", timeout=TIMEOUT_MS)
    card.locator(".mesh3d-step").fill("1")
    expect(card).to_have_attribute("data-ghost-step", "0", timeout=TIMEOUT_MS)
    card.locator(".mesh3d-ghost").select_option(label="first kept step")
    expect(card).to_have_attribute("data-ghost-step", "0", timeout=TIMEOUT_MS)


def test_a_large_step_shows_a_decimated_preview_first(page, tmp_path):
    logdir = tmp_path / "logs"
    points = np.random.default_rng(1).normal(size=(300_000, 3)).astype(np.float32)
    with tf.summary.create_file_writer(str(logdir / "big")).as_default():
        summary.point_cloud("cloud", points, step=0)
    with tensorboard(logdir) as url:
        requests = []
        page.on("request", lambda r: requests.append(r.url) if "/mesh?" in r.url else None)
        frame = open_tab(page, url)
        card = frame.locator(".mesh3d-card")
        expect(card).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        expect(card).to_have_attribute("data-preview", "done")
    assert len(requests) == 2 and "max_points=65536" in requests[0] and "max_points" not in requests[1], requests


def test_hostile_url_state_is_read_as_text(page, server):
    state = {
        "p.mesh3d.filter": HOSTILE,
        "p.mesh3d.hide_runs": json.dumps([HOSTILE, "<script>window.__xss=1</script>"]),
        "p.mesh3d.cards": json.dumps([[HOSTILE, "<svg onload=window.__xss=1>", 1, [0, 0, 1, 0, 0, 0]], ["train", 5]]),
    }
    fragment = "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(v, safe='')}" for k, v in state.items())
    page.goto(f"{server}/#mesh3d&{fragment}")
    frame = page.frame_locator('iframe[src*="plugin_entry.html?name=mesh3d"]')
    expect(frame.locator(".mesh3d-filter")).to_have_value(HOSTILE, timeout=TIMEOUT_MS)
    expect(frame.locator(".mesh3d-status")).to_contain_text("showing 0 of 4 tags")
    frame.locator(".mesh3d-filter").fill("")
    _ready(frame, 4)
    assert frame.locator("img, svg, b, .mesh3d-root script").count() == 0
    plugin_frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
    assert plugin_frame.evaluate("() => window.__xss") is None

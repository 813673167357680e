"""Scene cards in a real TensorBoard and headless Chromium: tags under one prefix drawn as layers of one
view, layer visibility and opacity, the image strip following the step, viewing through a logged camera,
hover picking of the visible layers, colouring a layer by an attribute, and the grouping, layers and
colouring kept in the URL across a reload.
"""

import json
import math
import re
import urllib.parse

import numpy as np
import pytest
import tensorflow as tf
from playwright.sync_api import expect

from demo.sample_logdir import twisted_torus
from graphics_ops.camera import Camera
from tb_mesh_plugin import summary
from tests.e2e.dashboard_page import fraction_differing, open_tab, view_pixels
from tests.e2e.tensorboard_process import tensorboard, wait_until

STEPS = (0, 1, 2)
TIMEOUT_MS = 60_000
CAMERA = {"position": [0.5, 0.8, 4.0], "focal": 60.0, "principal": [31.5, 20.0], "width": 64, "height": 48}
LAYERS = ("pose/camera", "pose/cloud", "pose/estimate", "pose/target")
HOSTILE_RUN = "eval <b onmouseover=window.__xss=1>"  # no '"': RustBoard cannot read blobs of such runs


def _gradient(vertices, step):
    """The estimate's logged `grad` at `step`: radial, scaled by the step and growing with x."""
    radial = vertices - vertices.mean(axis=0)
    return (radial * (1 + step) * (1.5 + vertices[:, :1])).astype(np.float32)


def _image(step):
    """A render of step `step`: a flat colour that says which step it is."""
    return np.full((1, 12, 16, 3), [40 + 100 * step, 200, 90], np.uint8)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("e2e-scenes") / "logs"
    camera = Camera.from_look_at(
        CAMERA["position"],
        [0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [CAMERA["focal"]] * 2,
        CAMERA["principal"],
        CAMERA["width"],
        CAMERA["height"],
    )
    cloud = np.random.default_rng(0).normal(scale=0.4, size=(3000, 3)).astype(np.float32) + [0.0, 1.2, 0.0]
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        for step in STEPS:
            vertices, faces, colors = twisted_torus(0.6 * step, rings=60, segments=30)
            grad = _gradient(vertices, step)
            attributes = {"grad": grad, "grad_norm": np.linalg.norm(grad, axis=-1)}
            summary.mesh("pose/estimate", vertices, faces, colors, attributes=attributes, step=step)
            tf.summary.image("pose/render", _image(step), step=step)
        summary.mesh("pose/target", vertices + [1.6, 0.0, 0.0], faces, step=0)
        summary.point_cloud("pose/cloud", cloud, step=1)
        summary.camera("pose/camera", camera, far=1.5, step=0)
        tf.summary.image("pose/target_image", _image(0)[:, :6], step=0)
        summary.mesh("loose", vertices, faces, step=0)
    with tf.summary.create_file_writer(str(logdir / HOSTILE_RUN)).as_default():
        summary.mesh("<i>x</i>/<img src=x onerror=window.__xss=1>", vertices, faces, step=0)
        summary.point_cloud("<i>x</i>/cloud", cloud, step=0)
        tf.summary.image("<i>x</i>/<img src=y onerror=window.__xss=2>", _image(0), step=0)
    return logdir


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir) as url:
        yield url


def _scene(frame):
    return frame.locator('.mesh3d-scene[data-scene="pose"][data-run="train"]')


def _ready_scene(frame, step=STEPS[-1]):
    """The pose scene once it shows `step`: scrolled into view (views out of the window are not drawn)."""
    scene = _scene(frame)
    scene.locator(".mesh3d-view").scroll_into_view_if_needed(timeout=TIMEOUT_MS)
    expect(scene).to_have_attribute("data-step", str(step), timeout=TIMEOUT_MS)
    expect(scene).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    return scene


def _changed(scene, before, what, fraction=0.002):
    """Waits until the scene's view differs from `before` in more than `fraction` of its pixels."""
    wait_until(lambda: fraction_differing(before, view_pixels(scene)) > fraction, 30, what)
    expect(scene).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)


def _pixel(image):
    """The colour of an <img>'s top-left pixel, as the browser decoded it."""
    script = """(img) => {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return Array.from(context.getImageData(0, 0, 1, 1).data.slice(0, 3));
    }"""
    return image.evaluate(script)


def test_a_scene_card_draws_its_layers_images_and_cameras(page, server, artifacts):
    frame = open_tab(page, server)
    expect(frame.locator(".mesh3d-card:not([hidden])")).to_have_count(7, timeout=TIMEOUT_MS)
    frame.locator(".mesh3d-grouping").select_option("parent")
    expect(frame.locator(".mesh3d-card:not([hidden])")).to_have_count(3, timeout=TIMEOUT_MS)  # 2 scenes, loose
    scene = _ready_scene(frame)
    expect(scene.locator(".mesh3d-layer-name")).to_have_text(["camera", "cloud", "estimate", "target"])
    expect(scene).to_have_attribute("data-layers-shown", str(len(LAYERS)), timeout=TIMEOUT_MS)
    expect(frame.locator('.mesh3d-card[data-tag="pose/estimate"]')).to_be_hidden()

    # The image strip: each image tag at its nearest kept step at or before the scene's.
    strip = scene.locator(".mesh3d-images")
    expect(strip).to_have_attribute("data-step", "2", timeout=TIMEOUT_MS)
    render = strip.locator('.mesh3d-image[data-tag="pose/render"] img')
    target = strip.locator('.mesh3d-image[data-tag="pose/target_image"] img')
    expect(render).to_have_attribute("data-step", "2")
    expect(target).to_have_attribute("data-step", "0")
    assert _pixel(render) == _image(2)[0, 0, 0].tolist()
    expect(strip.locator(".mesh3d-image-caption")).to_have_text(["render · step 2", "target_image · step 0"])

    # Toggling a layer and changing an opacity change the pixels.
    drawn = view_pixels(scene)
    target_row = scene.locator('.mesh3d-layer[data-tag="pose/target"]')
    target_row.locator(".mesh3d-layer-visible").uncheck()
    expect(scene).to_have_attribute("data-layers-shown", str(len(LAYERS) - 1), timeout=TIMEOUT_MS)
    _changed(scene, drawn, "the target layer hidden")
    without_target = view_pixels(scene)
    scene.locator('.mesh3d-layer[data-tag="pose/estimate"] .mesh3d-layer-opacity').fill("0.2")
    _changed(scene, without_target, "the estimate made translucent")
    page.screenshot(path=str(artifacts / "scene-card.png"))

    # The step slider moves every layer and the images.
    scene.locator(".mesh3d-step").fill("0")
    scene = _ready_scene(frame, step=0)
    expect(strip).to_have_attribute("data-step", "0", timeout=TIMEOUT_MS)
    expect(render).to_have_attribute("data-step", "0")
    assert _pixel(render) == _image(0)[0, 0, 0].tolist()
    expect(scene.locator('.mesh3d-layer[data-tag="pose/cloud"] .mesh3d-layer-note')).to_have_text(
        "no step at or before 0"
    )

    # View through the logged camera: its centre, its axis toward the origin, its field of view.
    before = view_pixels(scene)
    scene.locator('.mesh3d-layer[data-tag="pose/camera"] .mesh3d-view-through').click()
    wait_until(lambda: "fov" in json.loads(scene.get_attribute("data-camera") or "{}"), 30, "the camera state")
    _changed(scene, before, "the view through the camera")
    camera = json.loads(scene.get_attribute("data-camera"))
    np.testing.assert_allclose(camera["position"], CAMERA["position"], atol=2e-3)
    axis = np.subtract(camera["target"], camera["position"])
    np.testing.assert_allclose(axis / np.linalg.norm(axis), -np.divide(CAMERA["position"], 4.1097), atol=2e-3)
    top, bottom = CAMERA["principal"][1] + 0.5, CAMERA["height"] - 0.5 - CAMERA["principal"][1]
    fov = math.degrees(math.atan(top / CAMERA["focal"]) + math.atan(bottom / CAMERA["focal"]))
    assert camera["fov"] == pytest.approx(fov, abs=1e-3)
    assert camera["up"][1] > 0.95

    # Run names, tags and image tags are shown as text.
    hostile = frame.locator(f'.mesh3d-scene[data-run="{HOSTILE_RUN}"]')
    hostile.locator(".mesh3d-view").scroll_into_view_if_needed()
    expect(hostile).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    expect(hostile.locator(".mesh3d-run")).to_have_text(HOSTILE_RUN)
    expect(hostile.locator(".mesh3d-layer-name")).to_have_text(["<img src=x onerror=window.__xss=1>", "cloud"])
    expect(hostile.locator(".mesh3d-images")).to_have_attribute("data-step", "0", timeout=TIMEOUT_MS)
    expect(hostile.locator(".mesh3d-image-caption")).to_have_text("<img src=y onerror=window.__xss=2> · step 0")
    plugin_frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
    assert plugin_frame.evaluate("() => window.__xss") is None


def test_the_grouping_layers_and_camera_are_kept_in_the_url_across_a_reload(page, server):
    frame = open_tab(page, server)
    frame.locator(".mesh3d-grouping").select_option("parent")
    scene = _ready_scene(frame)
    scene.locator('.mesh3d-layer[data-tag="pose/cloud"] .mesh3d-layer-visible').uncheck()
    scene.locator('.mesh3d-layer[data-tag="pose/camera"] .mesh3d-view-through').click()
    wait_until(lambda: "p.mesh3d.scenes=" in page.evaluate("() => location.hash"), 30, "the scene in the URL")
    assert "p.mesh3d.group=parent" in page.evaluate("() => location.hash")
    page.reload()
    frame = page.frame_locator('iframe[src*="plugin_entry.html?name=mesh3d"]')
    expect(frame.locator(".mesh3d-grouping")).to_have_value("parent", timeout=TIMEOUT_MS)
    scene = _ready_scene(frame)
    expect(scene.locator('.mesh3d-layer[data-tag="pose/cloud"] .mesh3d-layer-visible')).not_to_be_checked()
    expect(scene).to_have_attribute("data-layers-shown", str(len(LAYERS) - 1), timeout=TIMEOUT_MS)
    wait_until(
        lambda: np.allclose(
            json.loads(scene.get_attribute("data-camera") or "{}").get("position", [0]), CAMERA["position"], atol=2e-3
        ),
        30,
        "the camera looked through, restored",
    )
    scene.locator('.mesh3d-layer[data-tag="pose/cloud"] .mesh3d-layer-visible').check()  # hidden: not loaded yet
    expect(scene).to_have_attribute("data-layers-shown", str(len(LAYERS)), timeout=TIMEOUT_MS)

    frame.locator(".mesh3d-grouping").select_option("")
    expect(frame.locator(".mesh3d-card:not([hidden])")).to_have_count(7, timeout=TIMEOUT_MS)
    expect(_scene(frame)).to_have_count(0)
    wait_until(lambda: "p.mesh3d.group" not in page.evaluate("() => location.hash"), 30, "the grouping off in the URL")


def _show_only(scene, tags):
    """Shows only the layers `tags` of the pose scene and waits until it is drawn so."""
    for tag in LAYERS:
        scene.locator(f'.mesh3d-layer[data-tag="{tag}"] .mesh3d-layer-visible').set_checked(tag in tags)
    expect(scene).to_have_attribute("data-layers-shown", str(len(tags)), timeout=TIMEOUT_MS)
    expect(scene).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)


def _inside_point(scene, margin=4):
    """Page coordinates of a drawn pixel of the view `margin` pixels inside what is drawn, nearest its centre."""
    box = scene.locator(".mesh3d-view").bounding_box()
    pixels = view_pixels(scene)
    covered = np.abs(pixels - pixels[2, 2]).max(axis=-1) > 24
    inside = covered.copy()
    for dy in range(-margin, margin + 1):
        for dx in range(-margin, margin + 1):
            inside &= np.roll(covered, (dy, dx), axis=(0, 1))
    rows, columns = np.nonzero(inside)
    assert rows.size, "nothing drawn"
    height, width = covered.shape
    nearest = np.argmin((rows - height / 2) ** 2 + (columns - width / 2) ** 2)
    scale = box["width"] / width
    return box["x"] + (columns[nearest] + 0.5) * scale, box["y"] + (rows[nearest] + 0.5) * scale


def _hover(page, scene, x, y):
    """Hovers (x, y) of the page and waits until the scene has picked there."""
    scene.evaluate("(element) => element.removeAttribute('data-pick-ms')")
    page.mouse.move(x - 1, y - 1)
    page.mouse.move(x, y)
    expect(scene).to_have_attribute("data-pick-ms", re.compile(r"\d"), timeout=TIMEOUT_MS)


def _tooltip_value(text, label):
    """The numbers of the tooltip line `label` (tab separated from its value)."""
    value = re.search(rf"^{re.escape(label)}\t(.*)$", text, re.MULTILINE).group(1)
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", value)]


def test_hovering_a_scene_picks_the_visible_layer_and_shows_its_logged_values(page, server):
    frame = open_tab(page, server)
    frame.locator(".mesh3d-grouping").select_option("parent")
    scene = _ready_scene(frame)
    _show_only(scene, {"pose/estimate"})
    x, y = _inside_point(scene)
    _hover(page, scene, x, y)
    tooltip = scene.locator(".mesh3d-tooltip")
    expect(tooltip).to_be_visible(timeout=TIMEOUT_MS)
    expect(scene).to_have_attribute("data-picked-layer", "pose/estimate")
    vertex = int(scene.get_attribute("data-picked"))
    text = tooltip.inner_text()
    assert text.startswith("layer\tpose/estimate\nvertex\t"), text
    assert f"vertex\t{vertex}\n" in text, text

    # The values logged for that vertex at the shown step (2), as 3 significant digits.
    vertices, _, _ = twisted_torus(0.6 * STEPS[-1], rings=60, segments=30)
    grad = _gradient(vertices, STEPS[-1])[vertex]
    np.testing.assert_allclose(_tooltip_value(text, "position"), vertices[vertex], rtol=5e-3, atol=1e-3)
    np.testing.assert_allclose(_tooltip_value(text, "grad_norm"), [np.linalg.norm(grad)], rtol=5e-3)
    np.testing.assert_allclose(_tooltip_value(text, "grad"), [*grad, np.linalg.norm(grad)], rtol=5e-3, atol=1e-3)

    # A hidden layer is not picked: the same place picks nothing once the estimate is hidden.
    _show_only(scene, set())
    _hover(page, scene, x, y)
    expect(tooltip).to_be_hidden()
    assert scene.get_attribute("data-picked") is None

    # Names are shown as text.
    hostile = frame.locator(f'.mesh3d-scene[data-run="{HOSTILE_RUN}"]')
    hostile.locator(".mesh3d-view").scroll_into_view_if_needed()
    expect(hostile).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
    hostile.locator(".mesh3d-layer-visible").last.uncheck()  # the cloud: the mesh under the cursor
    expect(hostile).to_have_attribute("data-layers-shown", "1", timeout=TIMEOUT_MS)
    x, y = _inside_point(hostile)
    _hover(page, hostile, x, y)
    expect(hostile.locator(".mesh3d-tooltip")).to_contain_text("<i>x</i>/<img src=x onerror=window.__xss=1>")
    plugin_frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
    assert plugin_frame.evaluate("() => window.__xss") is None
    assert hostile.locator(".mesh3d-tooltip img, .mesh3d-tooltip i").count() == 0


def _scenes_in_url(page):
    """The `p.mesh3d.scenes` item of the page's URL, decoded (or [])."""
    hash_ = page.evaluate("() => location.hash")
    pairs = dict(part.split("=", 1) for part in hash_.lstrip("#").split("&") if "=" in part)
    return json.loads(urllib.parse.unquote(pairs.get("p.mesh3d.scenes", "[]")))


def test_a_layer_coloured_by_an_attribute_changes_its_pixels_and_survives_a_reload(page, server, artifacts):
    frame = open_tab(page, server)
    frame.locator(".mesh3d-grouping").select_option("parent")
    scene = _ready_scene(frame)
    estimate = scene.locator('.mesh3d-layer[data-tag="pose/estimate"]')
    target = scene.locator('.mesh3d-layer[data-tag="pose/target"]')
    expect(estimate.locator(".mesh3d-color-by")).to_have_value("logged")
    expect(target.locator(".mesh3d-color-options")).to_be_hidden()  # no colours or attributes to choose from
    logged = view_pixels(scene)

    estimate.locator(".mesh3d-color-by").select_option(label="grad_norm")
    _changed(scene, logged, "the estimate coloured by grad_norm", fraction=0.005)
    coloured = view_pixels(scene)
    expect(estimate.locator(".mesh3d-legend-title")).to_have_text("grad_norm")
    expect(estimate.locator(".mesh3d-legend")).to_be_visible()
    expect(target.locator(".mesh3d-legend")).to_be_hidden()
    page.screenshot(path=str(artifacts / "scene-colour-by.png"))

    # The choice is in the URL, and a reload draws the layer coloured again.
    wait_until(
        lambda: (
            [layer for scene_ in _scenes_in_url(page) for layer in scene_[4]]
            == [["pose/estimate", True, 1, [["grad_norm", 0], "auto", "step"]]]
        ),
        30,
        "the layer's colouring in the URL",
    )
    page.reload()
    frame = page.frame_locator('iframe[src*="plugin_entry.html?name=mesh3d"]')
    expect(frame.locator(".mesh3d-grouping")).to_have_value("parent", timeout=TIMEOUT_MS)
    scene = _ready_scene(frame)
    select = scene.locator('.mesh3d-layer[data-tag="pose/estimate"] .mesh3d-color-by')
    assert select.evaluate("(s) => s.selectedOptions[0].textContent") == "grad_norm"
    wait_until(lambda: fraction_differing(coloured, view_pixels(scene)) < 0.002, 30, "the colouring restored")
    assert fraction_differing(logged, view_pixels(scene)) > 0.005

"""A scene card of 5 layers in headless Chromium: how soon it first draws, and how soon a step change redraws.

Run with `python -m bench.scene [--repeats R]` (needs the test extras: `make test-setup`). One run holds the
scene `scene/`: a 100k-vertex mesh (`scene/mesh`, 200k faces, RGB colours), its second copy moved aside
(`scene/ghost`), a 1M-point cloud (`scene/cloud`, float32) and two camera frustums (`scene/camera_a`,
`scene/camera_b`), each logged at STEPS steps. One real `tensorboard` (RustBoard, TensorBoard's default
loader, every step kept) serves it, and for each repeat a fresh browser context (an empty HTTP cache) opens
the 3D tab with the tags grouped into scenes (`p.mesh3d.group=parent` in the URL) and measures:

- open: from `page.goto` of TensorBoard's page to the scene card reading "ready" (every layer's step drawn,
  the cloud in full after its preview), and the same from the start of the plugin's frame (its
  `performance.now()` when the card first reads "ready", so TensorBoard's own page load is left out);
  the first repeat is the server's first read of each step, later ones are answered from its cache;
- scrub: moving the step slider to another step, until that step is drawn in every layer (medians over
  the steps, each a step whose bodies the browser has not fetched in that context before).

Prints a markdown table and writes bench/results/scene.json; a benchmark, not a test (targets: first draw
within 1.5 s of opening the tab, a step change redrawn within 0.5 s).
"""

import json
import os
import pathlib
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import numpy as np
import tensorflow as tf

from bench import report
from bench.measure import machine
from demo import headless_chromium, tensorboard_process
from demo.sample_logdir import twisted_torus
from graphics_ops.camera import Camera
from tb_mesh_plugin import summary

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "scene.json"
STEPS = 4
TARGETS = {"open_s": 1.5, "scrub_s": 0.5}
LAYERS = ("scene/camera_a", "scene/camera_b", "scene/cloud", "scene/ghost", "scene/mesh")

# Notes, in the plugin's frame, when the scene card first reads "ready" (ms since the frame started).
READY_WATCH = """
new MutationObserver((records, observer) => {
  const scene = document.querySelector('.mesh3d-scene[data-state="ready"]');
  if (scene && window.__sceneReadyMs === undefined) {
    window.__sceneReadyMs = performance.now();
    observer.disconnect();
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-state']});
"""

# Moves the scene's step slider to kept step `index`; ms until the last layer's body was received,
# until every layer's step is loaded and in the scene (the card leaves "loading"), and until it is drawn.
SCRUB = """async (index) => {
  const scene = document.querySelector('.mesh3d-scene');
  const slider = scene.querySelector('.mesh3d-step');
  const start = performance.now();
  slider.value = String(index);
  slider.dispatchEvent(new Event('input'));
  const step = scene.querySelector('.mesh3d-step-label').textContent.split(' ')[1];
  let loaded = null;
  return await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (scene.dataset.state === 'drawing' && loaded === null) loaded = performance.now() - start;
      if (scene.dataset.state === 'ready' && scene.dataset.step === step) {
        observer.disconnect();
        const fetched = performance
          .getEntriesByType('resource')
          .filter((e) => e.startTime >= start && /mesh\\?/.test(e.name));
        const received = Math.max(...fetched.map((e) => e.responseEnd)) - start;
        resolve({received, loaded, drawn: performance.now() - start});
      }
    });
    observer.observe(scene, {attributes: true});
  });
}"""


def write_logdir(logdir):
    """The scene's 5 layers, logged at each of STEPS steps."""
    rng = np.random.default_rng(0)
    cameras = [
        Camera.from_look_at([x, 1.0, 3.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [400.0, 400.0], [319.5, 239.5], 640, 480)
        for x in (-2.0, 2.0)
    ]
    with tf.summary.create_file_writer(str(logdir / "bench")).as_default():
        for step in range(STEPS):
            vertices, faces, colors = twisted_torus(0.5 * step, rings=400, segments=250)
            summary.mesh("scene/mesh", vertices, faces, colors, step=step)
            summary.mesh("scene/ghost", vertices + [0.3, 0.0, 0.0], faces, step=step)
            cloud = rng.normal(scale=0.5, size=(1_000_000, 3)).astype(np.float32) + [0.0, 0.0, 1.5 + 0.1 * step]
            summary.point_cloud("scene/cloud", cloud, step=step)
            for name, camera in zip(("scene/camera_a", "scene/camera_b"), cameras):
                summary.camera(name, camera, far=0.8, step=step)


def _wait_loaded(url):
    """Waits until the loader lists every step of every layer."""

    def loaded():
        try:
            with urllib.request.urlopen(f"{url}/data/plugin/mesh3d/tags") as response:
                tags = json.loads(response.read())["runs"].get("bench", {})
        except OSError:
            return False
        return sorted(tags) == sorted(LAYERS) and {len(entry["steps"]) for entry in tags.values()} == {STEPS}

    tensorboard_process.wait_until(loaded, 600, "the benchmark logdir to be loaded")


def measure(url, repeats):
    """`{"open": [...], "scrub": [...]}`: one dict of times (s) per repeat, each in a fresh browser context."""
    from playwright.sync_api import sync_playwright

    query = f"#mesh3d&p.mesh3d.group=parent&p.mesh3d.filter={urllib.parse.quote('^scene/', safe='')}"
    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=headless_chromium.executable_path(), args=headless_chromium.ARGS
        )
        for repeat in range(repeats):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(READY_WATCH)
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{url}/{query}")
            frame_locator = page.frame_locator('iframe[src*="plugin_entry.html?name=mesh3d"]')
            frame_locator.locator(".mesh3d-scene[data-state=ready]").wait_for(timeout=180_000)
            opened = time.perf_counter() - start
            frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
            in_frame = frame.evaluate("() => window.__sceneReadyMs") / 1000
            origins = [f.evaluate("() => performance.timeOrigin") for f in (page.main_frame, frame)]
            frame_start = (origins[1] - origins[0]) / 1000  # TensorBoard's page until the plugin's frame starts
            layers = frame.evaluate("() => document.querySelector('.mesh3d-scene').dataset.layersShown")
            # From the newest step back to the first: each step once, none fetched before in this context.
            scrubs = [frame.evaluate(SCRUB, index) for index in range(STEPS - 2, -1, -1)]
            runs.append(
                {
                    "open_s": opened,
                    "open_in_frame_s": in_frame,
                    "frame_start_s": frame_start,
                    "scrub_s": [scrub["drawn"] / 1000 for scrub in scrubs],
                    "scrub_received_s": [scrub["received"] / 1000 for scrub in scrubs],
                    "scrub_loaded_s": [scrub["loaded"] / 1000 for scrub in scrubs],
                    "layers_shown": layers,
                }
            )
            print(f"repeat {repeat}: {runs[-1]}", file=sys.stderr)
            context.close()
        browser.close()
    return runs


def main():
    parser = report.parser(__doc__, RESULTS, repeats=3, per="browser context")
    parser.add_argument("--logdir", type=pathlib.Path, help="the benchmark logdir: written if missing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        logdir = args.logdir or pathlib.Path(tmp) / "logs"
        if not logdir.exists():
            print("writing the benchmark logdir ...", file=sys.stderr)
            write_logdir(logdir)
        with tensorboard_process.tensorboard(logdir, "--samples_per_plugin=mesh3d=0") as server:
            _wait_loaded(server.url)
            load = os.getloadavg()
            runs = measure(server.url, args.repeats)
    measured = {"machine": machine(), "targets": TARGETS, "load_average": load, "runs": runs}
    report.write_json(args.output, measured)
    print_table(measured)


def print_table(measured):
    runs = measured["runs"]
    later = runs[1:] or runs
    rows = [
        ["open the tab → scene drawn (first, server cold)", f"{runs[0]['open_s']:.2f} s", "—"],
        ["open the tab → scene drawn (later, median)", f"{statistics.median(r['open_s'] for r in later):.2f} s", "—"],
        [
            "of which TensorBoard's page until the plugin frame starts (first · later median)",
            f"{runs[0]['frame_start_s']:.2f} · {statistics.median(r['frame_start_s'] for r in later):.2f} s",
            "—",
        ],
        [
            "plugin frame start → scene drawn (first · later median)",
            f"{runs[0]['open_in_frame_s']:.2f} · {statistics.median(r['open_in_frame_s'] for r in later):.2f} s",
            f"≤ {TARGETS['open_s']} s",
        ],
    ]
    for what, key, target in (
        ("every body received", "scrub_received_s", "—"),
        ("every layer loaded", "scrub_loaded_s", "—"),
        ("every layer redrawn", "scrub_s", f"≤ {TARGETS['scrub_s']} s"),
    ):
        times = [t for run in runs for t in run[key]]
        rows.append(
            [f"step change → {what} (median · max)", f"{statistics.median(times):.2f} · {max(times):.2f} s", target]
        )
    print(f"\nScene of 5 layers ({', '.join(LAYERS)}), headless Chromium; load average {measured['load_average']}")
    print(report.table([("measure", "l"), ("time", "r"), ("target", "r")], rows))


if __name__ == "__main__":
    main()

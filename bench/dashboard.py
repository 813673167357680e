"""The 3D dashboard against TensorBoard's built-in mesh plugin, side by side in one TensorBoard process.

Run with `python -m bench.dashboard [--repeats R]` (needs the test extras for the browser part: `make
test-setup`). For each loader (`--load_fast=true`, RustBoard, and `--load_fast=false`, the Python
loader) it starts one real `tensorboard` over one logdir holding the same meshes (100k and 1M
vertices, twice as many faces, RGB colours) logged by `tb_mesh_plugin.summary.mesh` and by
`tensorboard.plugins.mesh.summary_v2.mesh`, and measures the time and bytes to fetch one step:

- ours: `data/plugin/mesh3d/mesh` (one request, our wire format);
- ours serving the built-in summaries: `data/plugin/mesh3d/builtin_mesh`;
- built-in: what its frontend fetches for one step, `data/plugin/mesh/meshes` (metadata) then
  `data/plugin/mesh/data` for VERTEX, FACE and COLOR.

Our plugin keeps every step (`--samples_per_plugin=mesh3d=0`); the built-in plugin runs with its
default sampling, because with `mesh=0` it passes 0 on as `downsample` and serves nothing.

Then, in headless Chromium through the real 3D tab, the time from a step change to the first frame
drawn for 1M points (a decimated preview first, then the full step; float32 and uint16 positions), and
the cost of one hover pick at 1M points (screen-space, picking.js), beside three.js' Raycaster on the
same number of points (in Node).
Prints a markdown table and writes bench/results/dashboard.json. Times are medians; a benchmark, not a test.
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import numpy as np
import tensorflow as tf
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from bench import report
from bench.measure import machine
from demo import headless_chromium, tensorboard_process
from demo.sample_logdir import twisted_torus
from tb_mesh_plugin import summary

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "dashboard.json"
SIZES = {"100k": 400, "1M": 4000}  # rings of a 250-segment torus: 100k and 1M vertices
STEPS = 2
TARGETS = {"speedup_1M": 20.0, "bytes_ratio": 1.02, "first_frame_1M_s": 1.5}


def write_logdir(logdir):
    """Meshes of each size by both summary APIs, and 1M-point clouds (float32 and uint16) for the browser."""
    with tf.summary.create_file_writer(str(logdir / "bench")).as_default():
        for size, rings in SIZES.items():
            for step in range(STEPS):
                vertices, faces, colors = twisted_torus(0.5 * step, rings=rings, segments=250)
                colors = np.round(colors * 255).astype(np.uint8)
                summary.mesh(f"ours/{size}", vertices, faces, colors, step=step)
                mesh_summary.mesh(f"builtin/{size}", vertices[None], faces=faces[None], colors=colors[None], step=step)
    points = np.random.default_rng(0).normal(size=(STEPS, 1_000_000, 3)).astype(np.float32)
    with tf.summary.create_file_writer(str(logdir / "browser")).as_default():
        for step in range(STEPS):
            summary.point_cloud("points/float32", points[step] * (1 + step), step=step)
            summary.point_cloud("points/uint16", points[step] * (1 + step), quantize="uint16", step=step)


def _get(url):
    with urllib.request.urlopen(url, timeout=600) as response:
        return response.read()


def timed(fetch, repeats):
    """(median seconds, bytes) of `fetch()`, which returns the bytes it received, after a warm-up."""
    fetch()
    times, size = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        size = fetch()
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def fetch_cases(url, size, step):
    """{name: fetch()} for one step of the `size` mesh."""
    ours = f"{url}/data/plugin/mesh3d"
    query = lambda tag: urllib.parse.urlencode({"run": "bench", "tag": tag, "step": step})  # noqa: E731

    def builtin():
        base, tag = f"{url}/data/plugin/mesh", f"builtin/{size}"
        total = len(_get(f"{base}/meshes?{urllib.parse.urlencode({'run': 'bench', 'tag': tag})}"))
        for content in ("VERTEX", "FACE", "COLOR"):
            params = {"run": "bench", "tag": tag, "step": step, "sample": 0, "content_type": content}
            total += len(_get(f"{base}/data?{urllib.parse.urlencode(params)}"))
        return total

    return {
        "ours": lambda: len(_get(f"{ours}/mesh?{query(f'ours/{size}')}")),
        "ours (built-in summaries)": lambda: len(_get(f"{ours}/builtin_mesh?{query(f'builtin/{size}')}")),
        "built-in mesh plugin": builtin,
    }


def raw_bytes(rings):
    vertices = rings * 250
    return vertices * 12 + 2 * vertices * 12 + vertices * 3


# Measures, in the plugin frame, a step change of the card of `tag`: ms to the preview's frame (if any)
# and to the full step's frame (the card reads "ready" once that frame is drawn).
STEP_CHANGE = """async (tag) => {
  const card = document.querySelector(`.mesh3d-card[data-tag="${tag}"]`);
  const slider = card.querySelector('.mesh3d-step');
  const index = slider.value === '0' ? 1 : 0;
  const start = performance.now();
  let preview = null;
  const full = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (card.dataset.preview === 'shown' && preview === null) {
        preview = -1;
        requestAnimationFrame(() => { preview = performance.now() - start; });
      }
      if (card.dataset.state === 'ready' && card.dataset.step === String(index)) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(card, {attributes: true});
  });
  slider.value = String(index);
  slider.dispatchEvent(new Event('input'));
  return {full: await full, preview};
}"""

# Hovers the centre of the card's view `count` times; returns the GPU pick times (ms) the card measured.
PICKS = """async ([tag, count]) => {
  const card = document.querySelector(`.mesh3d-card[data-tag="${tag}"]`);
  const view = card.querySelector('.mesh3d-view');
  const rect = view.getBoundingClientRect();
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const times = [];
  for (let i = 0; i < count; i++) {
    const init = {
      clientX: rect.left + rect.width / 2 + (i % 5), clientY: rect.top + rect.height / 2, buttons: 0, bubbles: true,
    };
    view.dispatchEvent(new PointerEvent('pointermove', init));
    await frame();
    await frame();
    times.push(Number(card.dataset.pickMs));
  }
  return {times, picked: card.dataset.picked ?? null};
}"""

RAYCAST = """
import * as THREE from 'three';
const count = 1_000_000;
const positions = new Float32Array(count * 3);
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
for (let i = 0; i < positions.length; i++) positions[i] = random();
const geometry = new THREE.BufferGeometry();
geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
const points = new THREE.Points(geometry, new THREE.PointsMaterial());
const camera = new THREE.PerspectiveCamera(45, 1, 0.1, 100);
camera.position.set(0, 0, 4);
camera.updateMatrixWorld();
const raycaster = new THREE.Raycaster();
raycaster.params.Points.threshold = 0.01;
raycaster.setFromCamera(new THREE.Vector2(0.01, 0.02), camera);
raycaster.intersectObject(points);
const times = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  raycaster.intersectObject(points);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({median_ms: times[2]}));
"""


def browser_measurements(url, repeats):
    """First-frame times after a step change and GPU pick costs at 1M points, in headless Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "needs playwright: run `make test-setup` first"}
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=headless_chromium.executable_path(), args=headless_chromium.ARGS
        )
        for tag in ("points/float32", "points/uint16"):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # One card on the page (the tag filter in the URL): what one 1M-point card costs.
            page.goto(f"{url}/#mesh3d&p.mesh3d.filter={urllib.parse.quote(f'^{tag}$', safe='')}")
            frame_locator = page.frame_locator('iframe[src*="plugin_entry.html?name=mesh3d"]')
            frame_locator.locator(".mesh3d-card[data-state=ready]").wait_for(timeout=180_000)
            frame = next(f for f in page.frames if "plugin_entry.html" in f.url)
            runs = [frame.evaluate(STEP_CHANGE, tag) for _ in range(repeats + 1)][1:]
            picks = frame.evaluate(PICKS, [tag, 21])
            results[tag] = {
                "first_frame_preview_s": statistics.median(r["preview"] for r in runs) / 1000,
                "full_step_drawn_s": statistics.median(r["full"] for r in runs) / 1000,
                "pick_ms": statistics.median(picks["times"][1:]),
                "pick_hit": picks["picked"] is not None,
            }
            page.close()
        browser.close()
    raycast = subprocess.run(
        ["node", "--input-type=module", "-e", RAYCAST],
        cwd=ROOT / "frontend",
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    results["three_raycaster_ms"] = json.loads(raycast.stdout)["median_ms"]
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    measured = {"machine": machine(), "targets": TARGETS, "fetch": {}, "browser": None}
    with tempfile.TemporaryDirectory() as tmp:
        logdir = pathlib.Path(tmp) / "logs"
        print("writing the benchmark logdir ...", file=sys.stderr)
        write_logdir(logdir)
        for load_fast in ("true", "false"):
            loader = "RustBoard" if load_fast == "true" else "Python loader"
            flags = (f"--load_fast={load_fast}", "--samples_per_plugin=mesh3d=0")
            with tensorboard_process.tensorboard(logdir, *flags) as server:
                url = server.url
                for size, rings in SIZES.items():
                    row = {"raw_bytes": raw_bytes(rings)}
                    for name, fetch in fetch_cases(url, size, STEPS - 1).items():
                        repeats = 1 if name == "built-in mesh plugin" and size == "1M" else args.repeats
                        seconds, received = timed(fetch, repeats)
                        row[name] = {"seconds": seconds, "bytes": received}
                        print(f"{loader} {size} {name}: {seconds:.3f} s, {received} bytes", file=sys.stderr)
                    measured["fetch"][f"{loader} {size}"] = row
                if load_fast == "true":
                    measured["browser"] = browser_measurements(url, args.repeats)
    report.write_json(RESULTS, measured)
    print_tables(measured)


def _cell(fetch):
    return f"{fetch['seconds'] * 1000:.0f} ms, {fetch['bytes'] / 2**20:.1f} MiB"


def print_tables(measured):
    columns = [
        (title, "l")
        for title in (
            "loader, mesh",
            "ours",
            "ours (built-in summaries)",
            "built-in mesh plugin",
            "speed-up",
            "bytes / raw arrays",
        )
    ]
    rows = []
    for key, row in measured["fetch"].items():
        ours, theirs = row["ours"], row["built-in mesh plugin"]
        rows.append(
            [
                key,
                _cell(ours),
                _cell(row["ours (built-in summaries)"]),
                _cell(theirs),
                f"{theirs['seconds'] / ours['seconds']:.0f}×",
                f"{ours['bytes'] / row['raw_bytes']:.4f}",
            ]
        )
    print(report.table(columns, rows))
    browser = measured["browser"] or {}
    if "skipped" in browser:
        print(f"\nBrowser measurements skipped: {browser['skipped']}")
        return
    columns = [
        (title, "l")
        for title in (
            "1M points, headless Chromium (SwiftShader)",
            "first frame after a step change (preview)",
            "full step drawn",
            "hover pick",
        )
    ]
    rows = [
        [
            tag,
            f"{browser[tag]['first_frame_preview_s']:.2f} s",
            f"{browser[tag]['full_step_drawn_s']:.2f} s",
            f"{browser[tag]['pick_ms']:.1f} ms (hit: {browser[tag]['pick_hit']})",
        ]
        for tag in ("points/float32", "points/uint16")
    ]
    print()
    print(report.table(columns, rows))
    print(f"\nthree.js Raycaster on 1M points (CPU, Node): {browser['three_raycaster_ms']:.1f} ms a pick")


if __name__ == "__main__":
    main()

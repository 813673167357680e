"""The 3D dashboard against TensorBoard's built-in mesh plugin, side by side in one TensorBoard process.

Run with `python -m bench.dashboard [--repeats R]` (needs the test extras for the browser part: `make
test-setup`); `--parts`, `--sizes` and `--loaders` run a part of it (e.g. `--parts fetch memory --sizes 1M`),
`--logdir DIR` writes the logdir once and reuses it. For each loader (`--load_fast=true`, RustBoard,
and `--load_fast=false`, the Python loader) it starts one real `tensorboard` over one logdir holding the
same meshes (100k and 1M vertices, twice as many faces, RGB colours) logged by `tb_mesh_plugin.summary.mesh` and by
`tensorboard.plugins.mesh.summary_v2.mesh`, and measures the time and bytes to fetch one step:

- ours, first read: `data/plugin/mesh3d/mesh` (one request, our wire format), each time a step the
  plugin's response cache does not hold (a distinct `max_points` above the vertex count: the same
  full step, under another cache key; every answer is checked to be a cache miss);
- ours, repeat: the same request again, answered from the cache; its server-side time is the
  plugin's `Server-Timing` header (the handler's time, without sending the body);
- ours, revalidation: the request with the step's `ETag` in `If-None-Match` (answered 304);
- ours serving the built-in summaries: `data/plugin/mesh3d/builtin_mesh` (first reads, as above);
- built-in: what its frontend fetches for one step, `data/plugin/mesh/meshes` (metadata) then
  `data/plugin/mesh/data` for VERTEX, FACE and COLOR.

Our plugin keeps every step (`--samples_per_plugin=mesh3d=0`); the built-in plugin runs with its
default sampling, because with `mesh=0` it passes 0 on as `downsample` and serves nothing. The
response cache gets a budget of CACHE_MB. Measurements start once the loader lists every step.

Memory: in a fresh `tensorboard` per loader and cache budget (0, the cache off, and CACHE_MB), every
distinct step and preview of the logdir is read once (several times the budget) while the resident
memory of the process is sampled; the difference between the two budgets is what the cache holds.

Then a prototype: the same bytes as a 1M-vertex step stored as one blob or split into k blobs of one
step, read with k concurrent `read_blob` calls from a RustBoard data server and from the Python
loader, to see whether splitting large samples would bring the first read down.

Then, in headless Chromium through the real 3D tab, the time from a step change to the first frame
drawn for 1M points (a decimated preview first, then the full step; float32 and uint16 positions), and
the cost of one hover pick at 1M points (screen-space, picking.js), beside three.js' Raycaster on the
same number of points (in Node).
Prints a markdown table and writes bench/results/dashboard.json. Times are medians; a benchmark, not a test.
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import tensorflow as tf
from tensorboard.plugins.mesh import summary_v2 as mesh_summary

from bench import report
from bench.measure import machine
from demo import data_providers, headless_chromium, tensorboard_process
from demo.sample_logdir import twisted_torus
from tb_mesh_plugin import response_cache, summary

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "dashboard.json"
SIZES = {"100k": 400, "1M": 4000}  # rings of a 250-segment torus: 100k and 1M vertices
STEPS = 2
TARGETS = {
    "speedup_1M": {"RustBoard": 50.0, "Python loader": 80.0},
    "repeat_server_ms": 10.0,
    "bytes_ratio": 1.02,
    "first_frame_1M_s": 1.5,
}
CACHE_MB = 64
SPLITS = (1, 2, 4, 8, 16)  # blobs per step in the split-blob prototype
LOADERS = {"rustboard": ("RustBoard", "true"), "python": ("Python loader", "false")}  # name, --load_fast
PARTS = ("memory", "fetch", "split", "browser")


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


def _get(url, headers=None):
    """(status, body, response headers) of a GET; a 304 is an answer, not an error."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=600) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as e:
        if e.code != 304:
            raise
        return e.code, e.read(), e.headers


def _server_ms(headers):
    """The plugin's own time for a response, from its `Server-Timing: mesh3d;dur=MS` header."""
    return float(headers["Server-Timing"].split("dur=")[1])


def timed(fetch, repeats):
    """Medians over `repeats` calls of `fetch()` after a warm-up: `{"seconds", "bytes", "server_ms"}`.

    `fetch()` returns `(bytes received, server ms or None)`.
    """
    fetch()
    times, server, size = [], [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        size, server_ms = fetch()
        times.append(time.perf_counter() - start)
        server.append(server_ms)
    server_ms = statistics.median(server) if None not in server else None
    return {"seconds": statistics.median(times), "bytes": size, "server_ms": server_ms}


def fetch_cases(url, size, step):
    """{name: fetch()} for one step of the `size` mesh; see the module docstring."""
    ours = f"{url}/data/plugin/mesh3d"
    fresh = iter(range(10**7, 2 * 10**7))  # max_points above any vertex count: full steps, distinct keys

    def query(tag, **extra):
        return urllib.parse.urlencode({"run": "bench", "tag": tag, "step": step, **extra})

    def first_read(route, tag):
        def fetch():
            status, body, headers = _get(f"{ours}/{route}?{query(tag, max_points=next(fresh))}")
            assert status == 200 and headers["X-Mesh3d-Cache"] == "miss", (status, headers)
            return len(body), _server_ms(headers)

        return fetch

    warmed = []

    def repeat():  # timed()'s warm-up call reads the step; every later one is a hit
        status, body, headers = _get(f"{ours}/mesh?{query(f'ours/{size}')}")
        assert status == 200 and (headers["X-Mesh3d-Cache"] == "hit" or not warmed), (status, headers)
        warmed.append(True)
        return len(body), _server_ms(headers)

    etags = []

    def revalidate():  # timed()'s warm-up call fetches the step's ETag; the timed calls only revalidate
        if not etags:
            etags.append(_get(f"{ours}/mesh?{query(f'ours/{size}')}")[2]["ETag"])
        status, body, answer = _get(f"{ours}/mesh?{query(f'ours/{size}')}", {"If-None-Match": etags[0]})
        assert status == 304 and not body, status
        return 0, _server_ms(answer)

    def builtin():
        base, tag = f"{url}/data/plugin/mesh", f"builtin/{size}"
        total = len(_get(f"{base}/meshes?{urllib.parse.urlencode({'run': 'bench', 'tag': tag})}")[1])
        for content in ("VERTEX", "FACE", "COLOR"):
            params = {"run": "bench", "tag": tag, "step": step, "sample": 0, "content_type": content}
            total += len(_get(f"{base}/data?{urllib.parse.urlencode(params)}")[1])
        return total, None

    return {
        "ours": first_read("mesh", f"ours/{size}"),
        "ours, repeat": repeat,
        "ours, 304": revalidate,
        "ours (built-in summaries)": first_read("builtin_mesh", f"builtin/{size}"),
        "built-in mesh plugin": builtin,
    }


def _process_id(port):
    """The id of the `tensorboard` process started with `--port port` (where the plugin and its cache live)."""
    for entry in pathlib.Path("/proc").iterdir():
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (
            entry.name.isdigit()
            and b"--port" in arguments
            and arguments[arguments.index(b"--port") + 1] == str(port).encode()
        ):
            return int(entry.name)
    raise LookupError(f"no process was started with --port {port}")


def _rss_mib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")


def _wait_loaded(url):
    """Waits until the loader lists every step of every tag, so loading does not overlap the measurements."""

    def loaded():
        try:
            runs = json.loads(_get(f"{url}/data/plugin/mesh3d/tags")[1])["runs"]
        except OSError:
            return False
        counts = [len(entry["steps"]) for tags in runs.values() for entry in tags.values()]
        return len(counts) == 2 * len(SIZES) + 2 and set(counts) == {STEPS}

    tensorboard_process.wait_until(loaded, 600, "the benchmark logdir to be loaded")


def cache_memory(url, tags):
    """Reads every distinct step and preview of `tags` once, sampling the tensorboard process' RSS.

    Returns the RSS (MiB) before, at most while reading (which includes the copies a request makes
    while it runs) and after the last read, the bytes read and the cache budget.
    """
    port = int(url.rsplit(":", 1)[1])
    pid = _process_id(port)
    before = peak = _rss_mib(pid)
    read = 0
    for (route, tag), steps in tags.items():
        for step in steps:
            for max_points in (None, 65_536, 262_144):
                params = {
                    "run": "bench",
                    "tag": tag,
                    "step": step,
                    **({"max_points": max_points} if max_points else {}),
                }
                _, body, _ = _get(f"{url}/data/plugin/mesh3d/{route}?{urllib.parse.urlencode(params)}")
                read += len(body)
                peak = max(peak, _rss_mib(pid))
    return {
        "rss_before_mib": before,
        "rss_peak_mib": peak,
        "rss_after_mib": _rss_mib(pid),
        "distinct_mib_read": read / 2**20,
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
    const x = rect.left + rect.width / 2 + (i % 5);
    const init = {clientX: x, clientY: rect.top + rect.height / 2, buttons: 0, bubbles: true};
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


def _read_split_steps(data_provider, repeats, step_bytes):
    """{k: median ms} to read each step of tags `parts{k}` through `data_provider`, its k blobs at once."""
    from tensorboard import context

    ctx = context.RequestContext()

    def loaded():
        series = data_provider.read_blob_sequences(ctx, experiment_id="", plugin_name="split_probe", downsample=10**6)
        tags = series.get("run", {})
        return tags if all(len(tags.get(f"parts{k}", [])) == repeats for k in SPLITS) else None

    deadline = time.monotonic() + 300
    while not (tags := loaded()):
        if time.monotonic() > deadline:
            raise TimeoutError("the loader did not load the split-blob logdir")
        time.sleep(0.2)
    times = {k: [] for k in SPLITS}
    with concurrent.futures.ThreadPoolExecutor(max(SPLITS)) as pool:
        for step in range(repeats):  # interleaved, so a busy moment of the machine hits every k alike
            for k in SPLITS:
                keys = [value.blob_key for value in tags[f"parts{k}"][step].values]
                start = time.perf_counter()
                parts = list(pool.map(lambda key: data_provider.read_blob(ctx, blob_key=key), keys))
                times[k].append(time.perf_counter() - start)
                assert sum(map(len, parts)) == step_bytes
    return {k: statistics.median(t) * 1000 for k, t in times.items()}


def split_blob_probe(tmp, step_bytes, repeats):
    """Per loader, {k: median ms} to read one step of `step_bytes` bytes stored as k blobs, read k at once."""
    from tensorboard.compat.proto import summary_pb2

    logdir = pathlib.Path(tmp) / "split"
    data = np.random.default_rng(1).bytes(step_bytes)
    plugin_data = summary_pb2.SummaryMetadata.PluginData(plugin_name="split_probe")
    blob_sequence = summary_pb2.SummaryMetadata(
        plugin_data=plugin_data, data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE
    )
    with tf.summary.create_file_writer(str(logdir / "run")).as_default():
        for k in SPLITS:
            part = -(-step_bytes // k)
            for step in range(repeats):
                parts = tf.constant([data[i * part : (i + 1) * part] for i in range(k)])
                tf.summary.write(f"parts{k}", parts, step=step, metadata=blob_sequence)
    with data_providers.rustboard_data_provider(logdir, {"split_probe": 0}) as data_provider:
        result = {"RustBoard": _read_split_steps(data_provider, repeats, step_bytes)}
    python_loader = data_providers.python_data_provider(logdir, {"split_probe": 0})
    result["Python loader"] = _read_split_steps(python_loader, repeats, step_bytes)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS, help="what to measure (default: all)")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES), help="meshes to fetch")
    parser.add_argument("--loaders", nargs="+", choices=list(LOADERS), default=list(LOADERS))
    parser.add_argument("--no-browser", action="store_true", help="skip the measurements in headless Chromium")
    parser.add_argument("--logdir", type=pathlib.Path, help="the benchmark logdir: written if missing, else reused")
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS, help="the JSON report")
    args = parser.parse_args()
    parts = set(args.parts) - ({"browser"} if args.no_browser else set())

    measured = {"machine": machine(), "targets": TARGETS, "fetch": {}, "cache_memory": {}, "browser": None}
    tags = {("mesh", f"ours/{size}"): range(STEPS) for size in SIZES}
    tags.update({("builtin_mesh", f"builtin/{size}"): range(STEPS) for size in SIZES})
    with tempfile.TemporaryDirectory() as tmp:
        logdir = args.logdir or pathlib.Path(tmp) / "logs"
        if not logdir.exists():
            print("writing the benchmark logdir ...", file=sys.stderr)
            write_logdir(logdir)
        for loader, load_fast in (LOADERS[name] for name in args.loaders):
            flags = (f"--load_fast={load_fast}", "--samples_per_plugin=mesh3d=0")
            for budget in (0, CACHE_MB) if "memory" in parts else ():  # the difference in RSS: what the cache holds
                os.environ[response_cache.ENVIRONMENT_VARIABLE] = str(budget)
                with tensorboard_process.tensorboard(logdir, *flags) as server:
                    _wait_loaded(server.url)
                    measured["cache_memory"][f"{loader}, {budget} MiB"] = cache_memory(server.url, tags)
            if not parts & {"fetch", "browser"}:
                continue
            os.environ[response_cache.ENVIRONMENT_VARIABLE] = str(CACHE_MB)
            with tensorboard_process.tensorboard(logdir, *flags) as server:
                _wait_loaded(server.url)
                for size in args.sizes if "fetch" in parts else ():
                    row = {"raw_bytes": raw_bytes(SIZES[size]), "load_average": os.getloadavg()}
                    for name, fetch in fetch_cases(server.url, size, STEPS - 1).items():
                        repeats = 1 if name == "built-in mesh plugin" and size == "1M" else args.repeats
                        row[name] = timed(fetch, repeats)
                        print(f"{loader} {size} {name}: {row[name]}", file=sys.stderr)
                    row["load_average_after"] = os.getloadavg()
                    measured["fetch"][f"{loader} {size}"] = row
                if load_fast == "true" and "browser" in parts:
                    measured["browser"] = browser_measurements(server.url, args.repeats)
        if "split" in parts:
            print("split-blob prototype ...", file=sys.stderr)
            fetched = measured["fetch"].get(f"RustBoard {list(SIZES)[-1]}")
            step_bytes = fetched["ours"]["bytes"] if fetched else raw_bytes(SIZES[list(SIZES)[-1]])
            measured["split_blob_probe_ms"] = split_blob_probe(tmp, step_bytes, max(5, 2 * args.repeats))
    report.write_json(args.output, measured)
    print_tables(measured)


def print_tables(measured):
    print(
        "| loader, mesh | ours, first read (server) | repeat (server) | 304 (server) | ours (built-in summaries) "
        "| built-in mesh plugin | speed-up, first read | bytes / raw arrays | load average |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for key, row in measured["fetch"].items():
        ours, theirs = row["ours"], row["built-in mesh plugin"]
        cell = lambda r: f"{r['seconds'] * 1000:.0f} ms, {r['bytes'] / 2**20:.1f} MiB"  # noqa: E731
        timing = lambda r: f"{r['seconds'] * 1000:.1f} ms ({r['server_ms']:.1f} ms)"  # noqa: E731
        load = lambda r: f"{r['load_average'][0]:.1f}–{r['load_average_after'][0]:.1f}"  # noqa: E731
        print(
            f"| {key} | {timing(ours)} | {timing(row['ours, repeat'])} | {timing(row['ours, 304'])} | "
            f"{cell(row['ours (built-in summaries)'])} | {cell(theirs)} | {theirs['seconds'] / ours['seconds']:.0f}× | "
            f"{ours['bytes'] / row['raw_bytes']:.4f} | {load(row)} |"
        )
    print("\n| loader, cache budget | distinct bodies read | tensorboard RSS before | at most while reading | after |")
    print("|---|---|---|---|---|")
    for key, m in measured["cache_memory"].items():
        grown = lambda mib: f"{mib:.0f} MiB ({mib - m['rss_before_mib']:+.0f})"  # noqa: E731
        print(
            f"| {key} | {m['distinct_mib_read']:.0f} MiB | {m['rss_before_mib']:.0f} MiB | "
            f"{grown(m['rss_peak_mib'])} | {grown(m['rss_after_mib'])} |"
        )
    probe = measured.get("split_blob_probe_ms")
    if probe:
        print_split_probe(probe)
    print_browser(measured["browser"])


def print_split_probe(probe):
    print("\n| one 1M-vertex step stored as k blobs, read at once | " + " | ".join(f"k = {k}" for k in SPLITS) + " |")
    print("|---|" + "---|" * len(SPLITS))
    for loader, times in probe.items():
        print(f"| {loader}, read_blob (median) | " + " | ".join(f"{times[k]:.0f} ms" for k in SPLITS) + " |")


def print_browser(browser):
    if not browser:
        return
    if "skipped" in browser:
        print(f"\nBrowser measurements skipped: {browser['skipped']}")
        return
    print(
        "\n| 1M points, headless Chromium (SwiftShader) | first frame after a step change (preview) "
        "| full step drawn | hover pick |"
    )
    print("|---|---|---|---|")
    for tag in ("points/float32", "points/uint16"):
        r = browser[tag]
        print(
            f"| {tag} | {r['first_frame_preview_s']:.2f} s | {r['full_step_drawn_s']:.2f} s | "
            f"{r['pick_ms']:.1f} ms (hit: {r['pick_hit']}) |"
        )
    print(f"\nthree.js Raycaster on 1M points (CPU, Node): {browser['three_raycaster_ms']:.1f} ms a pick")


if __name__ == "__main__":
    main()

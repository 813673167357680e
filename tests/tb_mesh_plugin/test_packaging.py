"""Packaging from a clean source tree: `python -m build` makes an sdist and a wheel that carry the built frontend,
its licence notices and the entry point, and both install without Node."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import zipfile

import numpy as np
import pytest
import tensorflow as tf

import tb_mesh_plugin
from tb_mesh_plugin import summary
from tests.e2e.tensorboard_process import tensorboard

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILT = shutil.ignore_patterns(
    "node_modules",
    "static",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "runs",
    "artifacts",
    ".git",
    ".pytest_cache",
    ".hypothesis",
    "results",
)
VERSION = tb_mesh_plugin.__version__
TIMEOUT_S = 900


def _copy_clean_tree(destination):
    """A copy of the sources without anything built (as in a fresh clone)."""
    shutil.copytree(ROOT, destination, ignore=BUILT)
    return destination


def _environment_without_node(tmp_path):
    """This process' environment with a PATH that holds only this Python: no node, no npm."""
    bin_dir = tmp_path / "bin-without-node"
    bin_dir.mkdir(exist_ok=True)
    for name in ("python", "python3"):
        if not (bin_dir / name).exists():
            (bin_dir / name).symlink_to(sys.executable)
    return {**os.environ, "PATH": str(bin_dir)}


@pytest.fixture(scope="module")
def distributions(tmp_path_factory):
    """The sdist and the wheel that `python -m build` makes from a clean tree."""
    work = tmp_path_factory.mktemp("packaging")
    tree = _copy_clean_tree(work / "src")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(tree)],
        check=True,
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    [sdist] = (work / "dist").glob("tb_mesh_plugin-*.tar.gz")
    [wheel] = (work / "dist").glob("tb_mesh_plugin-*.whl")
    return sdist, wheel


def test_the_wheel_carries_the_bundle_notices_licence_entry_point_and_one_version(distributions):
    _, wheel = distributions
    assert wheel.name.startswith(f"tb_mesh_plugin-{VERSION}-")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        bundle = archive.read("tb_mesh_plugin/static/index.js")
        notices = archive.read("tb_mesh_plugin/static/THIRD_PARTY_NOTICES.txt").decode()
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata).decode()
        assert "mesh3d = tb_mesh_plugin.plugin:MeshPlugin" in archive.read(entry_points).decode()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert b"render" in bundle and len(bundle) > 100_000  # three.js is bundled, not fetched from a CDN
    assert "graphics_ops/__init__.py" in names
    for package in ("three", "d3-color", "d3-scale-chromatic"):
        assert f"\n{package} " in notices, f"{package}'s licence is missing from the notices"
    assert "MIT License" in notices or "Permission is hereby granted" in notices
    assert f"Version: {VERSION}\n" in metadata
    assert "License-Expression: Apache-2.0" in metadata
    assert "Requires-Dist: werkzeug" in metadata
    assert 'Requires-Dist: tensorflow<3,>=2.16; extra == "tf"' in metadata
    requirements = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert not [line for line in requirements if "tensorflow-cpu" in line]
    assert 'Requires-Dist: trimesh<6,>=4; extra == "mesh"' in metadata


def test_the_sdist_carries_the_built_bundle_and_builds_a_wheel_without_node(distributions, tmp_path):
    sdist, _ = distributions
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    root = sdist.name.removesuffix(".tar.gz")
    for path in ("tb_mesh_plugin/static/index.js", "tb_mesh_plugin/static/THIRD_PARTY_NOTICES.txt", "LICENSE"):
        assert f"{root}/{path}" in names
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(sdist)],
        env=_environment_without_node(tmp_path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [wheel] = (tmp_path / "dist").glob("tb_mesh_plugin-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert len(archive.read("tb_mesh_plugin/static/index.js")) > 100_000


def test_the_wheel_installs_into_a_fresh_venv_without_node_and_serves_the_tab(distributions, tmp_path):
    _, wheel = distributions
    environment = _environment_without_node(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT_S)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import importlib.util as u; print(u.find_spec('tensorflow'))"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.stdout.strip() == "None", "viewing must not pull in TensorFlow"

    logdir = tmp_path / "logs"
    with tf.summary.create_file_writer(str(logdir / "train")).as_default():
        summary.point_cloud("cloud", np.zeros([7, 3], np.float32), step=3)
    with tensorboard(logdir, executable=venv / "bin" / "tensorboard", env=environment) as url:
        with urllib.request.urlopen(f"{url}/data/plugin/mesh3d/index.js", timeout=30) as response:
            assert b"render" in response.read()
        with urllib.request.urlopen(f"{url}/data/plugin/mesh3d/tags", timeout=30) as response:
            listing = json.load(response)
    assert [entry["step"] for entry in listing["runs"]["train"]["cloud"]["steps"]] == [3]


def test_building_from_a_clone_without_npm_stops_with_a_message_naming_npm(tmp_path):
    tree = _copy_clean_tree(tmp_path / "src")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "dist"), str(tree)],
        env=_environment_without_node(tmp_path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert result.returncode != 0
    assert "needs npm" in result.stdout + result.stderr
    assert not list((tmp_path / "dist").glob("*.whl")) if (tmp_path / "dist").exists() else True

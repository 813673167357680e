"""Packaging from a clean source tree: the wheel carries the built frontend and the entry point."""

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

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
)


@pytest.fixture
def clean_tree(tmp_path):
    """A copy of the sources without anything built (as in a fresh clone)."""
    tree = tmp_path / "src"
    shutil.copytree(ROOT, tree, ignore=BUILT)
    return tree


def test_wheel_from_a_clean_tree_contains_the_frontend_bundle_and_entry_point(clean_tree, tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(clean_tree)],
        check=True,
        timeout=600,
    )
    [wheel] = (tmp_path / "dist").glob("tb_mesh_plugin-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        bundle = archive.read("tb_mesh_plugin/static/index.js")
        [entry_points] = [n for n in names if n.endswith("entry_points.txt")]
        assert "mesh3d = tb_mesh_plugin.plugin:MeshPlugin" in archive.read(entry_points).decode()
    assert b"render" in bundle and len(bundle) > 100_000  # three.js is bundled, not fetched from a CDN
    assert "graphics_ops/__init__.py" in names


def test_building_without_npm_stops_with_a_message_naming_npm(clean_tree, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    result = subprocess.run(
        [str(bin_dir / "python"), "setup.py", "-q", "build_py"],
        cwd=clean_tree,
        env={**os.environ, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "needs npm" in result.stdout + result.stderr
    assert not (clean_tree / "tb_mesh_plugin" / "static" / "index.js").exists()

"""Builds the frontend bundle into the package; all other metadata is in pyproject.toml.

`build_py` (wheels, installs) and `sdist` both run `npm ci` and esbuild first when the bundle is missing or
older than its sources, so a wheel or sdist carries tb_mesh_plugin/static/ and installing either needs no Node.
"""

import json
import pathlib
import shutil
import subprocess

import setuptools
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = pathlib.Path(__file__).resolve().parent
FRONTEND = ROOT / "frontend"
STATIC = ROOT / "tb_mesh_plugin" / "static"
BUNDLE = STATIC / "index.js"
NOTICES = STATIC / "THIRD_PARTY_NOTICES.txt"


def _bundle_is_stale():
    if not BUNDLE.exists() or not NOTICES.exists():
        return True
    built = min(BUNDLE.stat().st_mtime, NOTICES.stat().st_mtime)
    sources = [FRONTEND / "package-lock.json", FRONTEND / "build.mjs", *FRONTEND.glob("src/**/*.js")]
    return any(path.stat().st_mtime > built for path in sources if path.exists())


def write_third_party_notices():
    """Writes the licences of the npm packages bundled into index.js (the lock file's non-dev packages)."""
    lock = json.loads((FRONTEND / "package-lock.json").read_text(encoding="utf-8"))
    sections = []
    for path, package in sorted(lock["packages"].items()):
        if not path.startswith("node_modules/") or package.get("dev"):
            continue
        folder = FRONTEND / path
        licences = sorted(folder.glob("LICEN[CS]E*"))
        if not licences:
            raise SystemExit(f"tb-mesh-plugin: {path} has no licence file to put in {NOTICES.name}")
        name = path.removeprefix("node_modules/")
        text = licences[0].read_text(encoding="utf-8").strip()
        sections.append(f"{name} {package['version']} ({package.get('license', 'see below')})\n\n{text}\n")
    header = "tb_mesh_plugin/static/index.js bundles the following packages, under these licences.\n"
    NOTICES.write_text("\n".join([header, *sections]).replace("\n\n\n", "\n\n"), encoding="utf-8")


def build_frontend():
    """Builds tb_mesh_plugin/static/ from frontend/ (npm ci, esbuild, licence notices) if it is stale."""
    if not (FRONTEND / "package.json").exists() or not _bundle_is_stale():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "tb-mesh-plugin: building the frontend bundle needs npm (Node.js 18 or newer), which was not "
            "found on PATH. Install Node.js and npm, then build again; or install a wheel or sdist of "
            "tb-mesh-plugin, which carry the built bundle and need no Node."
        )
    if not (FRONTEND / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
    subprocess.run([npm, "run", "--silent", "build"], cwd=FRONTEND, check=True)
    write_third_party_notices()


class BuildPyWithFrontend(build_py):
    """`build_py` that builds the frontend bundle first, so wheels and installs include it."""

    def run(self):
        build_frontend()
        super().run()


class SdistWithFrontend(sdist):
    """`sdist` that builds the frontend bundle first, so installing the sdist needs no Node."""

    def run(self):
        build_frontend()
        super().run()


setuptools.setup(cmdclass={"build_py": BuildPyWithFrontend, "sdist": SdistWithFrontend})

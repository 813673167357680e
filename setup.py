"""Packaging for tb-mesh-plugin. Building the package also builds the frontend bundle with npm."""

import pathlib
import shutil
import subprocess

import setuptools
from setuptools.command.build_py import build_py

ROOT = pathlib.Path(__file__).resolve().parent
FRONTEND = ROOT / "frontend"
BUNDLE = ROOT / "tb_mesh_plugin" / "static" / "index.js"


def _bundle_is_stale():
    if not BUNDLE.exists():
        return True
    built = BUNDLE.stat().st_mtime
    sources = [FRONTEND / "package-lock.json", FRONTEND / "build.mjs", *FRONTEND.glob("src/**/*.js")]
    return any(path.stat().st_mtime > built for path in sources if path.exists())


def build_frontend():
    """Builds tb_mesh_plugin/static/index.js from frontend/ (npm ci, then esbuild)."""
    if not (FRONTEND / "package.json").exists() or not _bundle_is_stale():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "tb-mesh-plugin: building the frontend bundle needs npm (Node.js 18 or newer), which was not "
            "found on PATH. Install Node.js and npm, then install again."
        )
    if not (FRONTEND / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
    subprocess.run([npm, "run", "--silent", "build"], cwd=FRONTEND, check=True)


class BuildPyWithFrontend(build_py):
    """`build_py` that builds the frontend bundle first, so wheels and installs include it."""

    def run(self):
        build_frontend()
        super().run()


setuptools.setup(
    name="tb-mesh-plugin",
    version="0.1.0",
    description="Differentiable 3D graphics ops for TensorFlow and a TensorBoard plugin for meshes and point clouds",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8") if (ROOT / "README.md").exists() else "",
    long_description_content_type="text/markdown",
    packages=setuptools.find_packages(include=["tb_mesh_plugin", "tb_mesh_plugin.*", "graphics_ops", "graphics_ops.*"]),
    package_data={"tb_mesh_plugin": ["static/*"]},
    python_requires=">=3.9",
    install_requires=[
        "tensorboard>=2.16,<3",
        "numpy>=1.23",
        "protobuf>=3.20",
        "pyfarmhash>=0.5,<0.6",  # verifies the checksums (FarmHash Fingerprint64) of stored samples
        "trimesh>=4,<6",  # graphics_ops.mesh.io reads mesh files through it
    ],
    extras_require={
        # Writing summaries and graphics_ops need TensorFlow; viewing logs does not. Use `tensorflow`
        # (the GPU build) instead of this extra where a GPU is available.
        "tf": ["tensorflow-cpu>=2.16,<3"],
        "test": [
            "pytest>=8,<10",
            "hypothesis>=6.100,<7",
            "playwright>=1.45,<2",
            "pillow>=10",
            "scipy>=1.10",
            "ruff>=0.17,<0.18",  # `make lint`
        ],
    },
    entry_points={"tensorboard_plugins": ["mesh3d = tb_mesh_plugin.plugin:MeshPlugin"]},
    cmdclass={"build_py": BuildPyWithFrontend},
    zip_safe=False,
)

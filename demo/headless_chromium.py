"""Headless Chromium as the e2e tests and `bench/dashboard.py` drive it through Playwright: where it is, its flags."""

import os
import shutil

# WebGL2 through SwiftShader without a GPU, and no background traffic or first-run pages.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def executable_path():
    """`$CHROMIUM`, else `chromium` on the PATH, else Debian's /usr/bin/chromium (which may not exist)."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

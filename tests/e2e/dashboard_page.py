"""Reading the 3D tab in a page: its plugin frame and the pixels of a card's view."""

import io

import numpy as np
from PIL import Image


def open_tab(page, url):
    """Opens the 3D tab; returns a frame locator of the plugin's frame."""
    page.goto(f"{url}/#mesh3d")
    return page.frame_locator('iframe[src*="plugin_entry.html?name=mesh3d"]')


def view_pixels(card):
    """The RGB pixels of a card's view, int16 `[H, W, 3]`."""
    png = card.locator(".mesh3d-view").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def fraction_differing(a, b, threshold=24):
    """The fraction of pixels whose largest channel difference exceeds `threshold`.

    Screenshots of a view at a fractional position may differ by a pixel in size: the common part is compared.
    """
    height, width = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    return float(np.mean(np.abs(a[:height, :width] - b[:height, :width]).max(axis=-1) > threshold))

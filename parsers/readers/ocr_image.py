"""A scanned page made fit for Tesseract: grey, despeckled, black on white, no rules.

Tesseract reads a form badly while its table rules are there (it takes them for
text, or splits a row at each one), so long straight runs of ink, the rules,
are whitened before it reads. Shading behind headings goes with the
threshold. Stroke width, the run length of ink across a letter, tells bold
text from regular once the fonts' names are gone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageFilter, ImageOps

INK = 150  # grey levels below this are ink (shading behind headings is lighter)
RULE_INCHES = 0.4, 0.25  # a horizontal / vertical run this long is a rule, not a letter
MAX_PIXELS = 40_000_000  # a page at 300 dpi is 8.7 million
STRIPE = 256  # rows worked on at once


def prepared(image: Image.Image, dpi: float) -> tuple[Image.Image, np.ndarray]:
    """The page as Tesseract should see it, and its ink mask (True where ink is)."""
    grey = ImageOps.exif_transpose(image).convert("L")
    if grey.width * grey.height > MAX_PIXELS:
        scale = (MAX_PIXELS / (grey.width * grey.height)) ** 0.5
        grey = grey.resize((int(grey.width * scale), int(grey.height * scale)))
        dpi *= scale
    grey = grey.filter(ImageFilter.MedianFilter(3))
    ink = np.asarray(grey) < INK
    across, down = (max(20, int(inches * dpi)) for inches in RULE_INCHES)
    rules = _long_runs(ink, across) | _long_runs(ink.T, down).T
    ink &= ~rules
    page = Image.fromarray(~ink)  # one bit a pixel: white paper, black ink
    return page, ink


def _long_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """The pixels in runs of at least ``length`` ink pixels along each row.

    Rows are independent, so they are taken in stripes: the working arrays stay
    a few megabytes whatever the page's size (a worker's memory is limited)."""
    out = np.zeros_like(ink)
    if ink.shape[1] < length:
        return out
    for top in range(0, ink.shape[0], STRIPE):
        out[top : top + STRIPE] = _stripe_runs(ink[top : top + STRIPE], length)
    return out


def _stripe_runs(ink: np.ndarray, length: int) -> np.ndarray:
    width = ink.shape[1]
    counts = np.pad(np.cumsum(ink, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
    full = (counts[:, length:] - counts[:, :-length]) == length  # a run starts here
    # Column j is covered when a run starts anywhere in [j - length + 1, j]: a
    # window sum over the starts, padded so that every window is a plain slice.
    starts = np.pad(full, ((0, 0), (length - 1, length - 1)))
    total = np.pad(np.cumsum(starts, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
    return (total[:, length : length + width] - total[:, :width]) > 0


def stroke_width(ink: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean length of the ink runs across a word's box (left, top, width, height)."""
    left, top, width, height = box
    part: Any = ink[top : top + height, left : left + width]
    if part.size == 0:
        return 0.0
    runs = np.count_nonzero(part[:, 1:] & ~part[:, :-1]) + np.count_nonzero(part[:, 0])
    return float(part.sum()) / max(int(runs), 1)

"""OCR's time budget: set around one document's read, shared by its pages.

Kept apart from ``ocr.py`` so that the sandbox can set it without loading
Tesseract's, Pillow's or numpy's modules into a process that reads plain mail.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

DEFAULT_TIMEOUT = 60.0

_deadline: ContextVar[float | None] = ContextVar("ocr_deadline", default=None)


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """OCR within this block stops ``seconds`` from now, all pages together."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float:
    """Seconds of OCR left (the default budget outside any ``budget`` block)."""
    deadline = _deadline.get()
    return DEFAULT_TIMEOUT if deadline is None else deadline - time.monotonic()

"""Scanned pages and photos read by OCR (Tesseract, through pytesseract).

A page is cleaned (``ocr_image.py``), read by Tesseract into words with their
boxes, and the words go through the same line reader as a PDF's
(``pdf_lines.py``: "Label   value" rows, labels over values, headings), with
the stroke width standing in for bold. A page that gives fewer than three pairs
that way is a letter, not a form, and its text goes through the plain-text
reader (``text.py``: "Label: value" lines, the sign-off and signature). What
OCR reads can be wrong in ways a text layer never is, so every pair says so
(``where="ocr page N"``), the extract is marked (``Extract.ocr``), and it
carries the warning ``SCANNED``.

Tesseract gets its own time budget (``ParsingConfig.ocr_timeout_seconds``),
set around a read with ``ocr_budget.budget(seconds)``: the pages of one
document share it, and a page that would run past it is stopped and said so. Without the
``tesseract`` binary, a scan gets the warning ``UNAVAILABLE`` and no values.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from parsers.document import TICKED, UNTICKED, Extract
from parsers.readers.ocr_budget import remaining
from parsers.readers.ocr_image import prepared, stroke_width
from parsers.readers.pdf_lines import line_pairs
from parsers.readers.pdf_words import Found, Line, Word

if TYPE_CHECKING:
    from PIL import Image

UNAVAILABLE = "scanned; OCR not available"
SCANNED = "scanned page: read by OCR, check the values"
BODY_SIZE = 9.0  # points a body line's height is scaled to, so the line reader's gaps fit
BOLD = 1.45  # stroke width over the page's median: bold
MIN_CONFIDENCE = 30.0
FORM_PAIRS = 3  # fewer pairs by layout: the page is a letter, read as plain text

JUNK = re.compile(r"^[|‘’“”'\"`.,:;_~\-—–»«<>*=+^]+$")
FAR = 4.0  # a lone character this many sizes away from the rest of its line is a speck
BOX_PART = re.compile(r"^[\[\]{}()|!lI1iEeLtcoO0_xX×]{1,4}$")
BRACKETS = re.compile(r"[\[\]{}()|]")


def available() -> bool:
    return shutil.which("tesseract") is not None


@dataclass
class Page:
    lines: list[Line]
    margin: float  # the right edge the text reaches


class OcrStopped(Exception):
    """The time budget ran out before this page was read."""


def read_page(image: Image.Image, dpi: float) -> Page:
    """One page's words, as lines in reading order; ``OcrStopped`` past the budget."""
    import pytesseract

    left = remaining()
    if left <= 1:
        raise OcrStopped
    page, ink = prepared(image, dpi)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread: faster on small pages
    try:
        data = pytesseract.image_to_data(
            page, config="--psm 4", output_type=pytesseract.Output.DICT, timeout=left
        )
    except RuntimeError as exc:  # pytesseract's timeout
        if "timeout" in str(exc).lower():
            raise OcrStopped from None
        raise
    return _lines(data, ink)


def _lines(data: dict, ink: object) -> Page:
    raw: dict[tuple[int, int, int], list[tuple[str, tuple[int, int, int, int], float]]] = {}
    for k, text in enumerate(data["text"]):
        text = text.strip()
        confidence = float(data["conf"][k])
        if not text or confidence < 0:
            continue
        if confidence < MIN_CONFIDENCE and (JUNK.match(text) or _garbled(text)):
            continue  # specks and the stubs of rules
        box = (data["left"][k], data["top"][k], data["width"][k], data["height"][k])
        key = (data["block_num"][k], data["par_num"][k], data["line_num"][k])
        raw.setdefault(key, []).append((text.lstrip("‘“|") or text, box, confidence))
    heights = [statistics.median(b[3] for _, b, _ in words) for words in raw.values()]
    if not heights:
        return Page([], 0.0)
    body = statistics.median(heights)
    scale = BODY_SIZE / body
    strokes = [stroke_width(ink, b) for words in raw.values() for _, b, _ in words]  # type: ignore[arg-type]
    usual = statistics.median(strokes) or 1.0
    lines = []
    n = 0
    for words, height in zip(raw.values(), heights, strict=True):
        size = BODY_SIZE if abs(height - body) <= 0.25 * body else round(height * scale, 1)
        bold = [strokes[n + k] / usual >= BOLD for k in range(len(words))]
        n += len(words)
        # A scan loses the font's size, so a bold line stands a size up, as headings do;
        # punctuation is too thin to judge and goes with the line's words.
        lettered = [b for b, (t, _, _) in zip(bold, words, strict=True) if _lettered(t)]
        heavy = bool(lettered) and sum(lettered) * 2 > len(lettered)
        built = []
        for (text, (x, y, w, h), _), own in zip(words, bold, strict=True):
            thick = own if _lettered(text) else heavy
            built.append(Word(text, x * scale, (x + w) * scale, y * scale, (y + h) * scale,
                              size + (1.0 if thick and size == BODY_SIZE else 0.0), thick))
        line = Line(sorted(_boxes(_trimmed(built)), key=lambda word: word.x0))
        if line.words:
            lines.append(line)
    lines.sort(key=lambda line: line.top)
    margin = max((w.x1 for line in lines for w in line.words), default=0.0)
    return Page(lines, margin)


def _boxes(words: list[Word]) -> list[Word]:
    """Typed boxes Tesseract garbles ("{X]", "[1", "| )") as ☒ / ☐ before their option.

    Only on a line with two or more such boxes, one of them crossed: elsewhere
    a "|" or a "(1)" is not a box. Stray rule stubs ("|") are dropped."""
    marks: list[tuple[int, int, bool]] = []  # (first word, after last word, crossed)
    k = 0
    while k < len(words):
        end = k
        while end < len(words) and _box_part(words[end].text):
            end += 1
        if end > k and end < len(words) and words[end].text[:1].isalpha():
            parts = "".join(w.text for w in words[k:end])
            if BRACKETS.search(parts):
                marks.append((k, end, bool(re.search(r"[xX×]", parts))))
        k = max(end, k + 1)
    out = list(words)
    if len(marks) >= 2 and any(crossed for _, _, crossed in marks):
        for start, end, crossed in reversed(marks):
            glyph = replace(words[start], text=TICKED if crossed else UNTICKED,
                            x1=words[end - 1].x1)
            out[start:end] = [glyph]
    return [w for w in out if w.text not in ("|", "||")]


def _lettered(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _garbled(text: str) -> bool:
    """More symbols than letters and digits: "—t”™”"."""
    return sum(c.isalnum() for c in text) * 2 < len(text)


def _trimmed(words: list[Word]) -> list[Word]:
    """A line without the specks at its ends: punctuation, or a lone character far out."""
    words = sorted(words, key=lambda word: word.x0)
    while words and JUNK.match(words[0].text):
        words = words[1:]
    while words and JUNK.match(words[-1].text):
        words = words[:-1]
    if len(words) > 1 and len(words[-1].text) == 1:
        gap = words[-1].x0 - words[-2].x1
        if gap > FAR * words[-1].size:
            words = words[:-1]
    return words


def _box_part(text: str) -> bool:
    return bool(BOX_PART.match(text)) and sum(c.isalpha() and c not in "xX" for c in text) <= 2


def page_pairs(page: Page, number: int, section: str) -> tuple[list[Found], str]:
    """The page's pairs from its lines (as a PDF page's are read), all tagged as OCR."""
    return line_pairs(page.lines, f"ocr page {number}", section, page.margin)


def text_pairs(out: Extract, text: str, number: int) -> None:
    """The plain-text reader's pairs (sign-offs, "Label: value") that the lines lacked."""
    from parsers.readers.text import read_lines

    have = {(p.label, p.value) for p in out.pairs}
    for pair in read_lines(text).pairs:
        if (pair.label, pair.value) not in have:
            out.pairs.append(replace(pair, where=f"ocr page {number} {pair.where}".strip()))


def read_images(pages: Iterable[tuple[int, Image.Image, float]], out: Extract) -> list[str]:
    """OCR each (page number, image, dpi) into ``out``; returns the page texts, in order.

    Pages are taken one at a time, so a generator holds one page in memory.
    Without Tesseract: the warning ``UNAVAILABLE`` and nothing read."""
    if not available():
        out.warnings.append(UNAVAILABLE)
        return []
    texts = []
    section = ""
    stopped: list[str] = []
    for number, image, dpi in pages:
        try:
            page = read_page(image, dpi)
        except OcrStopped:
            stopped.append(str(number))
            texts.append("")
            continue
        except MemoryError:
            out.warnings.append(f"page {number} needs more memory for OCR than the limit "
                                "allows: not read")
            texts.append("")
            continue
        except (OSError, RuntimeError, ValueError) as exc:  # Tesseract failed on this page
            out.warnings.append(f"OCR failed on page {number} ({type(exc).__name__}): not read")
            texts.append("")
            continue
        found, section = page_pairs(page, number, section)
        for label, value, where, heading in found:
            out.add(label, value, where, heading)
        text = "\n".join(line.text for line in page.lines)
        if len(found) < FORM_PAIRS:  # a letter, not a form: read as plain text is
            text_pairs(out, text, number)
        texts.append(text)
    out.ocr = True
    out.warnings.append(SCANNED)
    if stopped:
        out.warnings.append(f"OCR ran out of time: page {', '.join(stopped)} not read")
    return texts

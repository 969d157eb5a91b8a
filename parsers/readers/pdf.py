"""PDF forms printed from Word or drawn by a form tool: words by position (pdfplumber).

A page is read top to bottom as lines (``pdf_lines.py``) and ruled tables
(``pdf_tables.py``), interleaved by position; a table's words are read only as
the table, so no pair comes twice. The section read last on a page carries over
to the next, so a section that runs on keeps its heading; a running header or
footer repeated from the page before is page furniture, kept in the text but
never taken for a heading or a pair.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pdfplumber

from parsers.document import Extract
from parsers.readers.pdf_lines import line_pairs
from parsers.readers.pdf_tables import grid, inside, table_pairs
from parsers.readers.pdf_words import (
    MAX_PAGES,
    SCAN,
    Found,
    Line,
    Word,
    group_lines,
    guard,
    words_of,
)

MARGIN = 0.08  # the top and bottom share of a page where running headers and footers sit
OCR_DPI = 300
MAX_OCR_PAGES = 20


def _furniture_key(text: str) -> str:
    """A margin line as compared across pages: "Page 2 of 3" is "Page # of #"."""
    return re.sub(r"\d+", "#", text.lower())


def margin_lines(lines: list[Line], height: float) -> set[str]:
    """The lines in a page's top and bottom margins, where running headers sit."""
    return {
        _furniture_key(n.text)
        for n in lines
        if n.bottom <= MARGIN * height or n.top >= (1 - MARGIN) * height
    }


def _read_page(
    page: Any, number: int, section: str, furniture: set[str]
) -> tuple[list[Found], list[Word], str]:
    """The page's pairs in reading order: lines and tables interleaved by position.

    ``furniture``: the previous page's margin lines; the same line here is a
    running header or footer, not a heading or a pair."""
    words = words_of(page)
    # A lone drawn square (a tick box) or a rule is found as a one-cell "table".
    tables = sorted(
        (
            t
            for t in page.find_tables()
            if len(t.cells) > 1 and t.bbox[2] - t.bbox[0] > 30 and t.bbox[3] - t.bbox[1] > 10
        ),
        key=lambda t: t.bbox[1],
    )
    lines = [
        n
        for n in group_lines(w for w in words if not any(inside(w, t.bbox) for t in tables))
        if _furniture_key(n.text) not in furniture
    ]
    margin = max((w.x1 for w in words), default=0.0)
    found: list[Found] = []
    for t, table in enumerate([*tables, None], 1):
        above = [n for n in lines if table is None or n.top < table.bbox[1]]
        lines = lines[len(above) :]
        pairs, section = line_pairs(above, f"page {number}", section, margin)
        found += pairs
        if table is not None:
            pairs, section = table_pairs(grid(table, words), f"page {number} table {t}", section)
            found += pairs
    return found, words, section


@guard
def read_pdf(data: bytes) -> Extract:
    """Pairs and text of a PDF's first ``MAX_PAGES`` pages; ReadError if it cannot be read.

    A page with no text layer but something drawn on it (a scan, text turned
    into outlines) is read by OCR (``ocr.py``), after the rest."""
    out = Extract()
    texts: list[list[str]] = []
    scans: list[int] = []
    section = ""
    furniture: set[str] = set()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if len(pdf.pages) > MAX_PAGES:
            out.warnings.append(
                f"the PDF has {len(pdf.pages)} pages: only the first {MAX_PAGES} were read"
            )
        for number, page in enumerate(pdf.pages[:MAX_PAGES], 1):
            found, words, section = _read_page(page, number, section, furniture)
            for label, value, where, heading in found:
                out.add(label, value, where, heading)
            if not words and (page.images or page.rects or page.curves or page.lines):
                scans.append(number)
            lines = group_lines(words)
            texts.append([line.text for line in lines])
            furniture = margin_lines(lines, float(page.height))
            page.close()  # frees the page's parsed objects before the next one
    if scans:
        _read_scans(data, scans, texts, out)
    out.text = "\n".join(line for page in texts for line in page)
    if not out.text and not scans:
        out.warnings.append(SCAN)
    return out


def _read_scans(data: bytes, numbers: list[int], texts: list[list[str]], out: Extract) -> None:
    """OCR of the pages without a text layer, each page's text in its place."""
    from parsers.readers.ocr import SCANNED, available, read_images

    if not available():
        read_images([], out)  # says OCR is not available
        return
    if len(numbers) > MAX_OCR_PAGES:
        out.warnings.append(f"{len(numbers)} pages are scans: only the first {MAX_OCR_PAGES} "
                            "were read by OCR")
        numbers = numbers[:MAX_OCR_PAGES]
    scans = Extract()
    found = read_images(((n, image, OCR_DPI) for n, image in _rendered(data, numbers)), scans)
    for number, text in zip(numbers, found, strict=True):
        texts[number - 1] = text.splitlines()
    if not any(found):  # nothing legible: not worth a reader's trust
        scans.warnings = [w for w in scans.warnings if w != SCANNED]
        blank = ", ".join(str(n) for n in numbers)
        scans.warnings.append(SCAN if len(numbers) == len(texts) else
                              f"page {blank} has no text layer (scanned?): it needs reading "
                              "by a person")
    out.pairs += scans.pairs
    out.warnings += scans.warnings
    out.ocr = out.ocr or scans.ocr


def _rendered(data: bytes, numbers: list[int]) -> Iterator[tuple[int, Any]]:
    """The pages as images at OCR resolution, one at a time (pypdfium2)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for number in numbers:
            page = pdf[number - 1]
            try:
                yield number, page.render(scale=OCR_DPI / 72).to_pil()
            finally:
                page.close()
    finally:
        pdf.close()

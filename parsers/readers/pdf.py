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
    """Pairs and text of a PDF's first ``MAX_PAGES`` pages; ReadError if it cannot be read."""
    out = Extract()
    texts: list[str] = []
    blank: list[str] = []
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
            if not words and page.images:
                blank.append(str(number))
            lines = group_lines(words)
            texts += [line.text for line in lines]
            furniture = margin_lines(lines, float(page.height))
            page.close()  # frees the page's parsed objects before the next one
    out.text = "\n".join(texts)
    if not texts:
        out.warnings.append(SCAN)
    elif blank:
        out.warnings.append(
            f"page {', '.join(blank)} has no text layer (scanned?): it needs reading by a person"
        )
    return out

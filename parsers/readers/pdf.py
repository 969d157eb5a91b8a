"""PDF forms printed from Word or drawn by a form tool: words by position (pdfplumber).

Words grouped into lines give pairs from "Label      value" lines (a wide gap or
a colon between them; wrapped value lines follow at the value's x), from a small
label line over its value at the same x (told from a heading by style), and from
ruled tables, whose words are read only as the table so no pair comes twice.
Short bold or capitalised lines and one-cell table rows are section headings.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pdfplumber

from parsers.document import UNTICKED, Extract
from parsers.readers.pdf_words import (
    MAX_PAGES,
    SCAN,
    TICK_MARKS,
    Box,
    Found,
    Line,
    Word,
    colon_split,
    group_lines,
    guard,
    is_heading,
    joined,
    label_text,
    segments,
    words_of,
)


@dataclass
class _Open:
    """A pair being read: more lines of its value may follow at the value's x."""

    label: str
    pieces: list[list[Word]]
    last: Line
    colon: bool = False
    section: str = ""

    def found(self, where: str, margin: float) -> Found:
        return self.label, joined(self.pieces, margin), where, self.section

    def continues(self, line: Line) -> bool:
        start = self.pieces[0][0] if self.pieces and self.pieces[0] else None
        if start is None or len(segments(line.words)) > 1 or line.text.endswith(":"):
            return False
        first = line.words[0]
        return (
            not (self.colon and colon_split(line.words))
            and abs(first.x0 - start.x0) <= 4
            and (first.size, first.bold) == (start.size, start.bold)
            and -2 <= line.top - self.last.bottom <= 0.8 * start.size
        )


def _label_above(label: Line, value: Line) -> bool:
    """A short label line over a value at the same x, told apart from headings by style."""
    if len(segments(label.words)) > 1 or len(segments(value.words)) > 1 or colon_split(value.words):
        return False
    top, under = label.words[0], value.words[0]
    near = 0 <= value.top - label.bottom <= 1.5 * under.size
    short = len(label.words) <= 8 and abs(under.x0 - top.x0) <= 12
    styled = label.text.endswith(":") or (
        not under.bold and (top.bold or top.size < under.size - 0.5)
    )
    return near and short and styled


def _open_on(line: Line) -> list[_Open]:
    """The pairs a line starts by itself: "Label   value", or "Label: value"."""
    runs = segments(line.words)
    if (
        len(runs) >= 4
        and len(runs) % 2 == 0
        and all(  # bold label, value, bold label...
            all(w.bold for w in run) == (k % 2 == 0) for k, run in enumerate(runs)
        )
    ):
        return [_Open(label_text(runs[k]), [runs[k + 1]], line) for k in range(0, len(runs), 2)]
    split = [colon_split(run) for run in runs]
    if len(runs) > 1 and all(split):
        return [_Open(label_text(s[0]), [s[1]], line, colon=True) for s in split if s]
    label, value, colon = runs[0], [w for run in runs[1:] for w in run], False
    if split[0]:
        label, value, colon = split[0][0], split[0][1] + value, True
    elif len(runs) == 1 or len(label) > 12:
        return []
    if not re.search(r"[^\W\d_]", label_text(label)):  # "☒   Looked after", "1.   Name"
        return []
    return [_Open(label_text(label), [value] if value else [], line, colon=colon)]


def line_pairs(
    lines: list[Line], where: str, section: str, margin: float
) -> tuple[list[Found], str]:
    """Pairs from lines in reading order, and the section read last.

    ``margin`` is the right edge text reaches (the page's, or a cell's)."""
    done: list[_Open] = []
    current: _Open | None = None
    i = 0
    while i < len(lines):
        line, following = lines[i], lines[i + 1] if i + 1 < len(lines) else None
        if current and current.continues(line):
            current.pieces.append(line.words)
            current.last = line
            i += 1
            continue
        started = _open_on(line)
        if (not started or not started[-1].pieces) and following and _label_above(line, following):
            label = started[-1].label if started else label_text(line.words)
            started = [*started[:-1], _Open(label, [following.words], following)]
            i += 1
        elif not started and is_heading(line, following):
            section = line.text
        for pair in started:
            pair.section = section
        done += started
        current = started[-1] if started else None
        i += 1
    return [pair.found(where, margin) for pair in done], section


@dataclass
class _Cell:
    text: str
    bold: bool
    lines: list[Line]
    right: float


def _inside(word: Word, box: Box) -> bool:
    return box[0] <= (word.x0 + word.x1) / 2 <= box[2] and box[1] <= word.middle <= box[3]


def _grid(table: Any, words: list[Word]) -> list[list[_Cell]]:  # a pdfplumber Table
    grid = []
    for row in table.rows:
        cells = []
        for box in row.cells:
            if box is None:  # a grid position covered by a merged cell, not a cell
                continue
            inside = [w for w in words if _inside(w, box)]
            lines = group_lines(inside)
            # A cell's text stops short of its border by the cell's padding.
            text = joined([line.words for line in lines], box[2] - 5)
            cells.append(
                _Cell(text, bool(inside) and all(w.bold for w in inside), lines, box[2] - 5)
            )
        grid.append(cells)
    return [row for row in grid if row]


def table_pairs(grid: list[list[_Cell]], where: str, section: str) -> tuple[list[Found], str]:
    """Pairs of a ruled table by its layout; one-cell rows are section headings."""
    width = max((len(row) for row in grid), default=0)
    sections = []
    for row in grid:
        if len(row) == 1 and width > 1 and 0 < len(row[0].text) <= 60:
            section = row[0].text
        sections.append(section)
    text_cells = [c for row in grid for c in row if c.text]
    in_cell = [
        (r, *found[:2])
        for r, row in enumerate(grid, 1)
        for c in row
        for found in line_pairs(c.lines, "", "", c.right)[0]
    ]
    header = (
        len(grid) > 1
        and all(c.bold for c in grid[0] if c.text)
        and not any(c.bold for c in grid[1] if c.text)
    )
    if text_cells and 2 * len(in_cell) >= len(text_cells):
        found = in_cell  # "Surname: Hughes", or a label over its value, inside each cell
    elif width < 2:
        found = []
    elif (width == 2 and not header) or _alternating(grid):
        found = [
            (r, row[k].text, row[k + 1].text)
            for r, row in enumerate(grid, 1)
            for k in range(0, len(row) - 1, 2)
        ]
    else:
        found = _header_pairs(grid)
    return [
        (label, value, f"{where} row {r}", sections[r - 1]) for r, label, value in found
    ], section


def _alternating(grid: list[list[_Cell]]) -> bool:
    """Label | value | label | value rows: bold labels in the even columns."""
    return len(grid[0]) >= 4 and all(
        c.bold == (k % 2 == 0) for row in grid for k, c in enumerate(row) if c.text
    )


def _header_pairs(grid: list[list[_Cell]]) -> list[tuple[int, str, str]]:
    """A row of labels over rows of values; in Yes/No columns, the ticked heading."""
    header, rows = [c.text for c in grid[0]], grid[1:]
    marks = [[c.text.lower() for c in row] for row in rows]
    tick_columns = [
        k
        for k in range(1, len(header))
        if header[k]
        and all(k >= len(m) or m[k] in TICK_MARKS | {"", UNTICKED} for m in marks)
        and any(k < len(m) and m[k] in TICK_MARKS for m in marks)
    ]
    out = []
    for r, (row, mark) in enumerate(zip(rows, marks, strict=True), 2):
        if tick_columns and row[0].text:
            ticked = [header[k] for k in tick_columns if k < len(mark) and mark[k] in TICK_MARKS]
            out.append((r, row[0].text, " ".join(ticked)))
        out += [
            (r, header[k], c.text)
            for k, c in enumerate(row)
            if k < len(header)
            and header[k]
            and k not in tick_columns
            and not (tick_columns and k == 0)
        ]
    return out


def _read_page(page: Any, number: int, section: str) -> tuple[list[Found], list[Word], str]:
    """The page's pairs in reading order: lines and tables interleaved by position."""
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
    lines = group_lines(w for w in words if not any(_inside(w, t.bbox) for t in tables))
    margin = max((w.x1 for w in words), default=0.0)
    found: list[Found] = []
    for t, table in enumerate([*tables, None], 1):
        above = [n for n in lines if table is None or n.top < table.bbox[1]]
        lines = lines[len(above) :]
        pairs, section = line_pairs(above, f"page {number}", section, margin)
        found += pairs
        if table is not None:
            pairs, section = table_pairs(_grid(table, words), f"page {number} table {t}", section)
            found += pairs
    return found, words, section


@guard
def read_pdf(data: bytes) -> Extract:
    """Pairs and text of a PDF's first ``MAX_PAGES`` pages; ReadError if it cannot be read."""
    out = Extract()
    texts: list[str] = []
    blank: list[str] = []
    section = ""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if len(pdf.pages) > MAX_PAGES:
            out.warnings.append(
                f"the PDF has {len(pdf.pages)} pages: only the first {MAX_PAGES} were read"
            )
        for number, page in enumerate(pdf.pages[:MAX_PAGES], 1):
            found, words, section = _read_page(page, number, section)
            for label, value, where, heading in found:
                out.add(label, value, where, heading)
            if not words and page.images:
                blank.append(str(number))
            texts += [line.text for line in group_lines(words)]
            page.close()  # frees the page's parsed objects before the next one
    out.text = "\n".join(texts)
    if not texts:
        out.warnings.append(SCAN)
    elif blank:
        out.warnings.append(
            f"page {', '.join(blank)} has no text layer (scanned?): it needs reading by a person"
        )
    return out

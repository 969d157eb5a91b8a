"""Ruled tables of a PDF: cells from pdfplumber's table finder, pairs by layout.

A drawn form table is rarely one grid: a heading row merged across, then label |
value rows, then a block of questions with Yes / No columns, then another
heading. So a table is read in bands, runs of rows with the same number of
cells, each by its own layout:

- a one-cell row is a section heading (or, under a short label row, its value);
- in-cell pairs ("Surname: Hughes", a label over its value) where most cells
  hold one;
- label | value rows (two cells, or bold labels alternating with values);
- else a header row over rows of values; where a column holds only marks (X, a
  tick) under a heading such as Yes or No, each row's question is answered by
  the heading of the column its mark is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parsers.document import UNTICKED
from parsers.readers.pdf_lines import line_pairs
from parsers.readers.pdf_words import (
    TICK_MARKS,
    Box,
    Found,
    Line,
    Word,
    group_lines,
    joined,
    section_title,
)

MAX_HEADING = 60
MIN_CELL = 10.0  # points: narrower and empty, a gap between borders rather than a cell


@dataclass
class Cell:
    text: str
    bold: bool
    lines: list[Line]
    right: float


Row = list[Cell]


def inside(word: Word, box: Box) -> bool:
    return box[0] <= (word.x0 + word.x1) / 2 <= box[2] and box[1] <= word.middle <= box[3]


def grid(table: Any, words: list[Word]) -> list[Row]:  # a pdfplumber Table
    rows = []
    for row in table.rows:
        cells = []
        for box in row.cells:
            if box is None:  # a grid position covered by a merged cell, not a cell
                continue
            within = [w for w in words if inside(w, box)]
            if not within and box[2] - box[0] < MIN_CELL:
                continue  # the padding around a table drawn inside a cell
            lines = group_lines(within)
            # A cell's text stops short of its border by the cell's padding.
            text = joined([line.words for line in lines], box[2] - 5)
            bold = bool(within) and all(w.bold for w in within)
            cells.append(Cell(text, bold, lines, box[2] - 5))
        rows.append(cells)
    return [row for row in rows if row]


def table_pairs(rows: list[Row], where: str, section: str) -> tuple[list[Found], str]:
    """Pairs of a ruled table, band by band, and the section read last."""
    width = max((len(row) for row in rows), default=0)
    found: list[Found] = []
    r = 0
    while r < len(rows):
        row = rows[r]
        if len(row) == 1:
            text = row[0].text
            following = rows[r + 1] if r + 1 < len(rows) else None
            if following and len(following) == 1 and _value_under(row[0], following[0]):
                found.append((text, following[0].text, f"{where} row {r + 2}", section))
                section = section_title(text)
                r += 2
                continue
            if width > 1 and 0 < len(text) <= MAX_HEADING:
                section = section_title(text)
            r += 1
            continue
        end = r
        while end < len(rows) and len(rows[end]) == len(row):
            end += 1
        found += [
            (label, value, f"{where} row {r + k}", section)
            for k, label, value in _band_pairs(rows[r:end])
        ]
        r = end
    return found, section


def _value_under(label: Cell, value: Cell) -> bool:
    """A full-width label row over a full-width answer ("Reason" / the reason)."""
    return (
        0 < len(label.text) <= MAX_HEADING
        and len(value.text) > MAX_HEADING
        and not value.bold
    )


def _band_pairs(band: list[Row]) -> list[tuple[int, str, str]]:
    """(row number in the band, from 1; label; value) by the band's layout."""
    text_cells = [c for row in band for c in row if c.text]
    in_cell = [
        (r, *pair[:2])
        for r, row in enumerate(band, 1)
        for c in row
        for pair in line_pairs(c.lines, "", "", c.right)[0]
    ]
    header = (
        len(band) > 1
        and all(c.bold for c in band[0] if c.text)
        and not any(c.bold for c in band[1] if c.text)
    )
    if text_cells and 2 * len(in_cell) >= len(text_cells):
        return in_cell  # "Surname: Hughes", or a label over its value, inside each cell
    if (len(band[0]) == 2 and not header) or _alternating(band):
        return [
            (r, row[k].text, row[k + 1].text)
            for r, row in enumerate(band, 1)
            for k in range(0, len(row) - 1, 2)
        ]
    return _header_pairs(band)


def _alternating(band: list[Row]) -> bool:
    """Label | value | label | value rows: bold labels in the even columns."""
    return len(band[0]) >= 4 and all(
        c.bold == (k % 2 == 0) for row in band for k, c in enumerate(row) if c.text
    )


def _header_pairs(band: list[Row]) -> list[tuple[int, str, str]]:
    """A row of labels over rows of values; in Yes/No columns, the ticked heading.

    A tick column holds nothing but marks (X, a tick) and blanks: each row's
    first cell is then a question, answered by the headings of its marked
    columns (none: an empty answer; two: both, for review).
    """
    header, rows = [c.text for c in band[0]], band[1:]
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

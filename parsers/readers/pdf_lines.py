"""Pairs from a PDF's lines of words: "Label      value", "Label: value", a label over
its value, and headings (pdfplumber words, see pdf_words.py).

Words grouped into lines give pairs from "Label      value" lines (a wide gap or
a colon between them; wrapped value lines follow at the value's x), and from a
small label line over its value at the same x (told from a heading by style).
Short bold or capitalised lines are section headings. The same reading serves a
whole page, one table cell, and the words Tesseract finds on a scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.readers.pdf_words import (
    Found,
    Line,
    Word,
    colon_split,
    is_heading,
    joined,
    label_text,
    section_title,
    segments,
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
            section = section_title(line.text)
        for pair in started:
            pair.section = section
        done += started
        current = started[-1] if started else None
        i += 1
    return [pair.found(where, margin) for pair in done], section



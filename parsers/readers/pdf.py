"""PDF forms printed from Word or drawn by a form tool: words by position (pdfplumber).

Words grouped into lines give pairs from "Label      value" lines (a wide gap or
a colon between them; wrapped value lines follow at the value's x), from a small
label line over its value at the same x (told from a heading by style), and from
ruled tables, whose words are read only as the table so no pair comes twice.
Short bold or capitalised lines and one-cell table rows are section headings.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pypdf.errors import FileNotDecryptedError

from parsers.document import TICKED, UNTICKED, Extract, ReadError, clean

MAX_PAGES = 50
ENCRYPTED = "the PDF is encrypted (password protected): ask the sender for an unprotected copy"
DAMAGED = "the PDF is damaged and cannot be read"
SCAN = "no text layer: this looks like a scan; it needs reading by a person"

T = TypeVar("T")
Box = tuple[float, float, float, float]  # x0, top, x1, bottom: pdfplumber's, top from the top
Found = tuple[str, str, str, str]  # label, value, where, section

_BOLD = re.compile(r"bold|black|heavy|demi", re.IGNORECASE)
# Tick boxes as the contract's ☒/☐; the \uf0.. ones are Word's Wingdings boxes in
# the private use area, the letters below the same boxes in the symbol font itself.
_GLYPHS = str.maketrans(
    dict.fromkeys("✓✔☑\uf0fe\uf0fd\uf078\uf0fc", TICKED) | dict.fromkeys("□\uf0a8\uf06f", UNTICKED)
)
_SYMBOL_FONTS = {
    "wingdings2": dict.fromkeys("TSRP", TICKED) | {"£": UNTICKED},
    "wingdings": dict.fromkeys("xýþü", TICKED) | dict.fromkeys("¨o", UNTICKED),
}
TICK_MARKS = {"x", TICKED, "✗", "✘"}  # a tick under a Yes/No column heading, once mapped


def guard(read: Callable[[bytes], T]) -> Callable[[bytes], T]:
    """The adapter boundary (STYLE.md 8): on a damaged file pdfminer, pdfplumber and
    pypdf raise almost anything (KeyError, TypeError, RecursionError...); it becomes
    one ReadError with a reason, never a traceback in the daemon."""

    @functools.wraps(read)
    def wrapper(data: bytes) -> T:
        try:
            return read(data)
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError(ENCRYPTED if _encrypted(exc) else DAMAGED) from exc

    return wrapper


def _encrypted(exc: BaseException | None) -> bool:
    # pdfplumber wraps pdfminer's error in its own PdfminerException(error).
    for _ in range(5):
        if exc is None:
            return False
        if isinstance(exc, PDFEncryptionError | FileNotDecryptedError):
            return True
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = inner or exc.__cause__ or exc.__context__
    return False


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


def words_of(page: Any) -> list[Word]:  # a pdfplumber Page
    """The page's words; a change of font splits a word, so a bold label stays apart."""
    words = []
    for raw in page.extract_words(extra_attrs=["fontname", "size"]):
        font = re.sub(r"[^a-z0-9]", "", str(raw["fontname"]).lower())
        table = next((t for name, t in _SYMBOL_FONTS.items() if name in font), {})
        text = "".join(table.get(c, c) for c in raw["text"]).translate(_GLYPHS).strip()
        if text:
            words.append(
                Word(
                    text,
                    raw["x0"],
                    raw["x1"],
                    raw["top"],
                    raw["bottom"],
                    round(float(raw["size"]), 1),
                    bool(_BOLD.search(font)),
                )
            )
    return words


def group_lines(words: Iterable[Word]) -> list[Line]:
    """Words whose middles fall within a line's height share it, left to right."""
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        line = next(
            (n for n in reversed(lines[-3:]) if n.top - 1 <= word.middle <= n.bottom + 1), None
        )
        if line:
            line.words.append(word)
        else:
            lines.append(Line([word]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return sorted(lines, key=lambda n: n.top)


def segments(words: list[Word]) -> list[list[Word]]:
    """A line's runs of words, split where the gap is wider than a few spaces."""
    runs: list[list[Word]] = []
    for word in words:
        if runs and word.x0 - runs[-1][-1].x1 <= max(8.0, 1.2 * word.size):
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def is_heading(line: Line, following: Line | None) -> bool:
    """A short bold or capitalised line set larger than what follows it."""
    text, first = line.text, line.words[0]
    if len(segments(line.words)) > 1 or len(line.words) > 8 or text.endswith((".", ",")):
        return False
    emphasis = all(w.bold for w in line.words) or bool(re.search(r"[A-Z]{4}", text))
    larger = following is None or first.size > following.words[0].size + 0.5
    return emphasis and (larger or text.isupper())


def join_lines(lines: list[str], hard: list[bool]) -> str:
    """One value's lines as one string: a line broken by hand (an address's "70
    Millrace Lane" / "Wenlow") keeps its break as ", ", a wrapped line gets a space."""
    out = lines[0] if lines else ""
    for line, broken in zip(lines[1:], hard, strict=True):
        out += (", " if broken and not out.endswith(tuple(",.;:!?")) else " ") + line
    return clean(out)


def _joined(pieces: list[list[Word]], margin: float) -> str:
    # A line broke by hand if the next line's first word would have fitted before the
    # margin; a line wrapped by the writer's software never leaves that much room.
    pieces = [p for p in pieces if p]
    hard = [
        a[-1].x1 + 0.25 * b[0].size + b[0].x1 - b[0].x0 < margin
        for a, b in itertools.pairwise(pieces)
    ]
    return join_lines([" ".join(w.text for w in p) for p in pieces], hard)


def _colon(words: list[Word]) -> tuple[list[Word], list[Word]] | None:
    """ "Label: value" split at a colon in its first words; not a time, a URL or a heading."""
    for i, word in enumerate(words[:8]):
        head, colon, tail = word.text.partition(":")
        if not colon:
            continue
        before = " ".join([*(w.text for w in words[:i]), head])
        if (
            not before
            or before.lower() in ("http", "https", "mailto")
            or (before[-1].isdigit() and tail[:1].isdigit())
            or all(w.bold for w in words)
        ):
            return None
        label = [*words[:i], replace(word, text=head)] if head else words[:i]
        return label, ([replace(word, text=tail)] if tail else []) + words[i + 1 :]
    return None


def label_text(words: list[Word]) -> str:
    """Words as a label: a colon ending it is punctuation, not part of it."""
    return " ".join(w.text for w in words).rstrip(":").strip()


@dataclass
class _Open:
    """A pair being read: more lines of its value may follow at the value's x."""

    label: str
    pieces: list[list[Word]]
    last: Line
    colon: bool = False
    section: str = ""

    def found(self, where: str, margin: float) -> Found:
        return self.label, _joined(self.pieces, margin), where, self.section

    def continues(self, line: Line) -> bool:
        start = self.pieces[0][0] if self.pieces and self.pieces[0] else None
        if start is None or len(segments(line.words)) > 1 or line.text.endswith(":"):
            return False
        first = line.words[0]
        return (
            not (self.colon and _colon(line.words))
            and abs(first.x0 - start.x0) <= 4
            and (first.size, first.bold) == (start.size, start.bold)
            and -2 <= line.top - self.last.bottom <= 0.8 * start.size
        )


def _label_above(label: Line, value: Line) -> bool:
    """A short label line over a value at the same x, told apart from headings by style."""
    if len(segments(label.words)) > 1 or len(segments(value.words)) > 1 or _colon(value.words):
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
    split = [_colon(run) for run in runs]
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
            text = _joined([line.words for line in lines], box[2] - 5)
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

"""The word and line layer of the PDF readers (pdfplumber), and their error guard.

Words carry their font, so labels (bold, smaller) can be told from values; words
become lines, lines become segments split at wide gaps. ``guard`` turns any
library exception into a ``ReadError`` a person can read.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pdfminer.pdfdocument import PDFEncryptionError
from pypdf.errors import FileNotDecryptedError

from parsers.document import TICKED, UNTICKED, ReadError, clean
from parsers.readers import symbols

MAX_PAGES = 50
ENCRYPTED = "the PDF is encrypted (password protected): ask the sender for an unprotected copy"
DAMAGED = "the PDF is damaged and cannot be read"
SCAN = "no text layer: this looks like a scan; it needs reading by a person"

T = TypeVar("T")
Box = tuple[float, float, float, float]  # x0, top, x1, bottom: pdfplumber's, top from the top
Found = tuple[str, str, str, str]  # label, value, where, section

_BOLD = re.compile(r"bold|black|heavy|demi", re.IGNORECASE)
# Tick boxes as the contract's ☒/☐; the \uf0.. ones are Word's Wingdings boxes in
# the private use area (whatever the font is called); symbols.py maps the same
# boxes by their codes in a font named as a symbol font.
_GLYPHS = str.maketrans(
    dict.fromkeys("✓✔☑\uf0fe\uf0fd\uf078\uf0fc", TICKED) | dict.fromkeys("□\uf0a8\uf06f", UNTICKED)
)
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
        text = symbols.translate(font, raw["text"]).translate(_GLYPHS).strip()
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


CONTINUED = re.compile(
    r"\s*(\((continued|cont'?d?\.?)\)|[-–—:]\s*(continued|cont'?d?\.?)|\b(continued|cont\.|cont'd))\s*$",
    re.IGNORECASE,
)


def section_title(text: str) -> str:
    """A heading as a section's name: "Parents (continued)" over page 2 is "Parents"."""
    return CONTINUED.sub("", text).strip() or text


def join_lines(lines: list[str], hard: list[bool]) -> str:
    """One value's lines as one string: a line broken by hand (an address's "70
    Millrace Lane" / "Wenlow") keeps its break as ", ", a wrapped line gets a space."""
    out = lines[0] if lines else ""
    for line, broken in zip(lines[1:], hard, strict=True):
        out += (", " if broken and not out.endswith(tuple(",.;:!?")) else " ") + line
    return clean(out)


def joined(pieces: list[list[Word]], margin: float) -> str:
    # A line broke by hand if the next line's first word would have fitted before the
    # margin; a line wrapped by the writer's software never leaves that much room.
    pieces = [p for p in pieces if p]
    hard = [
        a[-1].x1 + 0.25 * b[0].size + b[0].x1 - b[0].x0 < margin
        for a, b in itertools.pairwise(pieces)
    ]
    return join_lines([" ".join(w.text for w in p) for p in pieces], hard)


def colon_split(words: list[Word]) -> tuple[list[Word], list[Word]] | None:
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

"""What every reader produces: label/value pairs plus free text.

A reader turns one document's bytes into an ``Extract``. It knows the format
(DOCX, PDF, email body, CTF...) and nothing of forms: mapping a form's own
labels onto canonical fields is the templates' job (``parsers/mapping.py``).

Conventions every reader keeps, so that later stages need no format knowledge:

- a value is the text as written, whitespace collapsed within each line and its
  line breaks kept (an address written over lines is joined with ", " when it
  is normalised); an empty value is kept (an empty box on a form says something
  too) but never invented;
- a tick box is rendered as ``☒`` (ticked) or ``☐`` (not ticked) inside the
  value, next to the option it belongs to, e.g. ``"Yes ☒ No ☐"``; a tick in a
  Yes/No column becomes the column's heading (``"Yes"``);
- ``text`` holds all readable text in reading order, one line per line, for
  keyword scoring and prose rules;
- a problem that does not stop reading (an unknown CTF version, a field with no
  label) is a warning, in words a person understands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TICKED = "☒"
UNTICKED = "☐"


class ReadError(Exception):
    """The document cannot be read at all; ``reason`` is shown to the team."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pair:
    label: str
    value: str
    where: str = ""  # e.g. "table 1 row 3", "page 2", "field Text7"
    # The heading the pair sits under ("Parent / carer", "Completed by"), which
    # tells a generic label such as "Name" or "Telephone" whose it is.
    section: str = ""


@dataclass
class Extract:
    pairs: list[Pair] = field(default_factory=list)
    text: str = ""
    warnings: list[str] = field(default_factory=list)
    # Fields a structured format states outright (CTF), already canonical names.
    fields: dict[str, str] = field(default_factory=dict)
    # Documents found inside this one (attachments of a .msg or .eml).
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    # For email bodies: the writer's own text, and what they quoted below it.
    new_text: str | None = None
    quoted: str = ""
    # For email bodies: the From of each forwarded original, outermost first.
    forwarded_from: list[str] = field(default_factory=list)
    # Read from a scan or photo by OCR: every value may be misread (its pairs'
    # ``where`` starts "ocr"), so confidence in them is lower.
    ocr: bool = False

    def add(self, label: str, value: str, where: str = "", section: str = "") -> None:
        label, value = clean(label), clean_lines(value)
        if label:
            self.pairs.append(Pair(label, value, where, clean(section)))


def clean(text: str) -> str:
    """Collapse whitespace (including non-breaking spaces) to single spaces."""
    return " ".join(text.replace("\u00a0", " ").split())


def clean_lines(text: str) -> str:
    """Each line cleaned, blank lines dropped, the line breaks kept."""
    return "\n".join(filter(None, (clean(line) for line in text.replace("\r", "\n").split("\n"))))

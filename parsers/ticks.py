"""Tick boxes and yes/no answers, to Python booleans.

Readers render a tick box as ``☒`` (ticked) or ``☐`` (not ticked) next to its
option (``parsers/document.py``); typed forms use ``[x]``, ``✓`` or a bare ``X``.
A box with nothing ticked says nothing, so it is an ``InvalidValue``, never
``False``: FIELDS.md wants a boolean only when the text says so.
"""

from __future__ import annotations

import re

from parsers.validate import InvalidValue, collapse_space

TICKED_GLYPHS = "☒☑✓✔✗✘■"
UNTICKED_GLYPHS = "☐□"

_BRACKET_TICKED = re.compile(r"[\[(]\s*[xX✓✔]\s*[\])]")
_BRACKET_EMPTY = re.compile(r"\[\s*\]|\(\s*\)")
_GLYPH = re.compile(f"([{TICKED_GLYPHS}{UNTICKED_GLYPHS}])")

_YES = re.compile(r"(yes|y|true|ticked|on|/yes)(?:\s*[-–—,.;:(].*)?", re.IGNORECASE)
_NO = re.compile(r"(no|n|false)(?:\s*[-–—,.;:(].*)?", re.IGNORECASE)
_CROSS = re.compile(r"[xX]")  # a bare cross typed in a box means ticked
_NOT_KNOWN = re.compile(
    r"not\s+known|unknown|n/?a|not\s+applicable|don'?t\s+know|unsure|\?+|off", re.IGNORECASE
)


def tick_options(text: str) -> list[tuple[str, bool]] | None:
    """Each tick box in ``text`` as (its option's label, ticked), or ``None`` if none.

    A box belongs to the option on its side, and the side is the one the text
    starts with: ``"Yes ☒ No ☐"`` has labels before their boxes, ``"☒ Yes ☐ No"``
    after. Whitespace alone cannot decide this (the box in ``"Yes ☒ No"`` is as
    close to "No" as to "Yes"), but a form lays all its options out the same way.
    """
    marked = _BRACKET_EMPTY.sub("☐", _BRACKET_TICKED.sub("☒", text))
    parts = _GLYPH.split(marked)
    if len(parts) == 1:
        return None
    labels = [collapse_space(part) for part in parts[0::2]]
    glyphs = parts[1::2]
    offset = 0 if labels[0] else 1
    return [(labels[i + offset], glyph in TICKED_GLYPHS) for i, glyph in enumerate(glyphs)]


def ticked_label(field_type: str, text: str, options: list[tuple[str, bool]]) -> str:
    """The label of the one ticked option; ``InvalidValue`` for none or several."""
    ticked = [label for label, on in options if on]
    if not ticked:
        raise InvalidValue(field_type, text, "nothing ticked")
    if len(ticked) > 1:
        raise InvalidValue(field_type, text, f"several options ticked: {', '.join(ticked)}")
    return ticked[0]


# Both answers printed, the chosen one marked: "Yes (NO)" ringed, "*YES* / No",
# "YES no" in capitals. Unmarked ("Yes / No") it is a question left unanswered.
_OPTION = r"[(\[*]?\s*(?:yes|no)\s*[)\]*]?"
_BOTH_OFFERED = re.compile(rf"({_OPTION})\s*[/|,]?\s*({_OPTION})", re.IGNORECASE)
_MARK = re.compile(r"^[(\[*].*[)\]*]$")


def _marked_answer(text: str, first: str, second: str) -> bool:
    """The answer marked among two printed ones: by brackets, else by capitals alone."""
    options = [w.strip() for w in (first, second)]
    words = [w.strip(" ()[]*").lower() for w in options]
    if sorted(words) != ["no", "yes"]:
        raise InvalidValue("bool", text, "not a yes/no answer")
    marked = [bool(_MARK.match(w)) for w in options]
    if marked.count(True) != 1:
        marked = [w.strip(" ()[]*").isupper() for w in options]
    if marked.count(True) != 1:
        raise InvalidValue("bool", text, "both yes and no, neither marked")
    return words[marked.index(True)] == "yes"


def _answer(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else."""
    if _YES.fullmatch(text) or _CROSS.fullmatch(text):
        return True
    if _NO.fullmatch(text):
        return False
    return None


def normalise_bool(text: str) -> bool:
    """A yes/no answer or a ticked box as ``True``/``False``.

    ``"Yes"``, ``"Y"``, ``"True"``, ``"X"``, ``"✓"``, ``"☒"``, ``"[x]"`` are True;
    ``"No"``, ``"N"``, ``"False"`` are False; ``"Yes ☒ No ☐"`` and ``"☒ Yes ☐ No"``
    are True. A leading answer with more said after it (``"Yes - since 2023"``)
    counts. Nothing ticked, both ticked, and "not known" are ``InvalidValue``.
    """
    cleaned = collapse_space(text)
    if not cleaned:
        raise InvalidValue("bool", text, "empty")
    options = tick_options(cleaned)
    if options is not None:
        label = ticked_label("bool", text, options)
        if not label and len(options) == 1:
            return True  # a lone ticked box: the label is the field itself
        answer = _answer(label)
        if answer is None:
            raise InvalidValue("bool", text, f"ticked option is not yes or no: {label!r}")
        return answer
    if _NOT_KNOWN.fullmatch(cleaned):
        raise InvalidValue("bool", text, "not known")
    both = _BOTH_OFFERED.fullmatch(cleaned)
    if both:
        return _marked_answer(text, both.group(1), both.group(2))
    answer = _answer(cleaned)
    if answer is None:
        raise InvalidValue("bool", text, "not a yes/no answer")
    return answer

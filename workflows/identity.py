"""Is the child named by a message read with confidence? (issue 10, point 1)

A notification or referral opens a case, and writes letters, only when the
child's identity was read with confidence: forenames, a surname, and a date of
birth or a UPN, none of them on ``needs_review`` and none a placeholder. What
makes a placeholder is the parsers' knowledge (``parsers/clean.py``: "Not
known", "N/A", "TBC"...), plus a value in brackets ("(unknown)", a note, never
a name), plus a name made only of the words no name has (the prose
vocabulary's ``not_names``: "Protection Plan", "Half Term"), which is a form's
label read as a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from parsers.clean import placeholder_reason
from parsers.prose.vocabulary import load_prose_vocabulary, shipped_vocabulary
from parsers.templates import TemplateError

NAMES = ("child_forenames", "child_surname")
KEYS = ("child_dob", "child_upn")  # one of them is enough to tell the child apart
LABELS = {"child_forenames": "forenames", "child_surname": "surname",
          "child_dob": "date of birth", "child_upn": "UPN"}


@dataclass(frozen=True)
class Doubt:
    """Why a field of the child's identity cannot be relied on."""

    field: str
    why: str  # "not read", "on review", "a placeholder (not known)", "not a date"

    def __str__(self) -> str:
        return f"{LABELS.get(self.field, self.field)} {self.why}"


def identity_doubts(fields: Mapping[str, Any], needs_review: Iterable[str], *,
                    not_names: frozenset[str] = frozenset()) -> list[Doubt]:
    """What keeps the child's identity from being confident; empty when it is.

    The date of birth and the UPN count as one: either, read with confidence,
    is enough (both doubtful: both are named).
    """
    review = set(needs_review)
    doubts = [d for d in (_doubt(name, fields, review) for name in NAMES) if d]
    name_words = " ".join(str(fields.get(name) or "") for name in NAMES).lower().split()
    if not doubts and not_names and all(word.strip(".,'-") in not_names
                                        for word in name_words):
        doubts.append(Doubt("child_surname", "reads as a form's words, not a name"))
    keys = [_doubt(name, fields, review) for name in KEYS]
    if all(keys):
        doubts += [d for d in keys if d]
    return doubts


def describe(doubts: Iterable[Doubt]) -> str:
    """``surname not read; date of birth on review; UPN not read``."""
    return "; ".join(str(d) for d in doubts)


def _doubt(name: str, fields: Mapping[str, Any], review: set[str]) -> Doubt | None:
    value = fields.get(name)
    if value is None or value == "" or isinstance(value, bool):
        return Doubt(name, "not read")
    text = str(value).strip()
    if name in review:
        return Doubt(name, f"on review ({text!r} read)")
    if text[:1] in "([{" and text[-1:] in ")]}":
        return Doubt(name, f"a placeholder ({text!r})")
    reason = placeholder_reason(text)
    if reason is not None:
        return Doubt(name, f"a placeholder ({reason})")
    if name == "child_dob":
        try:
            date.fromisoformat(text)
        except ValueError:
            return Doubt(name, f"not a date ({text!r})")
    return None


def not_names(prose_toml: Path) -> frozenset[str]:
    """The words no name has, from the site's prose vocabulary (the shipped one if unreadable)."""
    try:
        stamp = prose_toml.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _not_names(prose_toml, stamp)


@lru_cache(maxsize=4)
def _not_names(prose_toml: Path, _stamp: int) -> frozenset[str]:
    try:
        return load_prose_vocabulary(prose_toml).not_names
    except TemplateError:
        return shipped_vocabulary().not_names

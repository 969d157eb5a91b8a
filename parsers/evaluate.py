"""Scoring a reading against labelled samples (``cme eval``).

A labelled folder holds ``NAME.eml`` with ``NAME.expected.json`` beside it, in
the format and under the scoring rules of the field corpus
(``shared/field-corpus/README.md``):

- kind: messages whose kind equals the expected kind, over all messages;
- fields: expected fields output with a matching value, over all expected fields;
- confident-wrong: fields output with a wrong value, or output although neither
  expected nor optional, and not on the reading's ``needs_review``, over all
  expected fields.

Values are compared after the corpus's normalisation: see ``same_value``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAME_FIELDS = frozenset({"child_surname", "child_forenames", "parent_name", "referrer_name",
                         "social_worker"})
PHONE_FIELDS = frozenset({"parent_phone", "referrer_phone"})
EXACT_FIELDS = frozenset({"child_dob", "date_last_attended", "date_removed_from_roll",
                          "ehe_start_date", "child_postcode", "cp_plan", "looked_after",
                          "known_to_social_care", "sen", "traveller"})
TITLES = re.compile(r"^(?:(?:mr|mrs|ms|miss|mx|dr|pc|sgt)\.?\s+)+", re.IGNORECASE)
FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"',
                      "–": "-", "—": "-", "‒": "-", "―": "-", "‐": "-", "‑": "-", "−": "-",
                      "\u00a0": " "})
EDGE_PUNCTUATION = " \t\n.,;:!?'\"()[]{}-*/\\|"


class EvalError(Exception):
    """A labelled folder that cannot be scored (no samples, a broken answer file)."""


@dataclass(frozen=True)
class Sample:
    name: str
    eml: Path
    expected: dict[str, Any]


@dataclass
class FieldScore:
    expected: int = 0
    right: int = 0
    wrong: int = 0  # confident-wrong: wrong or unexpected, and not flagged for review


@dataclass
class Miss:
    sample: str
    field: str
    expected: Any
    got: Any
    flagged: bool

    def line(self) -> str:
        what = ("missing" if self.got is None else
                "unexpected" if self.expected is None else "wrong")
        flag = " (flagged for review)" if self.flagged else ""
        return (f"{self.sample}: {self.field} {what}{flag}: expected {self.expected!r}, "
                f"got {self.got!r}")


@dataclass
class Score:
    """The scores of one or more folders, with what was missed."""

    messages: int = 0
    kind_right: int = 0
    kinds: dict[str, list[int]] = field(default_factory=dict)  # expected kind: [right, all]
    fields: dict[str, FieldScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    kind_misses: list[tuple[str, str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def expected_fields(self) -> int:
        return sum(s.expected for s in self.fields.values())

    def ratios(self) -> dict[str, float]:
        total = self.expected_fields or 1
        return {
            "kind": self.kind_right / (self.messages or 1),
            "fields": sum(s.right for s in self.fields.values()) / total,
            "confident_wrong": sum(s.wrong for s in self.fields.values()) / total,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "expected_fields": self.expected_fields,
            **{k: round(v, 4) for k, v in self.ratios().items()},
            "kinds": {k: {"right": r, "messages": n} for k, (r, n) in sorted(self.kinds.items())},
            "fields_by_name": {
                name: {"expected": s.expected, "right": s.right, "confident_wrong": s.wrong}
                for name, s in sorted(self.fields.items())
            },
            "kind_misses": [{"sample": s, "expected": e, "got": g}
                            for s, e, g in self.kind_misses],
            "misses": [m.line() for m in self.misses],
            "unreadable": [{"sample": s, "reason": r} for s, r in self.unreadable],
        }


def load_samples(folder: Path) -> list[Sample]:
    """Every ``NAME.eml`` with its ``NAME.expected.json`` under ``folder``."""
    samples = []
    for eml in sorted(folder.rglob("*.eml")):
        answer = eml.with_name(eml.name[: -len(".eml")] + ".expected.json")
        if not answer.is_file():
            continue
        try:
            expected = json.loads(answer.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EvalError(f"{answer}: cannot read the answer: {exc}") from None
        if not isinstance(expected, dict) or "kind" not in expected:
            raise EvalError(f"{answer}: no 'kind' in the answer")
        samples.append(Sample(str(eml.relative_to(folder)), eml, expected))
    if not samples:
        raise EvalError(f"{folder}: no labelled samples (NAME.eml with NAME.expected.json)")
    return samples


Reading = dict[str, Any]  # {"kind": ..., "fields": {...}, "needs_review": [...]}


def score(samples: Iterable[Sample], read: Callable[[Sample], Reading],
          into: Score | None = None) -> Score:
    """Read each sample and score it; a sample that cannot be read scores nothing."""
    result = into or Score()
    for sample in samples:
        try:
            reading = read(sample)
        except Exception as exc:  # one unreadable sample is a finding, not a crash
            result.unreadable.append((sample.name, f"{type(exc).__name__}: {exc}"))
            reading = {"kind": "(unreadable)", "fields": {}, "needs_review": []}
        score_one(sample, reading, result)
    return result


def score_one(sample: Sample, reading: Reading, result: Score) -> None:
    expected = sample.expected
    result.messages += 1
    tally = result.kinds.setdefault(expected["kind"], [0, 0])
    tally[1] += 1
    if reading["kind"] == expected["kind"]:
        result.kind_right += 1
        tally[0] += 1
    else:
        result.kind_misses.append((sample.name, expected["kind"], reading["kind"]))
    want: dict[str, Any] = expected.get("fields", {})
    optional: dict[str, Any] = expected.get("optional", {})
    accept: dict[str, list[Any]] = expected.get("accept", {})
    got: dict[str, Any] = reading.get("fields", {})
    flagged = set(reading.get("needs_review", []))
    for name in sorted(set(want) | set(got)):
        stats = result.fields.setdefault(name, FieldScore())
        allowed = [v for v in (want.get(name, optional.get(name)),) if v is not None]
        allowed += accept.get(name, [])
        if name in want:
            stats.expected += 1
        value = got.get(name)
        if value is None:
            if name in want:
                result.misses.append(Miss(sample.name, name, want[name], None, name in flagged))
            continue
        if any(same_value(name, a, value) for a in allowed):
            if name in want:
                stats.right += 1
            continue
        # A wrong value, or one output although neither expected nor optional.
        if name not in flagged:
            stats.wrong += 1
        result.misses.append(Miss(sample.name, name, want.get(name, optional.get(name)), value,
                                  name in flagged))


def same_value(name: str, expected: Any, got: Any) -> bool:
    """The corpus's comparison: exact for dates, flags and postcodes; folded otherwise."""
    if isinstance(expected, bool) or isinstance(got, bool) or name in EXACT_FIELDS:
        return expected == got
    if name in PHONE_FIELDS:
        return _phone(str(expected)) == _phone(str(got))
    if name == "child_upn":
        return _squash(str(expected)) == _squash(str(got))
    a, b = _normal(str(expected)), _normal(str(got))
    if name in NAME_FIELDS:
        a, b = TITLES.sub("", a), TITLES.sub("", b)
    if name == "reason" and a != b:
        return _words_overlap(a, b)
    return a == b


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(FOLD).casefold()
    text = " ".join(text.split())
    text = re.sub(r"\s*,\s*", ", ", text)
    return text.strip(EDGE_PUNCTUATION)


def _phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if digits.startswith("44") else digits


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text)


def _words_overlap(expected: str, got: str) -> bool:
    want, have = _words(expected), _words(got)
    if not want or not have:
        return False
    present = sum(1 for w in want if w in set(have)) / len(want)
    relevant = sum(1 for w in have if w in set(want)) / len(have)
    return present >= 0.8 and relevant >= 0.5

"""The message kind, from weighted phrases an administrator can tune (kinds.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from parsers.templates import KINDS, TemplateError

SCHOOL_NAME = re.compile(r"\b(school|academy|college)\b", re.IGNORECASE)
REFERENCE = re.compile(r"\bCME[-/ ]\d{4}[-/ ]\d{1,5}\b", re.IGNORECASE)


@dataclass(frozen=True)
class KindRules:
    threshold: float
    phrases: dict[str, dict[str, float]]
    reference_bonus: dict[str, float]
    school_domains: tuple[str, ...] = ()
    not_school: dict[str, str] | None = None
    school: dict[str, str] | None = None

    def by_sender(self, kind: str, sender: str | None, organisation: str | None) -> str:
        """Schools notify; anyone else who writes the same is an agency referring."""
        if not sender:
            return kind
        is_school = any(sender.lower().endswith(d) for d in self.school_domains) or bool(
            organisation and SCHOOL_NAME.search(organisation)
        )
        table = (self.school if is_school else self.not_school) or {}
        return table.get(kind, kind)

    def scores(self, text: str, reference_text: str) -> dict[str, float]:
        lowered = text.lower()
        totals = {kind: 0.0 for kind in KINDS}
        for kind, phrases in self.phrases.items():
            totals[kind] = sum(w for p, w in phrases.items() if p in lowered)
        if REFERENCE.search(reference_text):
            for kind, bonus in self.reference_bonus.items():
                totals[kind] += bonus
        return totals

    def decide(self, text: str, reference_text: str, template_kind: str = "") -> str:
        totals = self.scores(text, reference_text)
        if template_kind:
            totals[template_kind] += self.threshold
        other = totals.pop("other")
        kind, best = max(totals.items(), key=lambda kv: kv[1])
        # Circulars and auto-replies mention CME too: when their own signs are as
        # strong as any kind's, they are not a notification.
        if other >= self.threshold and other >= best:
            return "other"
        return kind if best >= self.threshold else "other"


def load_kind_rules(path: Path) -> KindRules:
    name = path.stem
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(name, "", f"cannot read: {exc}") from None
    phrases = raw.get("phrases", {})
    for kind, table in phrases.items():
        if kind not in KINDS:
            raise TemplateError(name, f"phrases.{kind}", "not a message kind")
        for phrase, weight in table.items():
            if not isinstance(weight, int | float):
                raise TemplateError(name, f"phrases.{kind}.{phrase}", "weight must be a number")
    threshold = raw.get("threshold", 3)
    if not isinstance(threshold, int | float):
        raise TemplateError(name, "threshold", "must be a number")
    senders = raw.get("senders", {})
    for table in ("school", "not_school"):
        for kind, other in senders.get(table, {}).items():
            if kind not in KINDS or other not in KINDS:
                raise TemplateError(name, f"senders.{table}.{kind}", "not a message kind")
    return KindRules(
        float(threshold),
        {k: {p.lower(): float(w) for p, w in t.items()} for k, t in phrases.items()},
        {k: float(v) for k, v in raw.get("reference", {}).items()},
        tuple(d.lower() for d in senders.get("school_domains", [])),
        senders.get("not_school", {}),
        senders.get("school", {}),
    )

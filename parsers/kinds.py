"""The message kind, from weighted phrases an administrator can tune (kinds.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from parsers.templates import KINDS, TemplateError

REFERENCE = re.compile(r"\bCME[-/ ]\d{4}[-/ ]\d{1,5}\b", re.IGNORECASE)


@dataclass(frozen=True)
class KindRules:
    threshold: float
    phrases: dict[str, dict[str, float]]
    reference_bonus: dict[str, float]

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
            totals[template_kind] += 2 * self.threshold
        kind, best = max(totals.items(), key=lambda kv: kv[1])
        return kind if best >= self.threshold else "other"


def load_kind_rules(path: Path) -> KindRules:
    name = path.stem
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(name, "-", f"cannot read: {exc}") from None
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
    return KindRules(
        float(threshold),
        {k: {p.lower(): float(w) for p, w in t.items()} for k, t in phrases.items()},
        {k: float(v) for k, v in raw.get("reference", {}).items()},
    )

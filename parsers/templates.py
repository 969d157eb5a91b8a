"""Form templates: TOML files an administrator can read and edit.

A template answers two questions (STYLE.md point 1):

- ``identify(text, sender)``: how sure it is that this document is its form,
  a score from 0 to 1 from its keywords, exclusions and sender domains;
- ``labels``: the label synonyms of its fields, added to the generic ones.

Templates are data, checked at load: a broken file is reported by name and key
(``TemplateError``) and skipped, and the others go on working. Precedence is an
explicit ``priority``, never file order; two templates equally sure of the same
document is a tie, and a tie goes to review.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cme.resources import SearchPath

KINDS = (
    "cme_notification",
    "ehe_notification",
    "agency_referral",
    "new_pupil_no_info",
    "case_update",
    "other",
)
GENERIC = "generic"
# Labels that carry two fields at once; parsers/fields.py splits them.
PSEUDO_FIELDS = {"child_full_name", "parent_name_phone"}


class TemplateError(Exception):
    def __init__(self, template: str, key: str, message: str) -> None:
        super().__init__(f"{template}: [{key}] {message}" if key else f"{template}: {message}")
        self.template = template
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Template:
    name: str
    path: Path | None
    kind: str = ""
    priority: int = 0
    description: str = ""
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sender_domains: tuple[str, ...] = ()
    min_score: float = 0.5
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)
    samples: tuple[Path, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)

    def identify(self, text: str, sender: str | None = None) -> float:
        """0..1: the share of this form's keywords found, nothing if an exclusion is."""
        if not self.keywords:
            return 0.0
        lowered = text.lower()
        if any(word in lowered for word in self.exclude):
            return 0.0
        found = sum(1 for word in self.keywords if word in lowered)
        score = found / len(self.keywords)
        if (
            sender
            and self.sender_domains
            and found
            and any(sender.lower().endswith(domain) for domain in self.sender_domains)
        ):
            score = min(1.0, score + 0.2)
        return score


@dataclass
class TemplateSet:
    generic: Template
    forms: list[Template]
    errors: list[TemplateError]
    raw_generic: dict[str, Any]

    def best(self, text: str, sender: str | None = None) -> tuple[Template, float, list[str]]:
        """The template for ``text``: (template, score, tied candidates when several).

        Highest score wins; among equal scores the higher priority; equal both
        is a tie, returned with the names of the tied templates for review.
        """
        scored = [(t.identify(text, sender), t) for t in self.forms]
        scored = [(s, t) for s, t in scored if s >= t.min_score]
        if not scored:
            return self.generic, 0.0, []
        scored.sort(key=lambda st: (st[0], st[1].priority), reverse=True)
        top_score, top = scored[0]
        tied = [
            t.name
            for s, t in scored[1:]
            if abs(s - top_score) < 1e-9 and t.priority == top.priority
        ]
        return top, top_score, ([top.name, *tied] if tied else [])


def load_templates(folder: Path | SearchPath) -> TemplateSet:
    """Every ``*.toml`` on the search path (a site's copy hides the shipped one of
    the same name); broken ones are skipped and listed in ``errors``."""
    search = SearchPath.of(folder)
    errors: list[TemplateError] = []
    generic_path = search.file(f"{GENERIC}.toml")
    raw_generic = _read(generic_path, GENERIC)
    generic = build_template(GENERIC, raw_generic, generic_path)
    forms: list[Template] = []
    for path in search.files("*.toml"):
        if path == generic_path:
            continue
        try:
            forms.append(build_template(path.stem, _read(path, path.stem), path))
        except TemplateError as exc:
            errors.append(exc)
    names = [t.name for t in forms]
    for name in {n for n in names if names.count(n) > 1}:
        errors.append(TemplateError(name, "name", "two templates share this name"))
    return TemplateSet(generic, forms, errors, raw_generic)


def _read(path: Path, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(name, "", f"file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(name, "", f"not valid TOML: {exc}") from None


KNOWN_KEYS = {
    "name",
    "description",
    "kind",
    "priority",
    "identify",
    "labels",
    "patterns",
    "samples",
    "generic_labels",
    "sections",
    "groups",
    "specimen",
}


def build_template(stem: str, raw: dict[str, Any], path: Path | None = None) -> Template:
    """Check one template's data; raise TemplateError naming the first bad key."""
    from parsers.normalise import FIELD_TYPES

    name = _string(raw, "name", stem, stem)
    for key in raw:
        if key not in KNOWN_KEYS:
            raise TemplateError(name, key, "unknown key")
    kind = _string(raw, "kind", "", name)
    if kind and kind not in KINDS:
        raise TemplateError(name, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    priority = raw.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise TemplateError(name, "priority", "must be a whole number")
    identify = raw.get("identify", {})
    if not isinstance(identify, dict):
        raise TemplateError(name, "identify", "must be a table")
    for key in identify:
        if key not in ("keywords", "exclude", "sender_domains", "min_score"):
            raise TemplateError(name, f"identify.{key}", "unknown key")
    known_fields = set(FIELD_TYPES) | PSEUDO_FIELDS
    labels = {
        fld: tuple(_strings(values, f"labels.{fld}", name))
        for fld, values in _table(raw, "labels", name).items()
    }
    for fld in labels:
        if fld not in known_fields:
            raise TemplateError(name, f"labels.{fld}", "not a canonical field (FIELDS.md)")
    patterns = {}
    for fld, text in _table(raw, "patterns", name).items():
        if fld not in known_fields:
            raise TemplateError(name, f"patterns.{fld}", "not a canonical field (FIELDS.md)")
        try:
            patterns[fld] = re.compile(str(text), re.IGNORECASE)
        except re.error as exc:
            raise TemplateError(name, f"patterns.{fld}", f"bad regular expression: {exc}") from None
    min_score = identify.get("min_score", 0.5)
    if not isinstance(min_score, int | float) or not 0 < min_score <= 1:
        raise TemplateError(name, "identify.min_score", "must be a number above 0, at most 1")
    base = path.parent if path else Path(".")
    samples = tuple(base / s for s in _strings(raw.get("samples", []), "samples", name))
    return Template(
        name=name,
        path=path,
        kind=kind,
        priority=priority,
        description=_string(raw, "description", "", name),
        keywords=tuple(
            w.lower() for w in _strings(identify.get("keywords", []), "identify.keywords", name)
        ),
        exclude=tuple(
            w.lower() for w in _strings(identify.get("exclude", []), "identify.exclude", name)
        ),
        sender_domains=tuple(
            d.lower()
            for d in _strings(identify.get("sender_domains", []), "identify.sender_domains", name)
        ),
        min_score=float(min_score),
        labels=labels,
        patterns=patterns,
        samples=samples,
        raw=raw,
    )


def _string(raw: dict[str, Any], key: str, default: str, name: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise TemplateError(name, key, "must be text")
    return value


def _table(raw: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise TemplateError(name, key, "must be a table")
    return value


def _strings(values: Iterable[Any], key: str, name: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, list):
        raise TemplateError(name, key, "must be a list of text")
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise TemplateError(name, key, f"{value!r} is not a non-empty text")
    return list(values)

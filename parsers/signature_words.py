"""The signature vocabulary (``templates/signature.toml``), loaded and checked.

Like the form templates, the file is data an administrator may extend; a broken
list is a ``TemplateError`` naming the file and the key, never an ``assert``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cme.resources import SHIPPED_TEMPLATES
from parsers.templates import TemplateError

FILE = "signature.toml"
# Every list the file must hold, by its key.
KEYS = (
    "sign_offs",
    "job_titles.titles",
    "job_titles.words",
    "organisations.endings",
    "organisations.starts",
    "organisations.units",
    "names.titles",
    "names.post_nominals",
    "names.not_names",
    "noise.lines",
    "noise.disclaimers",
)


def _words(items: tuple[str, ...]) -> str:
    ordered = sorted(items, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


@dataclass(frozen=True)
class SignatureVocabulary:
    sign_offs: tuple[str, ...]
    job_titles: tuple[str, ...]
    job_words: tuple[str, ...]
    org_endings: tuple[str, ...]
    org_starts: tuple[str, ...]
    org_units: tuple[str, ...]
    name_titles: tuple[str, ...]
    post_nominals: tuple[str, ...]
    not_names: frozenset[str]
    noise_lines: tuple[str, ...]
    disclaimers: tuple[str, ...]
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        flags = re.IGNORECASE
        offs = _words(self.sign_offs)
        self.patterns.update(
            sign_off=re.compile(rf"^(?:{offs})$", flags),
            sign_off_name=re.compile(rf"^(?:{offs}),?\s+(?P<name>[^,]{{2,40}})$", flags),
            job_title=re.compile(rf"(?<!\w)(?:{_words(self.job_titles)})(?!\w)", flags),
            job_word=re.compile(rf"(?<!\w)(?:{_words(self.job_words)})(?!\w)", flags),
            job_word_end=re.compile(rf"(?<!\w)(?:{_words(self.job_words)})$", flags),
            org_end=re.compile(rf"(?<!\w)(?:{_words(self.org_endings)})$", flags),
            org_start=re.compile(rf"^(?:{_words(self.org_starts)})(?!\w)", flags),
            unit_end=re.compile(rf"(?<!\w)(?:{_words(self.org_units)})$", flags),
            org_word=re.compile(rf"(?<!\w)(?:{_words(self.org_endings)})(?!\w)", flags),
            unit_word=re.compile(rf"(?<!\w)(?:{_words(self.org_units)})(?!\w)", flags),
            title=re.compile(rf"^(?:{_words(self.name_titles)})\.?\s+", flags),
            post_nominal=re.compile(
                rf"(?:[,\s]+\(?(?:{_words(self.post_nominals)})\)?\.?)+$", flags
            ),
            noise=re.compile(rf"^(?:{_words(self.noise_lines)})(?!\w)", flags),
            disclaimer=re.compile(rf"(?<!\w)(?:{_words(self.disclaimers)})(?!\w)", flags),
        )

    @classmethod
    def shipped(cls) -> SignatureVocabulary:
        """The vocabulary shipped with cme, read once."""
        return _shipped()


@cache
def _shipped() -> SignatureVocabulary:
    return load_signature_vocabulary(SHIPPED_TEMPLATES / FILE)


def load_signature_vocabulary(path: Path) -> SignatureVocabulary:
    """Read and check ``signature.toml``; a broken list names its key."""
    name = path.stem
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(name, "", f"cannot read: {exc}") from None
    lists = {key: _list(raw, key, name) for key in KEYS}
    return SignatureVocabulary(
        sign_offs=tuple(w.lower() for w in lists["sign_offs"]),
        job_titles=lists["job_titles.titles"],
        job_words=lists["job_titles.words"],
        org_endings=lists["organisations.endings"],
        org_starts=lists["organisations.starts"],
        org_units=lists["organisations.units"],
        name_titles=lists["names.titles"],
        post_nominals=lists["names.post_nominals"],
        not_names=frozenset(w.lower() for w in lists["names.not_names"]),
        noise_lines=lists["noise.lines"],
        disclaimers=lists["noise.disclaimers"],
    )


def _list(raw: dict[str, object], key: str, name: str) -> tuple[str, ...]:
    value: object = raw
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        raise TemplateError(name, key, "missing: a list of words is needed")
    if not isinstance(value, list) or not value:
        raise TemplateError(name, key, "must be a non-empty list of words")
    words = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise TemplateError(name, key, f"not a word: {item!r}")
        words.append(" ".join(item.split()))
    return tuple(words)

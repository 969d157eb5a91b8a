"""The prose reader's words, from ``prose.toml`` (templates), checked at load.

Every list is data an administrator can extend. Phrases compile to one
regular expression per list: whole words without case, ``...`` for up to
three words, ``word*`` for any ending, ``{term}`` for any entry of
``[terms] term``. A broken file is a ``TemplateError`` naming the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cme.resources import SHIPPED_TEMPLATES
from parsers.templates import TemplateError

SHIPPED_PROSE = SHIPPED_TEMPLATES / "prose.toml"
FLAGS = ("cp_plan", "looked_after", "known_to_social_care", "sen", "traveller")
OUTCOMES = ("removal_advised", "confirmed_missing", "located", "file_transferred")
DATE_FIELDS = ("child_dob", "date_last_attended", "date_removed_from_roll", "ehe_start_date")
_GAP = r"(?:\s+[^\s.;!?]+){0,3}"  # "...": up to three words, within the clause
_TERM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Phrases:
    """A list of phrases as one pattern; ``None`` when the list is empty."""

    source: tuple[str, ...]
    pattern: re.Pattern[str] | None

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.pattern else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.pattern else iter(())

    def last_before(self, text: str, max_gap_words: int = 3) -> re.Match[str] | None:
        """The match ending closest to the end of ``text``, at most a few words from it."""
        last = None
        for match in self.finditer(text):
            last = match
        if last is None or len(re.findall(r"\w+", text[last.end() :])) > max_gap_words:
            return None
        return last


@dataclass(frozen=True)
class FlagPhrases:
    no: Phrases
    weak_no: Phrases
    yes: Phrases
    weak_yes: Phrases
    not_before: Phrases


@dataclass(frozen=True)
class ProseVocabulary:
    not_names: frozenset[str]
    particles: frozenset[str]
    surname_starts: frozenset[str]
    titles: frozenset[str]
    acronyms: frozenset[str]
    function_words: frozenset[str]
    people: dict[str, frozenset[str]]
    child_before: Phrases
    child_after: Phrases
    child_nouns: frozenset[str]
    alias: Phrases
    dates: dict[str, Phrases]
    ehe_sentence: Phrases
    date_not_before: Phrases
    year_not_after: Phrases
    male: frozenset[str]
    female: frozenset[str]
    flags: dict[str, FlagPhrases]
    flag_not_before: Phrases
    flag_uncertain: Phrases
    flag_verbs: frozenset[str]
    outcomes: tuple[tuple[str, Phrases], ...]
    destination: Phrases
    school_ends: frozenset[str]
    school_foreign: frozenset[str]
    school_origin: Phrases
    circumstances: Phrases
    not_opening: Phrases
    boilerplate: Phrases
    introductions: Phrases
    parent_writer: Phrases

    def role(self, word: str) -> str | None:
        """``parent``, ``sibling``, ``relative`` or ``child`` for a person word, else ``None``."""
        lowered = word.lower()
        for role in ("parent", "sibling", "relative", "child"):
            if lowered in self.people[role]:
                return role
        return None


def compile_phrases(phrases: list[str], terms: dict[str, list[str]], where: str = "") -> Phrases:
    """``phrases`` as one case-blind pattern, the longest phrase tried first."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    pieces = [_phrase(p, terms, where, depth=0) for p in ordered]
    if not pieces:
        return Phrases((), None)
    return Phrases(tuple(phrases), re.compile("|".join(pieces), re.IGNORECASE))


def _phrase(phrase: str, terms: dict[str, list[str]], where: str, depth: int) -> str:
    words = phrase.replace("’", "'").split()
    if not words:
        raise TemplateError("prose", where, "an empty phrase")
    out = ""
    for word in words:
        if word == "...":
            out += _GAP
            continue
        out += (r"\s+" if out else "") + _word(word, terms, where, depth)
    first, last = words[0], words[-1].rstrip("*")
    before = r"(?<!\w)" if re.match(r"[\w{]", first) else ""
    after = r"(?!\w)" if last and re.search(r"[\w}]$", last) and not words[-1].endswith("*") else ""
    return f"{before}(?:{out}){after}"


def _word(word: str, terms: dict[str, list[str]], where: str, depth: int) -> str:
    term = _TERM.fullmatch(word.rstrip(":"))
    if term:
        name = term.group(1)
        if name not in terms:
            raise TemplateError("prose", where, f"no [terms] {name}")
        if depth > 3:
            raise TemplateError("prose", where, f"[terms] {name} refers to itself")
        inner = "|".join(
            _phrase(p, terms, f"terms.{name}", depth + 1)
            for p in sorted(terms[name], key=len, reverse=True)
        )
        return f"(?:{inner})" + (r"\s*:" if word.endswith(":") else "")
    star = word.endswith("*")
    text = re.escape(word.rstrip("*")).replace("'", "'?")
    text = text.replace(r"\:", r"\s*:")
    return text + (r"\w*" if star else "")


def _strings(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        where = f"{where}.{key}" if where else key
        raise TemplateError("prose", where, "must be a list of strings")
    return value


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise TemplateError("prose", key, "must be a table")
    return value


def _words(raw: dict[str, Any], key: str, where: str) -> frozenset[str]:
    return frozenset(w.lower().replace("’", "'") for w in _strings(raw, key, where))


def build_vocabulary(raw: dict[str, Any]) -> ProseVocabulary:
    """A vocabulary from the parsed TOML; ``TemplateError`` names a bad key."""
    terms_raw = _table(raw, "terms")
    terms = {name: _strings(terms_raw, name, "terms") for name in terms_raw}
    names, people, child = _table(raw, "names"), _table(raw, "people"), _table(raw, "child")
    dates, flags_raw = _table(raw, "dates"), _table(raw, "flags")
    outcome, school, reason = _table(raw, "outcome"), _table(raw, "school"), _table(raw, "reason")
    gender, year = _table(raw, "gender"), _table(raw, "year_group")

    def phrases(table: dict[str, Any], key: str, where: str) -> Phrases:
        return compile_phrases(_strings(table, key, where), terms, f"{where}.{key}")

    return ProseVocabulary(
        not_names=_words(names, "not_names", "names"),
        particles=_words(names, "particles", "names"),
        surname_starts=_words(names, "surname_starts", "names"),
        titles=_words(names, "titles", "names"),
        acronyms=_words(names, "acronyms", "names"),
        function_words=_words(names, "function_words", "names"),
        people={r: _words(people, r, "people")
                for r in ("parent", "sibling", "relative", "child", "pronouns")},
        child_before=phrases(child, "before", "child"),
        child_after=phrases(child, "after", "child"),
        child_nouns=_words(child, "nouns", "child"),
        alias=phrases(child, "alias", "child"),
        dates={f: phrases(dates, f, "dates") for f in DATE_FIELDS},
        ehe_sentence=phrases(dates, "ehe_sentence", "dates"),
        date_not_before=phrases(dates, "not_before", "dates"),
        year_not_after=phrases(year, "not_after", "year_group"),
        male=_words(gender, "male", "gender"),
        female=_words(gender, "female", "gender"),
        flags=_flags(flags_raw, terms),
        flag_not_before=phrases(flags_raw, "not_before", "flags"),
        flag_uncertain=phrases(flags_raw, "uncertain", "flags"),
        flag_verbs=_words(flags_raw, "verbs", "flags"),
        outcomes=_outcomes(outcome, terms),
        destination=phrases(outcome, "destination", "outcome"),
        school_ends=_words(school, "ends", "school"),
        school_foreign=_words(school, "foreign", "school"),
        school_origin=phrases(school, "origin", "school"),
        circumstances=phrases(reason, "circumstances", "reason"),
        not_opening=phrases(reason, "not_opening", "reason"),
        boilerplate=phrases(reason, "boilerplate", "reason"),
        introductions=phrases(reason, "introductions", "reason"),
        parent_writer=phrases(_table(raw, "writer"), "parent", "writer"),
    )


def _flags(table: dict[str, Any], terms: dict[str, list[str]]) -> dict[str, FlagPhrases]:
    """Each flag's phrase lists; a flag the file names that FIELDS.md does not is an error."""
    unknown = set(table) - set(FLAGS) - {"not_before", "uncertain", "verbs"}
    if unknown:
        raise TemplateError("prose", f"flags.{sorted(unknown)[0]}", "not a flag field")
    out: dict[str, FlagPhrases] = {}
    for flag in FLAGS:
        lists = table.get(flag, {})
        if not isinstance(lists, dict):
            raise TemplateError("prose", f"flags.{flag}", "must be a table")
        where = f"flags.{flag}"
        out[flag] = FlagPhrases(*(
            compile_phrases(_strings(lists, key, where), terms, f"{where}.{key}")
            for key in ("no", "weak_no", "yes", "weak_yes", "not_before")))
    return out


def _outcomes(
    table: dict[str, Any], terms: dict[str, list[str]]
) -> tuple[tuple[str, Phrases], ...]:
    """The outcomes in the order the file lists them (the order they are tried in)."""
    unknown = set(table) - set(OUTCOMES) - {"destination"}
    if unknown:
        raise TemplateError("prose", f"outcome.{sorted(unknown)[0]}", "not an update outcome")
    order = [o for o in table if o in OUTCOMES] + [o for o in OUTCOMES if o not in table]
    return tuple((o, compile_phrases(_strings(table, o, "outcome"), terms, f"outcome.{o}"))
                 for o in order)


def load_prose_vocabulary(path: Path) -> ProseVocabulary:
    """The vocabulary in ``path``; ``TemplateError`` if it cannot be read or is malformed."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(path.stem, "", f"cannot read: {exc}") from None
    try:
        return build_vocabulary(raw)
    except re.error as exc:
        raise TemplateError(path.stem, "", f"a phrase does not compile: {exc}") from None


@lru_cache(maxsize=1)
def shipped_vocabulary() -> ProseVocabulary:
    """The vocabulary shipped with cme, read once."""
    return load_prose_vocabulary(SHIPPED_PROSE)

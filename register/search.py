"""``cme search TEXT``: children and cases by name, UPN, date of birth, postcode or reference.

The text is tried as each of them at once, and every reading that finds
something counts; a child found several ways keeps its best score. Names are
matched fuzzily (rapidfuzz's WRatio: a misspelt or partial name, forenames and
surname in either order); a date of birth in any UK form (``3.4.15``,
``03/04/2015``, ``3 April 2015``, ``2015-04-03``); a postcode with or without
its space; a reference whole or in part. A name with a date of birth
(``Maya Holowell 3.4.15``) finds the children with both first.

A fixed number of queries however many children: the names are read once and
scored in memory, which takes milliseconds for thousands. A child merged into
another is found as the one it was merged into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from register.models import Case, Child, ChildAddress
from workflows.references import ALPHABET

NAME_CUTOFF = 75.0
SCORES = {"reference": 100.0, "UPN": 100.0, "date of birth": 95.0, "postcode": 95.0,
          "part of a reference": 90.0, "postcode area": 80.0}

_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_UPN = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
# A reference's serial typed alone ("DXSWS", "DXSWS-7"): five of its base-32 characters,
# which may happen to hold no digit.
_SERIAL = re.compile(rf"[{ALPHABET}]{{5}}(?:-?[{ALPHABET}])?")
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct",
           "nov", "dec", "january", "february", "march", "april", "june", "july", "august",
           "september", "october", "november", "december", "of"}


@dataclass
class Hit:
    score: float
    matched: str
    child: dict[str, Any] | None
    cases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 1), "matched": self.matched, "child": self.child,
                "cases": self.cases}


def search(text: str, *, limit: int = 25) -> list[Hit]:
    """The children and cases ``text`` may mean, best match first (at most ``limit``)."""
    query = " ".join(text.split())
    if not query:
        return []
    children = {row[0]: row for row in Child.select(
        Child.id, Child.forenames, Child.surname, Child.dob, Child.upn, Child.merged_into
    ).tuples()}
    found: dict[int, tuple[float, str]] = {}  # child id -> best (score, how)

    def add(child_id: int, score: float, how: str) -> None:
        target, seen = child_id, {child_id}
        while children[target][5] is not None and children[target][5] not in seen:
            target = children[target][5]
            seen.add(target)
        if target != child_id:
            how = f"{how} (as merged child {child_id})"
        if score > found.get(target, (-1.0, ""))[0]:
            found[target] = (score, how)

    compact = re.sub(r"\s+", "", query).upper()
    if _UPN.fullmatch(compact):
        for row in children.values():
            if row[4] and row[4].upper() == compact:
                add(row[0], SCORES["UPN"], "UPN")
    _by_postcode(compact, add)
    dob = _date_in(query)
    names = _name_words(query) if dob is not None else query
    if dob is not None:
        born = [row for row in children.values() if row[3] == dob]
        for row in born:
            add(row[0], SCORES["date of birth"], "date of birth")
        if names:
            for child_id, score in _by_name(names, {r[0]: r for r in born}).items():
                add(child_id, 100.0 + score / 100, "name and date of birth")
    if names and re.search(r"[^\W\d_]", names):
        for child_id, score in _by_name(names, children).items():
            add(child_id, score, "name")
    hits = _case_hits(compact)
    hits += _child_hits(found, children)
    hits.sort(key=lambda h: (-h.score, (h.child or {}).get("surname") or "",
                             (h.child or {}).get("forenames") or "", h.cases))
    # One place per child, its best, before the list is cut to ``limit``.
    seen: set[int] = set()
    unique = []
    for hit in hits:
        child_id = hit.child["id"] if hit.child else None
        if child_id is not None and child_id in seen:
            continue
        if child_id is not None:
            seen.add(child_id)
        unique.append(hit)
    return unique[:limit]


def _date_in(query: str) -> date | None:
    from cme.dates import DateError, parse_uk_date

    if not re.search(r"\d", query):
        return None
    try:
        return parse_uk_date(query)
    except DateError:
        return None


def _name_words(query: str) -> str:
    """``query`` without its date: the words with no digit that are not month names."""
    words = [w for w in re.split(r"[\s,]+", query)
             if w and not re.search(r"\d", w) and w.lower().rstrip(".") not in _MONTHS]
    return " ".join(words)


def _by_name(names: str, children: dict[int, tuple]) -> dict[int, float]:
    from rapidfuzz import fuzz, process, utils

    choices = {child_id: f"{row[1]} {row[2]}" for child_id, row in children.items()}
    return {child_id: score for _, score, child_id in process.extract(
        names, choices, scorer=fuzz.WRatio, processor=utils.default_process,
        score_cutoff=NAME_CUTOFF, limit=None)}


def _by_postcode(compact: str, add: Any) -> None:
    if _POSTCODE.fullmatch(compact):
        how, wanted = "postcode", compact
    elif _OUTWARD.fullmatch(compact):
        how, wanted = "postcode area", compact
    else:
        return
    rows = (ChildAddress.select(ChildAddress.child, ChildAddress.postcode)
            .where(ChildAddress.postcode.is_null(False)).tuples())
    for child_id, postcode in rows:
        written = re.sub(r"\s+", "", postcode).upper()
        outward = written[:-3]
        if written == wanted or (how == "postcode area" and outward == wanted):
            add(child_id, SCORES[how], how)


def _case_hits(compact: str) -> list[Hit]:
    """Cases by reference: whole (any case, with or without dashes) or a part of five
    characters or more. A case with a child is that child's hit, scored as a case."""
    if len(compact) < 5 or not (re.search(r"\d", compact) or _SERIAL.fullmatch(compact)):
        return []
    plain = compact.replace("-", "")
    rows = [(ref, child) for ref, child in Case.select(Case.reference, Case.child).tuples()
            if plain in ref.replace("-", "")]
    hits = []
    for reference, child_id in rows:
        how = "reference" if reference.replace("-", "") == plain else "part of a reference"
        hits.append(Hit(SCORES[how], f"{how} {reference}", {"id": child_id} if child_id else None,
                        [reference]))
    return hits


def _child_hits(found: dict[int, tuple[float, str]], children: dict[int, tuple]) -> list[Hit]:
    return [Hit(score, how, _child_dict(children[child_id])) for child_id, (score, how)
            in found.items()]


def fill(hits: list[Hit]) -> list[Hit]:
    """Each hit with its child's details, latest postcode and case references, in three
    queries; a case found by reference whose child was found too is one hit."""
    ids = {h.child["id"] for h in hits if h.child}
    rows = {row[0]: row for row in Child.select(
        Child.id, Child.forenames, Child.surname, Child.dob, Child.upn, Child.merged_into
    ).where(Child.id.in_(list(ids))).tuples()}
    postcodes: dict[int, str] = {}
    for child_id, postcode in (ChildAddress.select(ChildAddress.child, ChildAddress.postcode)
                               .where(ChildAddress.child.in_(list(ids)))
                               .order_by(ChildAddress.id).tuples()):
        if postcode:
            postcodes[child_id] = postcode
    references: dict[int, list[str]] = {}
    for reference, child_id in (Case.select(Case.reference, Case.child)
                                .where(Case.child.in_(list(ids))).order_by(Case.id).tuples()):
        references.setdefault(child_id, []).append(reference)
    merged: list[Hit] = []
    by_child: dict[int, Hit] = {}
    for hit in hits:
        if hit.child is None:
            merged.append(hit)
            continue
        child_id = hit.child["id"]
        if child_id in by_child:  # found by a reference and by name: the best one stays
            continue
        hit.child = {**_child_dict(rows[child_id]), "postcode": postcodes.get(child_id)}
        hit.cases = references.get(child_id, [])
        by_child[child_id] = hit
        merged.append(hit)
    return merged


def _child_dict(row: tuple) -> dict[str, Any]:
    return {"id": row[0], "forenames": row[1], "surname": row[2],
            "dob": row[3].isoformat() if row[3] else None, "upn": row[4]}


def find(text: str, *, limit: int = 25) -> list[dict[str, Any]]:
    """``search`` then ``fill``, as plain dicts (``cme search --json``)."""
    return [hit.as_dict() for hit in fill(search(text, limit=limit))]

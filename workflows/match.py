"""Which child a message is about: by UPN first, then by name and date of birth.

A sure match links the message to that child. A near miss (a name spelt a
little differently with the same date of birth, or the same name with day and
month swapped) is never merged silently: it comes back as ``uncertain`` and the
caller opens a review item, so a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from register.models import Child

SURE = 100
NEAR = 85


@dataclass
class Match:
    child: Child | None = None
    uncertain: list[Child] = field(default_factory=list)
    how: str = ""


def find_child(fields: dict) -> Match:
    upn = fields.get("child_upn")
    if upn:
        found = Child.get_or_none(Child.upn == upn)
        if found is not None:
            return Match(found, how="UPN")
    surname, forenames = fields.get("child_surname"), fields.get("child_forenames")
    dob = _as_date(fields.get("child_dob"))
    if not surname:
        return Match(how="no surname")
    candidates = _candidates(surname, dob)
    scored = sorted(((_score(c, surname, forenames, dob), c) for c in candidates),
                    key=lambda sc: -sc[0])
    sure = [c for s, c in scored if s >= SURE]
    if len(sure) == 1 and not (upn and sure[0].upn and sure[0].upn != upn):
        return Match(sure[0], how="name and date of birth")
    near = [c for s, c in scored if s >= NEAR]
    return Match(None, near, "near miss" if near else "new child")


def _candidates(surname: str, dob: date | None) -> list[Child]:
    """Children with this date of birth (or its day/month swap), or this surname."""
    query = Child.select()
    clauses = Child.surname ** surname  # case-insensitive equality
    if dob is not None:
        clauses |= Child.dob == dob
        swapped = _swapped(dob)
        if swapped:
            clauses |= Child.dob == swapped
    return list(query.where(clauses).limit(200))


def _score(child: Child, surname: str, forenames: str | None, dob: date | None) -> float:
    names = fuzz.ratio(_norm(f"{child.forenames} {child.surname}"),
                       _norm(f"{forenames or ''} {surname}"))
    same_names = _norm(child.surname) == _norm(surname) and (
        not forenames or _norm(child.forenames) == _norm(forenames))
    if dob is None or child.dob is None:
        return NEAR if same_names else 0  # without dates of birth, never sure
    if child.dob == dob:
        return SURE if same_names else (names if names >= NEAR else 0)
    if child.dob == _swapped(dob) and same_names:
        return NEAR  # 03/04 read as 04/03: ask a person
    return 0


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def _swapped(day: date) -> date | None:
    try:
        return date(day.year, day.day, day.month) if day.day <= 12 and day.day != day.month \
            else None
    except ValueError:
        return None


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None

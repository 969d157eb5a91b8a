"""Which child a message is about: by UPN first, then by name and date of birth.

A sure match links the message to that child. A near miss (a name spelt a
little differently with the same date of birth, the same name with day and
month swapped or a date of birth one digit apart, or the same UPN under another
name) is never merged silently: it comes back as ``uncertain`` and the caller
opens a review item, so a person decides.

A child merged into another (``cme child merge``) is never matched itself: a
message that names it (by UPN, or by its name and date of birth) finds the child
it was merged into.

``possible_duplicates`` asks the same of a child already on the register, after
a person edits it; ``flag_duplicates`` makes each answer a review item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from rapidfuzz import fuzz

from register.models import Case, Child, ReviewItem

SURE = 100
NEAR = 85


@dataclass
class Match:
    child: Child | None = None
    uncertain: list[Child] = field(default_factory=list)
    how: str = ""


def find_child(fields: dict) -> Match:
    upn = fields.get("child_upn")
    surname, forenames = fields.get("child_surname"), fields.get("child_forenames")
    other_names: list[Child] = []
    if upn:
        same_upn = [_current(c) for c in Child.select().where(Child.upn == upn)]
        named = [c for c in same_upn if not surname or _same_person_name(c, surname, forenames)]
        if named:
            return Match(named[0], how="UPN")
        other_names = same_upn  # the same UPN under another name: ask a person
    dob = _as_date(fields.get("child_dob"))
    if not surname:
        return Match(how="no surname")
    found = _by_name(surname, forenames, dob, upn)
    for child in other_names:
        if child not in found.uncertain:
            found.uncertain.append(child)
    if found.child is None and found.uncertain:
        found.how = "near miss"
    return found


def _by_name(surname: str, forenames: str | None, dob: date | None, upn: str | None) -> Match:
    best: dict[int, tuple[float, Child]] = {}
    for candidate in _candidates(surname, dob):
        # a merged record's name and date of birth are the kept child's too
        score, current = _score(candidate, surname, forenames, dob), _current(candidate)
        if score > best.get(current.id, (-1.0, current))[0]:
            best[current.id] = (score, current)
    scored = sorted(best.values(), key=lambda sc: (-sc[0], sc[1].id))
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


def _current(child: Child) -> Child:
    """The child a merged record now stands for (itself when not merged)."""
    seen = {child.id}
    while child.merged_into_id is not None and child.merged_into_id not in seen:
        seen.add(child.merged_into_id)
        child = Child.get_by_id(child.merged_into_id)
    return child


def _same_person_name(child: Child, surname: str, forenames: str | None) -> bool:
    """Close enough to be the name of the child a UPN already belongs to."""
    return fuzz.ratio(_norm(f"{child.forenames} {child.surname}"),
                      _norm(f"{forenames or child.forenames} {surname}")) >= NEAR


def _score(child: Child, surname: str, forenames: str | None, dob: date | None) -> float:
    names = fuzz.ratio(_norm(f"{child.forenames} {child.surname}"),
                       _norm(f"{forenames or ''} {surname}"))
    same_names = _norm(child.surname) == _norm(surname) and (
        not forenames or _norm(child.forenames) == _norm(forenames))
    if dob is None or child.dob is None:
        return NEAR if same_names else 0  # without dates of birth, never sure
    if child.dob == dob:
        return SURE if same_names else (names if names >= NEAR else 0)
    if same_names and (child.dob == _swapped(dob) or one_digit_apart(child.dob, dob)):
        return NEAR  # 03/04 read as 04/03, or one digit mistyped: ask a person
    return 0


def one_digit_apart(first: date, second: date) -> bool:
    """The two dates written ``YYYY-MM-DD`` differ in exactly one digit (a typing slip)."""
    return sum(a != b for a, b in zip(first.isoformat(), second.isoformat(),
                                      strict=True)) == 1


DUPLICATE = "possible_duplicate"


@dataclass(frozen=True)
class Duplicate:
    other: Child
    why: str


def possible_duplicates(child: Child) -> list[Duplicate]:
    """Other children on the register who may be ``child``: the same name with a date of
    birth the same, one digit apart or with day and month swapped; or the same UPN
    under another name. Merged children are history, and left out."""
    clauses = Child.surname ** child.surname
    if child.upn:
        clauses |= Child.upn == child.upn
    others = (Child.select().where(clauses & (Child.id != child.id)
                                   & Child.merged_into.is_null()).order_by(Child.id))
    found = []
    for other in others:
        why = _why_duplicate(child, other)
        if why:
            found.append(Duplicate(other, why))
    return found


def _why_duplicate(child: Child, other: Child) -> str:
    if child.upn and other.upn == child.upn and not _same_person_name(
            other, child.surname, child.forenames):
        return "the same UPN under another name"
    same_names = _norm(f"{child.forenames} {child.surname}") == _norm(
        f"{other.forenames} {other.surname}")
    if not same_names or child.dob is None or other.dob is None:
        return ""
    if child.dob == other.dob:
        return "the same name and date of birth"
    if other.dob == _swapped(child.dob):
        return "the same name, with day and month of the date of birth swapped"
    if one_digit_apart(child.dob, other.dob):
        return "the same name, with dates of birth one digit apart"
    return ""


def flag_duplicates(child: Child, at: datetime, *, case: Case | None = None) -> list[ReviewItem]:
    """A review item for each possible duplicate of ``child`` not already waiting for a
    person; the team decides, and merges with ``cme child merge`` when they are one."""
    waiting = {tuple(sorted(item.detail["children"]))
               for item in ReviewItem.select().where(ReviewItem.resolved_at.is_null()
                                                     & (ReviewItem.reason ** "possible duplicate%"))
               if (item.detail or {}).get("action") == DUPLICATE}
    items = []
    for duplicate in possible_duplicates(child):
        pair = tuple(sorted((child.id, duplicate.other.id)))
        if pair in waiting:
            continue
        first = case or Case.select().where(Case.child == duplicate.other).order_by(
            Case.id.desc()).first()
        items.append(ReviewItem.create(
            case=first, reason=(f"possible duplicate: children {pair[0]} and {pair[1]} have "
                                f"{duplicate.why}; if they are one child, "
                                f"cme child merge {pair[0]} {pair[1]}"),
            detail={"action": DUPLICATE, "children": list(pair), "why": duplicate.why},
            created_at=at))
    return items


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

"""Corrections to a child's record by a person: an edit, or a merge of two records.

Every correction is an event on the child (``Event.child``) with the old and the
new values and who made it; nothing is deleted. An edit also becomes the
child's details on each of its cases, so that the letters written after it
(which read the child and the case's details when they are decided) say the
corrected name, date of birth or address. A merged child is kept, marked
``merged_into`` the one it turned out to be; its cases and addresses move to
that child, where they are linked cases of one child, not lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from register.models import Case, Child, ChildAddress, Event, ReviewItem
from workflows.match import DUPLICATE, flag_duplicates

log = logging.getLogger(__name__)

EDITABLE = ("forenames", "surname", "dob", "upn", "gender", "address", "postcode")
# The canonical field (FIELDS.md) each editable detail is kept as in a case's details.
CASE_FIELD = {name: f"child_{name}" for name in EDITABLE}


class CorrectionError(Exception):
    """A correction that cannot be made as asked; the message is one line for the user."""


@dataclass(frozen=True)
class Change:
    old: str | None
    new: str | None


def validated(raw: dict[str, str | None]) -> dict[str, str]:
    """The typed values of ``raw`` (option name -> text) in their normal forms.

    Names are trimmed and must not be empty; a date of birth is read day first
    (``3.4.15``, ``03/04/2015``, ``3 April 2015``, ``2015-04-03``); a UPN must
    pass its check letter; gender is ``M``, ``F`` or ``X``; a postcode has the
    shape of a UK one.
    """
    from cme.dates import DateError, parse_uk_date
    from parsers.categories import normalise_gender
    from parsers.normalise import normalise_postcode, normalise_upn
    from parsers.validate import InvalidValue, collapse_space

    values: dict[str, str] = {}
    for name, text in raw.items():
        if text is None:
            continue
        if name not in EDITABLE:
            raise CorrectionError(f"{name} is not a child's detail that can be edited")
        cleaned = collapse_space(text)
        try:
            if name == "dob":
                values[name] = parse_uk_date(cleaned).isoformat()
            elif name == "upn":
                values[name] = normalise_upn(cleaned)
            elif name == "gender":
                values[name] = normalise_gender(cleaned)
            elif name == "postcode":
                values[name] = normalise_postcode(cleaned)
            elif not cleaned:
                raise CorrectionError(f"--{name} cannot be empty")
            else:
                values[name] = cleaned
        except DateError as exc:
            raise CorrectionError(f"--dob: {exc}") from None
        except InvalidValue as exc:
            raise CorrectionError(f"--{name}: {str(exc).split(': ', 1)[-1]}") from None
    return values


def edit_child(child: Child, values: dict[str, str], at: datetime, actor: str) -> dict[str, Change]:
    """Change ``child``'s details to ``values`` (from ``validated``), in the caller's
    transaction; return what changed. Possible duplicates it now makes are review items."""
    if child.merged_into_id is not None:
        raise CorrectionError(f"child {child.id} was merged into child {child.merged_into_id}: "
                              f"edit that one")
    latest = (child.addresses
              .order_by(ChildAddress.recorded_at.desc(), ChildAddress.id.desc()).first())
    before = {"forenames": child.forenames, "surname": child.surname,
              "dob": child.dob.isoformat() if child.dob else None, "upn": child.upn,
              "gender": child.gender, "address": latest.address if latest else None,
              "postcode": latest.postcode if latest else None}
    changes = {name: Change(before[name], value) for name, value in values.items()
               if value != before[name]}
    if not changes:
        raise CorrectionError(f"child {child.id}: nothing to change (the details are already so)")
    for name in ("forenames", "surname", "upn", "gender"):
        if name in changes:
            setattr(child, name, changes[name].new)
    if "dob" in changes:
        child.dob = date.fromisoformat(changes["dob"].new)
    child.save()
    if "address" in changes or "postcode" in changes:
        address = values.get("address") or before["address"]
        if not address:
            raise CorrectionError("--postcode needs --address: the register has no address "
                                  "for this child yet")
        ChildAddress.create(child=child, address=address,
                            postcode=values.get("postcode", before["postcode"]), recorded_at=at)
    _into_case_details(child, {name: change.new for name, change in changes.items()},
                       values, before)
    Event.create(child=child, kind="child_corrected", at=at, actor=actor,
                 detail={"changes": {name: {"old": c.old, "new": c.new}
                                     for name, c in changes.items()}})
    log.info("child %d corrected by %s: %s", child.id, actor, ", ".join(sorted(changes)))
    flag_duplicates(child, at)
    return changes


def _into_case_details(child: Child, changed: dict[str, str | None], values: dict[str, str],
                       before: dict[str, str | None]) -> None:
    """The corrected details become each of the child's cases' details (the letters read
    the address from there); an address and its postcode always go together."""
    fields = {CASE_FIELD[name]: value for name, value in changed.items()}
    if "child_address" in fields or "child_postcode" in fields:
        fields["child_address"] = values.get("address") or before["address"]
        fields["child_postcode"] = values.get("postcode", before["postcode"])
    for case in Case.select().where(Case.child == child):
        case.details = {**(case.details or {}), **fields}
        case.save(only=[Case.details])


def merge_children(keep: Child, gone: Child, at: datetime, actor: str) -> list[str]:
    """``gone`` turns out to be ``keep``: its cases and addresses move to ``keep``, what
    ``keep`` did not know is taken from it, and it is kept, marked merged. Returns the
    references of the cases moved. Audited by an event on both children and on each
    moved case."""
    if keep.id == gone.id:
        raise CorrectionError(f"child {keep.id} cannot be merged into itself")
    for child in (keep, gone):
        if child.merged_into_id is not None:
            raise CorrectionError(f"child {child.id} was already merged into child "
                                  f"{child.merged_into_id}")
    moved = list(Case.select().where(Case.child == gone).order_by(Case.id))
    filled = {}
    for name in ("upn", "dob", "gender"):
        if getattr(keep, name) is None and getattr(gone, name) is not None:
            value = getattr(gone, name)
            setattr(keep, name, value)
            filled[name] = value.isoformat() if isinstance(value, date) else value
    keep.save()
    Case.update(child=keep).where(Case.child == gone).execute()
    ChildAddress.update(child=keep).where(ChildAddress.child == gone).execute()
    gone.merged_into = keep
    gone.save(only=[Child.merged_into])
    references = [case.reference for case in moved]
    was = {"forenames": gone.forenames, "surname": gone.surname,
           "dob": gone.dob.isoformat() if gone.dob else None, "upn": gone.upn}
    Event.create(child=keep, kind="child_merged", at=at, actor=actor,
                 detail={"merged": gone.id, "was": was, "cases": references, "filled": filled})
    Event.create(child=gone, kind="child_merged_into", at=at, actor=actor,
                 detail={"into": keep.id, "cases": references})
    for case in moved:
        Event.create(case=case, child=keep, kind="child_merged", at=at, actor=actor,
                     detail={"from_child": gone.id, "into_child": keep.id})
    _resolve_duplicate_items(keep, gone, at, actor)
    log.info("child %d merged into child %d by %s (%d cases moved)", gone.id, keep.id, actor,
             len(moved))
    return references


def _resolve_duplicate_items(keep: Child, gone: Child, at: datetime, actor: str) -> None:
    """A possible-duplicate item about these two children is answered by the merge."""
    pair = sorted((keep.id, gone.id))
    for item in ReviewItem.select().where(ReviewItem.resolved_at.is_null()):
        detail: dict[str, Any] = item.detail or {}
        if detail.get("action") == DUPLICATE and sorted(detail.get("children", [])) == pair:
            item.resolved_at = at
            item.resolution = f"merged: child {gone.id} into child {keep.id} by {actor}"
            item.save()

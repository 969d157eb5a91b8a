"""Letters that would say a field still on review wait until a person confirms it.

A case opened from a message with fields on ``needs_review`` gets a review item
"check these fields" (``detail["action"] == CONFIRM_FIELDS``, ``detail["fields"]``).
While it is open, a letter whose template reads one of those fields (its
variables, as ``workflows/letters.py`` finds them in the DOCX) is recorded
``held``, by the same mechanism that holds an unknown sender's letters
(``Workflow.letter``, ``review_actions.release_letters``): accepting the item
(``cme review resolve ID --accept``) confirms the fields as read and releases
the letters that waited only for them, addressed again as the register stands.
A letter whose template cannot be read waits for every field on review.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cme.resources import SearchPath
from register.models import Case, ReviewItem
from workflows.letters import LetterError, template_paths

CONFIRM_FIELDS = "confirm_fields"  # ReviewItem.detail["action"]: fields to check

# The letter variables (CONTEXT_KEYS paths) that say each canonical field.
FIELD_PATHS: dict[str, tuple[str, ...]] = {
    "child_forenames": ("child.forenames", "child.full_name"),
    "child_surname": ("child.surname", "child.full_name"),
    "child_dob": ("child.dob",),
    "child_upn": ("child.upn",),
    "child_gender": ("child.gender",),
    "child_year_group": ("child.year_group",),
    "child_address": ("child.address", "parent.address"),
    "child_postcode": ("child.postcode",),
    "parent_name": ("parent.name",),
    "parent_phone": ("parent.phone",),
    "parent_email": ("parent.email",),
    "school_name": ("school.name",),
    "school_laestab": ("school.laestab",),
    "referrer_name": ("referrer.name",),
    "referrer_role": ("referrer.role",),
    "referrer_organisation": ("referrer.organisation",),
    "referrer_email": ("referrer.email",),
    "social_worker": ("keyworker.name",),
    "date_last_attended": ("dates.last_attended",),
    "date_removed_from_roll": ("dates.removed_from_roll",),
    "ehe_start_date": ("dates.ehe_start",),
    "reason": ("reason",),
    "cp_plan": ("flags.cp_plan",),
    "looked_after": ("flags.looked_after",),
    "known_to_social_care": ("flags.known_to_social_care",),
    "sen": ("flags.sen",),
    "traveller": ("flags.traveller",),
}


def fields_on_review(case: Case) -> set[str]:
    """The case's fields a person has not confirmed yet (its open "check these fields")."""
    items = ReviewItem.select().where((ReviewItem.case == case)
                                      & ReviewItem.resolved_at.is_null())
    waiting: set[str] = set()
    for item in items:
        detail = item.detail or {}
        if detail.get("action") == CONFIRM_FIELDS:
            waiting.update(detail.get("fields") or [])
    return waiting


def waits_for(case: Case, stem: str, letters: SearchPath) -> list[str]:
    """The fields on review that letter ``stem`` would say: it waits while any is left."""
    waiting = fields_on_review(case)
    if not waiting:
        return []
    try:
        used = uses(letters, stem)
    except LetterError:
        return sorted(waiting)  # cannot tell what it says: it waits for them all
    return sorted(name for name in waiting
                  if any(_reads(used, path) for path in FIELD_PATHS.get(name, ())))


def _reads(used: frozenset[str], path: str) -> bool:
    """``child.dob`` is read by a template reading ``child.dob``, or ``child`` whole."""
    parts = path.split(".")
    return any(".".join(parts[:depth]) in used for depth in range(1, len(parts) + 1))


def uses(letters: SearchPath, stem: str) -> frozenset[str]:
    """The dotted variables (``child.dob``) the letter's template reads."""
    path = letters.file(f"{stem}.docx")
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _uses(letters, stem, path, stamp)


@lru_cache(maxsize=64)
def _uses(letters: SearchPath, stem: str, _path: Path, _stamp: int) -> frozenset[str]:
    return frozenset(".".join(parts) for parts in template_paths(letters, stem))

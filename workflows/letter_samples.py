"""Two made-up cases every letter is rendered for: a full one and a sparse one.

``cme templates check`` renders each letter for both and reads the text back
(workflows/letters.py ``check_letter_templates``); the golden texts in
``tests/fixtures/letters/`` are the same renders. The full case knows
everything, with every switch on and every other letter written; the sparse case
is the least a case can have: the child's forenames, surname and date of birth.
All names, numbers and addresses are invented (Ofcom's drama ranges, example
domains).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from cme.config import TeamConfig
from workflows.letter_context import CaseFacts, Party, letter_context
from workflows.letters import LETTERS
from workflows.rules import DUE, OPENING

TODAY = date(2026, 2, 9)
FULL_TEAM = TeamConfig(
    name="Children Missing Education Team", council="Exampleshire County Council",
    officer="Sam Tracker", role="Service Manager, Tracking and Monitoring",
    email="cme@example.invalid", phone="01632 960000",
    address="County Hall\nNew Road\nExampletown EX1 1AA",
    esw_name="Education Social Work Service", esw_email="esw@example.invalid",
    esw_manager_name="Morgan Lead", esw_manager_email="esw-manager@example.invalid",
)
# A site that has set only the addresses mail goes to.
SPARSE_TEAM = TeamConfig(email="cme@example.invalid", esw_email="esw@example.invalid",
                         esw_manager_email="esw-manager@example.invalid")

FULL = CaseFacts(
    reference="CME-2026-00042-K", kind="cme_notification", opened=date(2026, 2, 2),
    close_reason="Child located at another school.",
    forenames="Maya", surname="Hollowell", dob=date(2014, 9, 3), upn="A123456789012",
    details={
        "child_year_group": "7", "child_address": "1 Sample Street, Exampletown",
        "child_postcode": "EX1 2BB", "parent_name": "Pat Hollowell",
        "parent_phone": "07700 900123", "parent_email": "pat.hollowell@example.com",
        "school_name": "Sample Academy", "school_laestab": "9994001",
        "date_last_attended": "2026-01-09", "date_removed_from_roll": "2026-01-30",
        "ehe_start_date": "2026-02-02", "notified": "2026-02-02",
        "reason": "Not seen since the family's eviction; neighbours think they moved away.",
        "referrer_name": "Jo Example", "referrer_role": "Designated Safeguarding Lead",
        "referrer_organisation": "Sample Academy", "referrer_email": "j.example@example.sch.uk",
        "social_worker": "Kay Worker",
        "cp_plan": True, "looked_after": True, "known_to_social_care": True, "sen": True,
        "traveller": True,
    },
    parties={
        "school": Party(organisation="Sample Academy", email="office@example.sch.uk"),
        "previous_school": Party(organisation="Old Mill Primary School",
                                 email="office@oldmill.example.sch.uk"),
        "referrer": Party(name="Jo Example", organisation="Sample Academy",
                          email="j.example@example.sch.uk"),
        "esw": Party(name="Hannah Pennyworth", email="h.pennyworth@example.invalid"),
        "keyworker": Party(name="Kay Worker", organisation="Children's Social Care",
                           email="k.worker@example.invalid"),
        "lead_professional": Party(name="Lee Professional", organisation="Family Support",
                                   email="l.professional@example.invalid"),
        "parent": Party(name="Pat Hollowell", email="pat.hollowell@example.com"),
    },
    letters=frozenset(LETTERS),
    deadline_purpose="esw_chase", deadline_due=date(2026, 2, 23),
)
SPARSE = CaseFacts(reference="CME-2026-00043-L", kind="cme_notification",
                   opened=date(2026, 2, 9), forenames="Ava", surname="Sparrow",
                   dob=date(2015, 4, 3))

# Who each letter is written to (workflows/rules.py and workflows/apply.py).
ROLES: dict[str, str] = {
    **{stem: role for opening in OPENING.values() for stem, role in opening.letters},
    **{due.letter[0]: due.letter[1] for due in DUE.values() if due.letter},
    "keyworker_notification": "keyworker",
    "lead_professional_allocation": "lead_professional",
    "ehe_late_notification": "school",
    "case_closed": "school",
}
CASES = ("full", "sparse")


def sample_context(stem: str, which: str) -> dict[str, Any]:
    """The context of letter ``stem`` for the ``full`` or the ``sparse`` case."""
    team, facts = (FULL_TEAM, FULL) if which == "full" else (SPARSE_TEAM, SPARSE)
    if stem not in facts.letters:
        facts = replace(facts, letters=facts.letters | {stem})
    return letter_context(team, facts, ROLES.get(stem, "school"), TODAY)

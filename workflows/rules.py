"""What each kind of message sets in motion, and what each clock does when due.

This is the policy of DOMAIN.md as data: which letters go out at once, which
clocks start (their lengths are settings, ``[clocks]`` in config.toml), what a
clock does when it falls due, and which news stops which clock.
"""

from __future__ import annotations

from dataclasses import dataclass

# A letter: (template stem, the role of its recipient on the case).
Letter = tuple[str, str]


@dataclass(frozen=True)
class OnOpen:
    letters: tuple[Letter, ...] = ()
    # (deadline purpose, clock setting name); clocks run from the arrival day
    clocks: tuple[tuple[str, str], ...] = ()


OPENING: dict[str, OnOpen] = {
    "cme_notification": OnOpen(
        letters=(("acknowledgement_school", "school"), ("esw_enquiry_request", "esw")),
        clocks=(("esw_chase", "esw_chase"), ("esw_escalation", "esw_escalation"),
                ("tac_escalation", "tac_escalation")),
    ),
    "ehe_notification": OnOpen(
        letters=(("ehe_acknowledgement_parent", "parent"), ("file_transfer_request", "school")),
        clocks=(("file_transfer_chase", "file_transfer_chase"),),
    ),
    "agency_referral": OnOpen(
        letters=(("referral_acknowledgement", "referrer"),),
        clocks=(("referral_assessment", "referral_assessment"),
                ("lead_professional_allocation", "lead_professional_allocation"),
                ("tac_escalation", "tac_escalation")),
    ),
    "new_pupil_no_info": OnOpen(
        letters=(("previous_school_request", "previous_school"),),
        clocks=(("previous_school_chase", "previous_school_chase"),),
    ),
}

# Clocks counted from the date the child last attended, for a CME notification.
ABSENCE_CLOCKS = (("absence_day_15", "absence_alert_first"),
                  ("absence_day_20", "absence_alert_deletion"))


@dataclass(frozen=True)
class OnDue:
    letter: Letter | None = None
    reminder: str = ""  # for the team (an event and a line in the daily digest)


DUE: dict[str, OnDue] = {
    "esw_chase": OnDue(letter=("esw_chase", "esw")),
    "esw_escalation": OnDue(letter=("esw_escalation", "esw_manager")),
    "file_transfer_chase": OnDue(letter=("file_transfer_chase", "school")),
    "previous_school_chase": OnDue(letter=("previous_school_chase", "previous_school")),
    "absence_day_15": OnDue(reminder="15 school days of continuous absence: check the joint "
                                     "LA and school enquiries"),
    "absence_day_20": OnDue(reminder="20 school days of continuous absence: deletion ground "
                                     "9(1)(i) may now be met, once enquiries are complete"),
    "referral_assessment": OnDue(reminder="referral assessment is due"),
    "lead_professional_allocation": OnDue(reminder="a Lead Professional should be allocated"),
    "tac_escalation": OnDue(reminder="case unresolved: escalate to a Team Around the Child"),
}

# News that answers a clock: the ESW's outcome stops the ESW chase, and so on.
MET_BY: dict[str, tuple[str, ...]] = {
    "confirmed_missing": ("esw_chase", "esw_escalation"),
    "removal_advised": ("esw_chase", "esw_escalation"),
    "located": ("esw_chase", "esw_escalation"),
    "file_transferred": ("file_transfer_chase", "previous_school_chase"),
    "lead_professional_allocated": ("referral_assessment", "lead_professional_allocation"),
}

# Outcomes that end the case.
CLOSES = {"located": "child located"}


def vulnerable(fields: dict) -> bool:
    """On a Child Protection Plan or looked after: the shorter ESW clock applies."""
    return bool(fields.get("cp_plan") or fields.get("looked_after"))

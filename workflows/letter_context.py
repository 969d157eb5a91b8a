"""What a letter says, from plain facts about its case: the values of its template.

``letter_context`` is pure: ``workflows/outbox.py`` gathers a ``CaseFacts`` from
the register, and ``workflows/letter_samples.py`` holds the two made-up cases
``cme templates check`` and the golden texts render every letter for. So what a
letter reads is decided here once, whichever of them asks.

Every value is a string, "" when not known, because the templates leave out a
line whose value is empty; it is never a placeholder that would print as if
known. Recipients are addressed by name and title, never by the register's
internal role words ("school", "referrer").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cme.config import TeamConfig
from workflows.letters import blank_context


@dataclass(frozen=True)
class Party:
    """Someone on a case, as the directory knows them."""

    name: str = ""
    organisation: str = ""
    email: str = ""


@dataclass(frozen=True)
class CaseFacts:
    """Everything a letter may say about one case, as plain data."""

    reference: str
    kind: str = ""
    opened: date | None = None
    close_reason: str = ""
    forenames: str = ""
    surname: str = ""
    dob: date | None = None
    upn: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)  # FIELDS.md names
    parties: Mapping[str, Party] = field(default_factory=dict)  # by role on the case
    letters: frozenset[str] = frozenset()  # stems of the letters written for the case
    deadline_purpose: str = ""
    deadline_due: date | None = None


def long_date(value: date | str | None) -> str:
    """``Monday 9 February 2026``: how the team writes dates in letters."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value:%A} {value.day} {value:%B %Y}" if value else ""


def birth_date(value: date | None) -> str:
    """``3 April 2015``: a date of birth, without the day of the week."""
    return f"{value.day} {value:%B %Y}" if value else ""


def year_group_words(value: str) -> str:
    """FIELDS.md's normal form in words: ``7`` is "Year 7", ``R`` "Reception", ``N1``
    "Nursery 1"; anything else as written."""
    text = value.strip()
    if text.isdigit():
        return f"Year {int(text)}"
    if text.upper() == "R":
        return "Reception"
    if text.upper() in ("N1", "N2"):
        return f"Nursery {text[1]}"
    return text


def letter_context(team: TeamConfig, facts: CaseFacts, role: str, today: date) -> dict[str, Any]:
    """The values of a letter to the case's ``role``, dated ``today``."""
    details = facts.details
    ctx = blank_context()
    ctx["team"].update(name=team.name, council=team.council, officer=team.officer,
                       role=team.role, email=team.email, phone=team.phone,
                       address=team.address)
    ctx["today"] = long_date(today)
    ctx["case"].update(reference=facts.reference, kind=facts.kind.replace("_", " "),
                       opened=long_date(facts.opened), close_reason=_clause(facts.close_reason))
    ctx["child"].update(
        forenames=facts.forenames, surname=facts.surname,
        full_name=_join(facts.forenames, facts.surname), dob=birth_date(facts.dob),
        upn=facts.upn, year_group=year_group_words(_text(details.get("child_year_group"))),
        address=_text(details.get("child_address")),
        postcode=_text(details.get("child_postcode")))
    school = facts.parties.get("school", Party())
    ctx["school"].update(name=_text(details.get("school_name")) or school.organisation,
                         laestab=_text(details.get("school_laestab")), email=school.email)
    previous = facts.parties.get("previous_school", Party())
    ctx["previous_school"].update(name=previous.organisation or previous.name,
                                  email=previous.email)
    ctx["parent"].update(name=_text(details.get("parent_name")),
                         email=_text(details.get("parent_email")),
                         phone=_text(details.get("parent_phone")),
                         address=_address(details))
    ctx["referrer"].update(name=_text(details.get("referrer_name")),
                           role=_text(details.get("referrer_role")),
                           organisation=_text(details.get("referrer_organisation")),
                           email=_text(details.get("referrer_email")))
    for key in ("esw", "keyworker", "lead_professional"):
        person = facts.parties.get(key, Party())
        ctx[key].update(name=person.name or person.organisation, email=person.email)
    if not ctx["keyworker"]["name"]:
        ctx["keyworker"]["name"] = _text(details.get("social_worker"))
    ctx["deadline"].update(purpose=facts.deadline_purpose.replace("_", " "),
                           due=long_date(facts.deadline_due))
    ctx["dates"].update(notified=long_date(_text(details.get("notified"))),
                        last_attended=long_date(_text(details.get("date_last_attended"))),
                        removed_from_roll=long_date(_text(details.get("date_removed_from_roll"))),
                        ehe_start=long_date(_text(details.get("ehe_start_date"))))
    ctx["reason"] = _clause(_text(details.get("reason")))
    for flag in ctx["flags"]:
        ctx["flags"][flag] = details.get(flag) is True
    for stem in ctx["letters"]:
        ctx["letters"][stem] = stem in facts.letters
    ctx["recipient"].update(_recipient(team, facts, role, ctx))
    return ctx


def _recipient(team: TeamConfig, facts: CaseFacts, role: str,
               ctx: dict[str, Any]) -> dict[str, str]:
    """name, role (a job title), organisation, email, address and salutation."""
    person = facts.parties.get(role, Party())
    if role in ("school", "previous_school"):
        school = ctx[role]
        return _tidy("The Head Teacher", "", school["name"], school["email"], "",
                     "Head Teacher")
    if role == "esw":
        return _tidy(ctx["esw"]["name"], "Education Social Worker", team.esw_name,
                     ctx["esw"]["email"] or team.esw_email)
    if role == "esw_manager":
        return _tidy(team.esw_manager_name, "Service Manager", team.esw_name,
                     team.esw_manager_email)
    if role == "keyworker":
        return _tidy(ctx["keyworker"]["name"], "Keyworker", person.organisation,
                     ctx["keyworker"]["email"])
    if role == "lead_professional":
        return _tidy(ctx["lead_professional"]["name"], "Lead Professional",
                     person.organisation, ctx["lead_professional"]["email"])
    if role == "referrer":
        referrer = ctx["referrer"]
        return _tidy(person.name or referrer["name"], referrer["role"],
                     person.organisation or referrer["organisation"],
                     person.email or referrer["email"])
    if role == "parent":
        parent = ctx["parent"]
        return _tidy(parent["name"], "", "", parent["email"], parent["address"],
                     parent["name"] or "Parent or Carer")
    return _tidy(person.name, "", person.organisation, person.email)


def _tidy(name: str, title: str, organisation: str, email: str, address: str = "",
          salutation: str = "") -> dict[str, str]:
    """One recipient; a line that repeats an earlier one is left out."""
    lines: list[str] = []
    for value in (name, title, organisation):
        lines.append("" if value.strip().lower() in (line.lower() for line in lines if line)
                     else value.strip())
    name, title, organisation = lines
    return {"name": name, "role": title, "organisation": organisation, "email": email,
            "address": address, "salutation": salutation or name}


def _address(details: Mapping[str, Any]) -> str:
    lines = [_text(details.get("child_address")), _text(details.get("child_postcode"))]
    return "\n".join(line for line in lines if line)


def _join(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _clause(text: str) -> str:
    """``text`` without its closing full stop: the letter's sentence brings its own."""
    text = text.strip()
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, bool) else str(value).strip()

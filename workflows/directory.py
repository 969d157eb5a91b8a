"""The contact directory is not written by strangers (issue 9).

Contact details read from a message are proposals:

- a new contact is added only from an authenticated or known sender
  (workflows/trust.py ``may_add_contacts``); an unknown sender's contacts are
  filed when a person confirms the sender;
- an existing contact's email or phone is never changed by a message: a
  differing value becomes a review item, and the directory keeps its own
  until a person accepts the new one;
- every address carries where it came from (``Contact.email_source``): only
  one typed or confirmed by a person, or seen as the From of authenticated
  mail, is ever sent to (workflows/recipients.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from register.models import Case, Contact, InboundMessage
from register.states import EmailSource
from workflows import cases
from workflows.trust import UPDATE_CONTACT, Sender, may_add_contacts, open_items

log = logging.getLogger(__name__)

_FILLED = ("name", "organisation", "laestab", "urn")  # filled in when empty, never replaced
_GUARDED = ("email", "phone")  # never changed by a message


def file_contact(role: str, sender: Sender, at: datetime, *, case: Case | None = None,
                 message: InboundMessage | None = None, **details: str | None
                 ) -> Contact | None:
    """The directory entry ``details`` describe, found or (when ``sender`` may) created.

    ``details``: name, organisation, email, phone, laestab, urn. Returns None when
    there is nothing to file, or the sender may only propose a new contact.
    """
    values = {key: (str(value).strip() or None) if value else None
              for key, value in details.items()}
    if values.get("email"):
        values["email"] = str(values["email"]).lower()
    if not (values.get("name") or values.get("organisation") or values.get("email")):
        return None
    found = _find(role, values)
    if found is None:
        if not may_add_contacts(sender):
            log.info("case %s: a %s contact proposed by an unconfirmed sender (%s) is not filed",
                     case.reference if case else "-", role, sender.domain or "no domain")
            return None
        return Contact.create(role=role, created_at=at, **{k: values.get(k) for k in (
            "name", "organisation", "email", "phone", "laestab", "urn")},
            email_source=sender.email_source(values.get("email")) if values.get("email")
            else None)
    _update(found, values, sender, at, case, message)
    return found


def confirm_address(address: str | None, source: str) -> int:
    """Every contact with this email now has it from ``source``, when that is surer.

    A person's confirmation settles any address. Authenticated mail settles only
    one that came from its sender's own earlier mail (``sender``): an address
    read from someone else's form or signature was put on the case by that
    someone, and its owner proving they own it says nothing about whether it
    belongs there, so only a person moves it on.
    """
    if not address:
        return 0
    rank = EmailSource.RANK[source]
    weaker = [s for s, r in EmailSource.RANK.items() if r < rank and (
        source == EmailSource.PERSON or s != EmailSource.READ)]
    clause = Contact.email_source.in_(weaker)
    if source == EmailSource.PERSON:
        clause |= Contact.email_source.is_null()
    return (Contact.update(email_source=source)
            .where((Contact.email == address.lower()) & clause).execute())


def file_case_contacts(case: Case, fields: dict[str, Any], sender: Sender, at: datetime,
                       message: InboundMessage | None, *, referrer_role: str = "referrer"
                       ) -> None:
    """The school, the writer, the keyworker and the parent a message names, on its case."""
    school = file_contact("school", sender, at, case=case, message=message,
                          organisation=fields.get("school_name"),
                          laestab=fields.get("school_laestab"), urn=fields.get("school_urn"))
    cases.attach(case, school, "school")
    if school is not None and case.school is None:
        case.school = school
        case.save()
    referrer = file_contact(referrer_role, sender, at, case=case, message=message,
                            name=fields.get("referrer_name"),
                            organisation=fields.get("referrer_organisation"),
                            email=fields.get("referrer_email"),
                            phone=fields.get("referrer_phone"))
    cases.attach(case, referrer, referrer_role)
    if referrer is not None and referrer_role == "referrer" and _is_school(fields):
        cases.attach(case, referrer, "school")
    keyworker = file_contact("keyworker", sender, at, case=case, message=message,
                             name=fields.get("social_worker"))
    cases.attach(case, keyworker, "keyworker")
    if fields.get("parent_email"):  # a parent is filed by address only, never by name
        parent = file_contact("parent", sender, at, case=case, message=message,
                              email=fields.get("parent_email"), name=fields.get("parent_name"),
                              phone=fields.get("parent_phone"))
        cases.attach(case, parent, "parent")


def _find(role: str, values: dict[str, str | None]) -> Contact | None:
    email, laestab = values.get("email"), values.get("laestab")
    found = None
    if email:
        found = Contact.get_or_none((Contact.email == email) & (Contact.role == role))
    if found is None and laestab:
        found = Contact.get_or_none((Contact.laestab == laestab) & (Contact.role == role))
    if found is None and role != "parent" and (values.get("name") or values.get("organisation")):
        found = Contact.get_or_none((Contact.role == role) & (Contact.name == values.get("name"))
                                    & (Contact.organisation == values.get("organisation")))
    return found


def _update(found: Contact, values: dict[str, str | None], sender: Sender, at: datetime,
            case: Case | None, message: InboundMessage | None) -> None:
    if not may_add_contacts(sender):
        return  # an unconfirmed sender changes nothing, not even an empty field
    for attr in _FILLED:
        if values.get(attr) and not getattr(found, attr):
            setattr(found, attr, values[attr])
    for attr in _GUARDED:
        proposed, current = values.get(attr), getattr(found, attr)
        if not proposed:
            continue
        if not current or (sender.is_the_team and proposed != current):
            setattr(found, attr, proposed)
            if attr == "email":
                found.email_source = sender.email_source(proposed)
        elif _normal(attr, proposed) != _normal(attr, current):
            _differs(found, attr, proposed, at, case, message)
    known = found.email_source or EmailSource.READ
    if values.get("email") == found.email and known != EmailSource.READ:
        source = sender.email_source(found.email)  # read from a form stays so (confirm_address)
        if EmailSource.RANK[source] > EmailSource.RANK[known]:
            found.email_source = source
    found.save()


def _differs(found: Contact, attr: str, proposed: str, at: datetime, case: Case | None,
             message: InboundMessage | None) -> None:
    """A message gives a contact another email or phone: a person decides."""
    for item in open_items(case, UPDATE_CONTACT) if case is not None else []:
        if (item.detail or {}).get("contact") == found.id and item.detail.get("field") == attr \
                and item.detail.get("proposed") == proposed:
            return
    cases.review(f"a message gives another {attr} for the {found.role} contact: the directory "
                 "keeps its own until a person accepts the new one", at, case=case,
                 message=message, detail={"action": UPDATE_CONTACT, "contact": found.id,
                                          "field": attr, "proposed": proposed})
    log.info("case %s: a different %s for contact %d goes to review",
             case.reference if case else "-", attr, found.id)


def _normal(attr: str, value: str) -> str:
    if attr == "email":
        return value.lower()
    return "".join(c for c in value if c.isdigit() or c == "+")


def _is_school(fields: dict[str, Any]) -> bool:
    organisation = str(fields.get("referrer_organisation") or "")
    return organisation == fields.get("school_name") or any(
        word in organisation.lower() for word in ("school", "academy", "college"))

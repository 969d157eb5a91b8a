"""Who receives a letter: the one decision of who outside the team sees a child's details.

Every letter goes to the tracking team's address. With ``[letters]
send_direct`` it also goes straight to its recipient, and then only when
(issue 9):

- the case has no review item open (nothing under review leaves the LA);
- the address is in the directory, and was typed or confirmed by a person or
  came from authenticated mail from that same address (``Contact.email_source``):
  an address read only from a form or a signature never is, even when its
  owner later sends authenticated mail (workflows/directory.py
  ``confirm_address``), and neither is an inbound mail's Reply-To, which is
  never read at all;
- for schools and agencies (anyone but a parent, who writes from a personal
  address), its domain is on ``[senders] trusted_domains`` when that list is
  set, or is the LA's own.

The team's own addresses in ``[team]`` (the ESW service, its manager) are
configuration, not mail, and always qualify.
"""

from __future__ import annotations

import logging

from cme.config import Config
from register.models import Case, Contact, ReviewItem
from register.states import EmailSource
from watcher.senders import SenderPolicy, domain_of

log = logging.getLogger(__name__)


def choose_recipients(config: Config, case: Case, role: str,
                      recipient: dict[str, str]) -> list[str]:
    """The addresses a letter for ``role`` on ``case`` is mailed to, the team's last."""
    team = [config.team.email]
    if not config.letters.send_direct:
        return team
    email = (recipient.get("email") or "").strip().lower()
    if not email or email in (t.lower() for t in team):
        return team
    if ReviewItem.select().where((ReviewItem.case == case)
                                 & ReviewItem.resolved_at.is_null()).exists():
        return team  # a person checks first; the letter still reaches the team
    why = refusal(config, role, email)
    if why:
        log.info("case %s: a %s letter goes to the team only: %s (%s)", case.reference, role,
                 why, domain_of(email) or "no domain")
        return team
    return [email, *team]


def refusal(config: Config, role: str, email: str) -> str | None:
    """Why ``email`` may not receive a letter directly, or None when it may."""
    policy = SenderPolicy.from_config(config)
    if email in policy.team_addresses:
        return None
    sendable = (Contact.select().where((Contact.email == email)
                                       & Contact.email_source.in_(EmailSource.SENDABLE))
                .exists())
    if not sendable:
        in_directory = Contact.select().where(Contact.email == email).exists()
        return ("its address was read from a message and never confirmed" if in_directory
                else "its address is not in the directory")
    if role != "parent" and policy.trusted_domains and not policy.is_trusted(domain_of(email)):
        return "its domain is not on [senders] trusted_domains"
    return None

"""What a sender may do to the register, by trust level (issue 9): the rules in one place.

- Mail whose authentication **failed** is taken in and parsed, then goes to
  review whole: it changes nothing and triggers no letter (``refused``).
- A ``case_update`` changes a case only when it comes from a party already on
  that case (its school, referrer, ESW, keyworker, lead professional, or the
  team: the LA's own domain), or from a trusted domain with authentication
  passing (``may_update``). Otherwise it waits for a person to accept it.
- A new contact may be added from an **authenticated** or **known** sender;
  an **unknown** one only proposes (``may_add_contacts``, workflows/directory.py).
- A notification from an **unknown** sender opens its case as usual, but its
  letters are held (``holds_letters``) until a person confirms the sender.
  Parents write from personal addresses: nothing here refuses mail for its
  domain, so a parent's EHE letter is never turned away.

Who may receive a letter is workflows/recipients.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from register.models import Case, CaseContact, Contact, InboundMessage, ReviewItem
from register.states import EmailSource, Trust
from watcher.authresults import Verdict
from watcher.senders import SenderPolicy, directory_addresses, domain_of, level

# The roles that make their holder a party to a case (a parent is not: parents'
# addresses are personal and never authenticated for the case's purposes).
PARTY_ROLES = ("school", "previous_school", "referrer", "esw", "keyworker", "lead_professional")

# What a person's acceptance of a review item does (ReviewItem.detail["action"]).
ACCEPT_UPDATE = "accept_update"  # apply a case update from someone not on the case
ACCEPT_MESSAGE = "accept_message"  # apply a message whose authentication failed
CONFIRM_SENDER = "confirm_sender"  # release the letters of an unknown sender's case
UPDATE_CONTACT = "update_contact"  # take a contact's new email or phone from a message


@dataclass(frozen=True)
class Sender:
    """Who a message is from, as the workflows judge it."""

    address: str | None
    domain: str | None
    trust: str
    trusted_domain: bool = False
    own_domain: bool = False
    vouched: bool = False  # a person accepted the message, or is acting themself

    @property
    def authenticated(self) -> bool:
        return self.trust == Trust.AUTHENTICATED

    @property
    def is_the_team(self) -> bool:
        """The team acting through ``cme`` (no mail at all): what it types is confirmed."""
        return self.vouched and self.address is None

    def email_source(self, email: str | None) -> str:
        """How sure an address read from this sender's message is (register/states.py)."""
        if self.is_the_team:
            return EmailSource.PERSON  # typed by the team itself
        if email and self.address and email.lower() == self.address:
            return EmailSource.AUTHENTICATED if self.authenticated else EmailSource.SENDER
        return EmailSource.READ


def team() -> Sender:
    """The team acting through ``cme`` itself (allocating, accepting)."""
    return Sender(None, None, Trust.KNOWN, trusted_domain=True, own_domain=True, vouched=True)


def sender_of(message: InboundMessage, policy: SenderPolicy) -> Sender:
    """The sender of ``message``, its level brought up to date with the directory.

    Intake recorded the level when the mail arrived; an address the directory
    has learnt since (an earlier mail of the same batch, a person's
    confirmation) makes an unknown sender known now, and the ledger says so.
    """
    address = (message.sender or "").lower() or None
    domain = message.sender_domain or domain_of(address)
    recorded = message.trust
    found = Verdict(**message.authentication) if message.authentication else Verdict("none")
    if recorded in (None, Trust.UNKNOWN, Trust.KNOWN):
        now = level(found, address, domain, policy, directory_addresses([address]))
        if recorded is None or now != recorded:
            message.trust = now
        recorded = now
    return Sender(address, domain, recorded, trusted_domain=policy.is_trusted(domain),
                  own_domain=policy.is_team(address))


def refused(sender: Sender) -> bool:
    """Authentication failed: the message goes to review whole."""
    return sender.trust == Trust.FAILED and not sender.vouched


def may_add_contacts(sender: Sender) -> bool:
    return sender.vouched or sender.trust in (Trust.AUTHENTICATED, Trust.KNOWN)


def holds_letters(sender: Sender) -> bool:
    """An unknown sender's case: its letters wait until a person confirms the sender."""
    return not sender.vouched and sender.trust == Trust.UNKNOWN


def may_update(case: Case, sender: Sender) -> bool:
    """A party on the case, or a trusted domain with authentication passing."""
    if sender.vouched or sender.own_domain:
        return True  # a person's decision; the team (an ESW writes from the LA's domain)
    if sender.trusted_domain and sender.authenticated:
        return True
    return is_party(case, sender.address)


def is_party(case: Case, address: str | None) -> bool:
    """``address`` is the established email of someone on the case (not one only read
    from a form or a signature, which anyone can write)."""
    if not address:
        return False
    return (CaseContact.select().join(Contact)
            .where((CaseContact.case == case) & CaseContact.role.in_(PARTY_ROLES)
                   & (Contact.email == address)
                   & Contact.email_source.in_([EmailSource.PERSON, EmailSource.AUTHENTICATED,
                                               EmailSource.SENDER]))
            .exists())


def open_items(case: Case, action: str) -> list[ReviewItem]:
    """The case's unresolved review items waiting for ``action``."""
    items = ReviewItem.select().where((ReviewItem.case == case)
                                      & ReviewItem.resolved_at.is_null())
    return [item for item in items if (item.detail or {}).get("action") == action]


def letters_held(case: Case) -> bool:
    """While a sender of the case waits for a person's confirmation, its letters are held."""
    return bool(open_items(case, CONFIRM_SENDER))

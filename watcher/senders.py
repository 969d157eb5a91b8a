"""Who sent a mail, and how sure we are: the trust level intake records on the ledger.

A level is a fact about the sender, decided from the mail's headers, the
directory and the configuration; what a level may do is decided elsewhere
(workflows/trust.py). See register/states.py ``Trust`` for the four levels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cme.config import Config
from register.models import Contact
from register.states import EmailSource, Trust
from watcher.authresults import FAIL, PASS, Verdict, verdict


@dataclass(frozen=True)
class SenderPolicy:
    """``[senders]`` and the LA's own domain, as intake and the workflows need them."""

    authserv_id: str = ""
    trusted_domains: tuple[str, ...] = ()
    own_domain: str = ""
    team_addresses: tuple[str, ...] = ()  # [team] email, esw_email, esw_manager_email

    @classmethod
    def from_config(cls, config: Config) -> SenderPolicy:
        return cls(
            authserv_id=config.senders.authserv_id.strip(),
            trusted_domains=tuple(d.strip().lower().rstrip(".")
                                  for d in config.senders.trusted_domains if d.strip()),
            own_domain=domain_of(config.team.email) or "",
            team_addresses=tuple(a.strip().lower() for a in (
                config.team.email, config.team.esw_email, config.team.esw_manager_email) if a),
        )

    def is_team(self, address: str | None) -> bool:
        """One of the team's own addresses in ``[team]``, or on the LA's own domain."""
        return bool(address) and (address.lower() in self.team_addresses
                                  or self.is_own(domain_of(address)))

    def is_own(self, domain: str | None) -> bool:
        """The LA's own domain (that of ``[team] email``) or one of its subdomains."""
        return bool(self.own_domain) and covers(self.own_domain, domain)

    def is_trusted(self, domain: str | None) -> bool:
        """On ``trusted_domains`` (a domain covers its subdomains), or the LA's own."""
        return self.is_own(domain) or any(covers(d, domain) for d in self.trusted_domains)


@dataclass(frozen=True)
class Assessment:
    """What intake records about a mail's sender."""

    trust: str
    domain: str | None
    verdict: Verdict


def domain_of(address: str | None) -> str | None:
    """The domain of ``head@Brookhurst.example.sch.uk``, lower case; None without one."""
    if not address or "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().strip("<>[]").rstrip(".").lower()
    return domain or None


def covers(parent: str, domain: str | None) -> bool:
    """``example.sch.uk`` covers itself and ``a.example.sch.uk``, not ``badexample.sch.uk``."""
    if not domain:
        return False
    return domain == parent or domain.endswith("." + parent)


def directory_addresses(addresses: Iterable[str | None]) -> set[str]:
    """Those of ``addresses`` that are established directory contacts (one query).

    An address only read from a form or a signature is a proposal, not a
    contact: it never makes its writer known.
    """
    wanted = sorted({a for a in addresses if a})
    if not wanted:
        return set()
    query = (Contact.select(Contact.email)
             .where(Contact.email.in_(wanted)
                    & Contact.email_source.in_([EmailSource.PERSON, EmailSource.AUTHENTICATED,
                                                EmailSource.SENDER])))
    return {row.email for row in query}


def assess(sender: str | None, auth_headers: Sequence[str], policy: SenderPolicy,
           known: set[str]) -> Assessment:
    """The trust level of a mail From ``sender`` with these Authentication-Results headers.

    ``known``: the directory contacts among the batch's senders
    (``directory_addresses``), looked up once for the whole batch.
    """
    domain = domain_of(sender)
    found = verdict(auth_headers, domain, policy.authserv_id)
    return Assessment(level(found, sender, domain, policy, known), domain, found)


def level(found: Verdict, sender: str | None, domain: str | None, policy: SenderPolicy,
          known: set[str]) -> str:
    """Failed outranks everything, then authenticated, then known (RFC 7489's order)."""
    if found.result == FAIL:
        return Trust.FAILED
    if found.result == PASS:
        return Trust.AUTHENTICATED
    if (sender and sender in known) or policy.is_trusted(domain) or policy.is_team(sender):
        return Trust.KNOWN
    return Trust.UNKNOWN

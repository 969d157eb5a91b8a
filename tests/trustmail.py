"""An LA's site for the trust tests: crafted mail in, real ``cme`` commands run on it.

The LA's mail server (``mx.county.example.gov.uk``) writes an
Authentication-Results header at the top of each mail it receives; ``arrive``
puts one there, as it would. Every name and address is invented.
"""

from __future__ import annotations

import json
from datetime import datetime
from email import message_from_string
from email.utils import getaddresses
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

from register.models import Case, Letter
from tests.conftest import run_cme
from tests.fixtures.builders import Email
from tests.office import EMAILS, Office

AUTHSERV = "mx.county.example.gov.uk"
SCHOOL = "h.larkspur@meadowbank.example.sch.uk"  # the sender of the sample notification
AGENCY = "gareth.inventa@oxvale.example.nhs.uk"  # the sender of the sample referral
ATTACKER = "attacker@evil.example"
MON_9_FEB = datetime(2026, 2, 9, 9, 30)


TRUSTED = ("example.sch.uk", "example.nhs.uk")  # the LA's schools and health trusts


def site_config(*, send_direct: bool, trusted: tuple[str, ...] = TRUSTED) -> str:
    """What follows ``[letters] pdf = false`` in the test config: the LA's settings."""
    domains = ", ".join(f'"{domain}"' for domain in trusted)
    return (f"send_direct = {'true' if send_direct else 'false'}\n\n"
            '[team]\nemail = "cme@county.example.gov.uk"\n\n'
            f'[senders]\nauthserv_id = "{AUTHSERV}"\ntrusted_domains = [{domains}]\n')


def auth_header(domain: str, result: str = "pass", *, by: str = AUTHSERV) -> str:
    """An Authentication-Results header: SPF, DKIM and DMARC all ``result`` for ``domain``."""
    return (f"Authentication-Results: {by};\n spf={result} smtp.mailfrom={domain};\n"
            f" dkim={result} header.d={domain} header.s=sel1;\n"
            f" dmarc={result} (p=REJECT) header.from={domain}\n")


def arrive(raw: bytes | str, *headers: str) -> bytes:
    """``raw`` (bytes, or a sample's name) as the LA's server hands it on: headers on top."""
    if isinstance(raw, str):
        raw = (EMAILS / f"{raw}.eml").read_bytes()
    return "".join(headers).encode() + raw


def reply(sender: str, reference: str, body: str, serial: int = 1, *,
          signature: str = "") -> bytes:
    """A reply quoting ``reference``, from ``sender``."""
    return Email(sender=sender, subject=f"RE: {reference}",
                 body=f"Dear CME Team,\n\nRe: {reference}\n\n{body}\n\nKind regards\n\n"
                      f"{signature}\n", message_id=f"reply-{serial}@{sender.split('@')[1]}",
                 ).to_bytes()


class Site:
    """A site in ``folder``: the Office puts mail in and reads the register back;
    every pass and decision is the real ``cme`` command at a fixed moment."""

    def __init__(self, folder: Path, *, send_direct: bool,
                 trusted: tuple[str, ...] = TRUSTED) -> None:
        self.office = Office(folder, site_config(send_direct=send_direct, trusted=trusted))
        self.config = self.office.config_path
        self.folder = folder

    def deliver(self, raw: bytes, arrived: datetime) -> None:
        self.office.deliver(raw, arrived)

    def cme(self, at: datetime, *args: str, ok: bool = True) -> CompletedProcess[str]:
        result = run_cme(self.config, *args, env={"CME_NOW": at.isoformat(timespec="minutes")})
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def watch(self, at: datetime) -> str:
        """One ``cme watch --once`` pass at ``at``; its summary line."""
        return self.cme(at, "watch", "--once").stdout

    def review(self, at: datetime) -> list[dict[str, Any]]:
        return json.loads(self.cme(at, "review", "--json").stdout)

    def intake(self, message_id: int) -> dict[str, Any]:
        return json.loads(self.cme(MON_9_FEB, "intake", "show", str(message_id), "--json").stdout)

    def sent_mail(self) -> list[str]:
        """Every mail the outbox sent (the maildir backend writes each as a file)."""
        folder = self.folder / "var/outbox/mail"
        return [p.read_text(errors="replace") for p in sorted(folder.rglob("*.eml"))]

    def sent_to(self) -> set[str]:
        """Every address the outbox mailed anything to (To, Cc and Bcc)."""
        found = set()
        for text in self.sent_mail():
            mail = message_from_string(text)
            for name in ("To", "Cc", "Bcc"):
                found |= {address.lower() for _, address in getaddresses(mail.get_all(name, []))}
        return found

    @staticmethod
    def case(n: int = 0) -> Case:
        return Case.select().order_by(Case.id)[n]

    @staticmethod
    def letters(case: Case | None = None) -> list[Letter]:
        query = Letter.select().order_by(Letter.id)
        return list(query.where(Letter.case == case) if case is not None else query)

    def close(self) -> None:
        self.office.close()

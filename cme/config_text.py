"""The text of a new site's config.toml, generated from the dataclasses in cme/config.py.

Every section and setting of ``Config`` is written, so the file can never fall
behind the code: the site's own settings as values, every other setting
commented out with its default and a one-line meaning from ``MEANINGS``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from cme.config import CHOICES, Config

# One line per setting; tests/test_site.py fails when a setting has none.
# (An entry for a setting that does not exist is never written.)
MEANINGS: Mapping[str, str] = {
    "mailbox.backend": "where mail comes from",
    "mailbox.path": "the Maildir folder (maildir backend)",
    "mailbox.poll_seconds": "how often to look when inotify is not available",
    "mailbox.batch_size": "emails committed to the ledger per transaction",
    "mailbox.host": "mail server (imap, ews; graph: graph.microsoft.com when empty)",
    "mailbox.port": "mail server port (0: 993/143 for imap, 443 for ews and graph)",
    "mailbox.security": "ssl (TLS from the start), starttls, or none (loopback only)",
    "mailbox.username": "mailbox account to log in as",
    "mailbox.address": "the mailbox's own address (ews, graph; empty: username)",
    "mailbox.auth": "password, oauth2 (client credentials) or ntlm (ews on premises)",
    "mailbox.password_env": "environment variable holding the mailbox password",
    "mailbox.ca_file": "CA certificates to trust for the server (unset: the system's)",
    "mailbox.folder": "folder new mail arrives in",
    "mailbox.processed_folder": "folder mail is moved to once taken in (created if missing)",
    "mailbox.quarantine_folder": "folder for mail that cannot be read at all",
    "mailbox.sent_folder": "imap: where sent mail is kept, to tell what was sent",
    "mailbox.idle": "imap: push by IDLE (false: look every poll_seconds)",
    "mailbox.tenant": "Entra ID tenant (directory) id, for oauth2 and graph",
    "mailbox.client_id": "the app registration's client id",
    "mailbox.client_secret_env": "environment variable holding the app's client secret",
    "mailbox.scope": "OAuth2 scope (empty: the backend's own .default scope)",
    "mailbox.authority": "Entra ID login host (another one only for national clouds)",
    "mailbox.impersonate": "ews: act as address through ApplicationImpersonation",
    "smtp.host": "SMTP server for imap and maildir (empty: maildir writes .eml files)",
    "smtp.port": "SMTP port (0: 587 for starttls, 465 for ssl, 25 for none)",
    "smtp.security": "starttls, ssl, or none (loopback only)",
    "smtp.auth": "password, oauth2 (the [mailbox] app), or none",
    "smtp.username": "SMTP account (empty: [mailbox] username)",
    "smtp.password_env": "environment variable holding the SMTP password",
    "smtp.from_address": "sender address of letters (empty: [team] email)",
    "smtp.timeout_seconds": "time limit for one SMTP conversation",
    "register.url": "sqlite:///file, or postgresql://user@host/db ($CME_REGISTER_PASSWORD)",
    "archive.path": "raw emails, kept by their sha256",
    "outbox.path": "letters written and mail sent",
    "limits.max_message_bytes": "larger emails are kept raw and quarantined",
    "limits.max_part_bytes": "larger attachments are recorded, never read",
    "limits.max_parts": "body parts and attachments read per email",
    "parsing.templates": "the site's forms/, letters/ and kinds.toml (unset: the shipped ones)",
    "parsing.timeout_seconds": "time limit per document, in a worker process",
    "parsing.memory_mb": "memory limit per document",
    "parsing.workers": "worker processes reading documents",
    "parsing.ocr_timeout_seconds": "time limit for OCR of a document's scanned pages",
    "team.name": "the team letters come from",
    "team.council": "the local authority, printed above the team's name on letters",
    "team.officer": "the name of the officer who signs the letters",
    "team.role": "the signing officer's job title",
    "team.email": "where letters go for review, and the daily digest",
    "team.phone": "the team's phone number, printed on letters",
    "team.address": "the team's postal address, printed on letters",
    "team.esw_name": "the Education Social Work service",
    "team.esw_email": "where enquiry requests go",
    "team.esw_manager_name": "the name of the ESW service manager, who escalations go to",
    "team.esw_manager_email": "where escalations go",
    "letters.send_direct": "true: straight to directory contacts; false: to the team for review",
    "letters.pdf": "also a PDF where LibreOffice is installed",
    "letters.pdf_timeout_seconds": "time limit for one PDF conversion",
    "letters.digest_hour": "hour of the daily digest (Europe/London)",
    "senders.authserv_id": "the LA mail server's Authentication-Results id (empty: top-most)",
    "senders.trusted_domains": "schools and agencies (subdomains too; [team] email's always)",
    "calendar.path": "the school calendar (unset: the shipped one)",
    "clocks.esw_chase": "chase the ESW for an enquiry outcome",
    "clocks.esw_chase_vulnerable": "the same for a vulnerable child",
    "clocks.esw_escalation": "escalate to the ESW manager",
    "clocks.absence_alert_first": "first alert on continuous absence",
    "clocks.absence_alert_deletion": "continuous absence before removal from roll",
    "clocks.ehe_notification_due": "a school's notice that a pupil left for home education",
    "clocks.file_transfer_chase": "chase a school for the pupil's file",
    "clocks.referral_assessment": "assess an agency referral",
    "clocks.lead_professional_allocation": "allocate a Lead Professional",
    "clocks.previous_school_chase": "chase the previous school",
    "clocks.tac_escalation": "escalate a Team Around the Child",
    "clocks.chase_reply": "the reply-by date a chase letter gives, after its own date",
    "scheduler.sweep_minutes": "how often due deadlines are swept",
    "retry.first_seconds": "first wait when the register or a disk is unavailable, doubling",
    "retry.max_seconds": "longest wait between attempts (daemon and failed messages)",
}

# Optional settings have no default to show: this is what a value looks like.
EXAMPLES: Mapping[str, str] = {
    "mailbox.ca_file": "/etc/ssl/certs/council-ca.pem",
    "parsing.templates": "templates",
    "calendar.path": "calendars/oxfordshire.toml",
}

# What every site writes out (the rest stays commented out).
SITE_KEYS: Mapping[str, str] = {
    "mailbox.backend": "maildir",
    "mailbox.path": "var/mailbox",
    "register.url": "sqlite:///var/register.db",
    "archive.path": "var/archive",
    "outbox.path": "var/outbox",
}

HEADER = """\
# cme site configuration, written by `cme init`.
# Relative paths resolve against this file's folder. A setting left commented
# out has the default shown. Secrets never go here: they come from environment
# variables (CME_REGISTER_PASSWORD, CME_MAILBOX_PASSWORD,
# CME_MAILBOX_CLIENT_SECRET).
"""

_COMMENT_COLUMN = 44


def sections() -> Iterator[tuple[str, type]]:
    """(section name, dataclass) for every table of config.toml, in file order."""
    for item in fields(Config):
        if item.default_factory is not MISSING:
            yield item.name, item.default_factory  # type: ignore[misc]


def setting_names() -> list[str]:
    """Every ``section.setting`` the configuration knows."""
    return [f"{name}.{f.name}" for name, cls in sections() for f in fields(cls)]


def config_text(values: Mapping[str, str] | None = None) -> str:
    """config.toml with ``SITE_KEYS`` (updated by ``values``) set and the rest commented."""
    chosen = {**SITE_KEYS, **(values or {})}
    out = [HEADER]
    for name, cls in sections():
        out.append(f"\n[{name}]\n")
        defaults = cls()
        for item in fields(cls):
            key = f"{name}.{item.name}"
            if key in chosen:
                line = f"{item.name} = {_toml(chosen[key])}"
            else:
                default = getattr(defaults, item.name)
                shown = EXAMPLES.get(key, "") if default is None else default
                line = f"# {item.name} = {_toml(shown)}"
            out.append(_with_meaning(line, key) + "\n")
    return "".join(out)


def _with_meaning(line: str, key: str) -> str:
    meaning = MEANINGS.get(key, "")
    allowed = CHOICES.get(key)
    if allowed:
        meaning += f" (one of: {', '.join(allowed)})"
    if not meaning:
        return line
    return f"{line.ljust(_COMMENT_COLUMN - 1)} # {meaning}"


def _toml(value: Any) -> str:
    """A TOML literal for a default: bools, numbers, strings (paths as strings), lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        value = value.as_posix()
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    # A JSON string is a TOML basic string for everything a default holds.
    return json.dumps(str(value), ensure_ascii=False)

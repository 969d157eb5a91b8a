"""``cme doctor`` for mail: each backend's credentials, reachability and folders, and
sending as a dry run (SMTP: EHLO, STARTTLS, AUTH and NOOP; EWS and Graph: a read of
Sent Items). Like every check, these look only: a folder missing is reported, not
created (the daemon creates it when it starts).
"""

from __future__ import annotations

import ipaddress
from datetime import date
from typing import Any

from cme.config import Config
from cme.doctor_findings import Finding, fail, ok, warn
from watcher.mailbox import MailboxError


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_text(check: str, section: str, host: str, security: str) -> list[Finding]:
    if security == "none" and not is_loopback(host):
        return [warn(check, f"[{section}] security = \"none\" to {host}: passwords and mail "
                            "cross the network unencrypted (use ssl or starttls)")]
    return []


def _credentials(config: Config) -> list[Finding]:
    """The secrets the backend will read, present in this environment."""
    import os

    box = config.mailbox
    needed = [box.client_secret_env] if box.auth == "oauth2" or box.backend == "graph" \
        else [box.password_env]
    missing = [name for name in needed if not os.environ.get(name)]
    if box.auth == "oauth2" or box.backend == "graph":
        missing += [f"[mailbox] {key}" for key in ("tenant", "client_id")
                    if not getattr(box, key)]
    return [fail("mailbox", f"not set: {', '.join(missing)}")] if missing else []


def _probe(config: Config, box: Any, what: str) -> list[Finding]:
    try:
        found = box.probe()
    except MailboxError as exc:
        return [fail("mailbox", f"{what}: {exc}")]
    finally:
        box.close()
    waiting, missing = found[0], found[1]
    findings = [ok("mailbox", f"{what}: reachable, {waiting} mails in "
                              f"{config.mailbox.folder}")]
    if len(found) > 2 and not found[2]:
        findings.append(fail("mailbox", f"{what}: {config.mailbox.folder} is read-only for "
                                        f"{config.mailbox.username}: mail cannot be moved out"))
    if missing:
        findings.append(warn("mailbox", f"{what}: folders {', '.join(missing)} do not exist "
                                        "yet: cme watch creates them"))
    return findings


def check_imap(config: Config, today: date) -> list[Finding]:
    from watcher.imap import ImapMailbox

    box = config.mailbox
    findings = plain_text("mailbox", "mailbox", box.host, box.security) + _credentials(config)
    if any(f.level.value == "FAIL" for f in findings):
        return findings
    try:
        mailbox = ImapMailbox(box)
    except MailboxError as exc:
        return [*findings, fail("mailbox", str(exc))]
    return findings + _probe(config, mailbox, mailbox.where)


def check_ews(config: Config, today: date) -> list[Finding]:
    from watcher.ews import EwsMailbox, ews_url

    box = config.mailbox
    return _check_service(config, EwsMailbox, f"ews {ews_url(box)}", box.host, box.security)


def check_graph(config: Config, today: date) -> list[Finding]:
    from watcher.graph import GraphMailbox, graph_base

    box = config.mailbox
    return _check_service(config, GraphMailbox, f"graph {graph_base(box)}",
                          box.host or "graph.microsoft.com", box.security if box.host else "ssl")


def _check_service(config: Config, backend: Any, label: str, host: str,
                   security: str) -> list[Finding]:
    """An HTTP mail service (EWS, Graph): no password in plain text, credentials set,
    then the mailbox opened and probed."""
    from watcher.state import MailboxState

    box = config.mailbox
    findings = plain_text("mailbox", "mailbox", host, security) + _credentials(config)
    if any(f.level.value == "FAIL" for f in findings):
        return findings
    try:
        mailbox = backend(box, MailboxState(box.backend))
    except MailboxError as exc:
        return [*findings, fail("mailbox", str(exc))]
    return findings + _probe(config, mailbox, label)


def check_sending(config: Config, today: date) -> list[Finding]:
    """SMTP for the maildir and imap backends (a dry run); EWS and Graph send themselves."""
    backend, smtp = config.mailbox.backend, config.smtp
    if backend in ("ews", "graph"):
        return [ok("sending", f"through the {backend} mailbox (checked above)")]
    if not smtp.host:
        if backend == "maildir":
            return [ok("sending", f"no [smtp] host: letters are kept as .eml files in "
                                  f"{config.outbox.path / 'mail'}")]
        return [fail("sending", "no [smtp] host: the imap backend cannot send letters")]
    from watcher.smtp import SmtpSender

    findings = plain_text("sending", "smtp", smtp.host, smtp.security)
    try:
        findings.append(ok("sending", SmtpSender.from_config(config).check()))
    except MailboxError as exc:
        findings.append(fail("sending", str(exc)))
    return findings

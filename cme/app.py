"""Wiring: configuration in, a ready daemon and its parts out.

This is the one place that knows which backend, stage and ticker go where.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import peewee

from cme.clock import Clock
from cme.config import Config, ConfigError
from cme.parsing import ParseStage, build_parser
from register.db import bind
from register.models import MessageStatus
from watcher.archive import Archive
from watcher.backoff import Backoff
from watcher.daemon import Daemon, Progress
from watcher.intake import Intake
from watcher.lastpass import LastPass
from watcher.mailbox import Mailbox, MailboxError
from watcher.maildir import MaildirMailbox
from watcher.processing import Processor
from watcher.report import Site
from watcher.senders import SenderPolicy
from workflows.activity import RegisterActivity
from workflows.apply import Workflow
from workflows.calendar import CalendarError, load_calendar
from workflows.clocks import ClockRule, ClockRuleError, parse_rule
from workflows.digest import Digest
from workflows.letters import find_libreoffice
from workflows.outbox import Outbox
from workflows.scheduler import WakeUps
from workflows.sender import Sender

if TYPE_CHECKING:
    from watcher.smtp import SmtpSender

log = logging.getLogger(__name__)


def _smtp(config: Config) -> SmtpSender | None:
    """The SMTP sender [smtp] describes, or None when it names no host."""
    if not config.smtp.host:
        return None
    from watcher.smtp import SmtpSender

    return SmtpSender.from_config(config)


def _maildir(config: Config) -> Mailbox:
    return MaildirMailbox(config.mailbox.path, sent_path=config.outbox.path / "mail",
                          sender=_smtp(config))


def _imap(config: Config) -> Mailbox:
    from watcher.imap import ImapMailbox

    return ImapMailbox(config.mailbox, sender=_smtp(config))


def _ews(config: Config) -> Mailbox:
    from watcher.ews import EwsMailbox
    from watcher.state import MailboxState

    return EwsMailbox(config.mailbox, MailboxState(config.mailbox.backend))


def _graph(config: Config) -> Mailbox:
    from watcher.graph import GraphMailbox
    from watcher.state import MailboxState

    return GraphMailbox(config.mailbox, MailboxState(config.mailbox.backend))


MAILBOX_BACKENDS: dict[str, Callable[[Config], Mailbox]] = {
    "maildir": _maildir,
    "imap": _imap,
    "ews": _ews,
    "graph": _graph,
}


@dataclass
class App:
    config: Config
    clock: Clock
    database: peewee.Database
    archive: Archive
    intake: Intake
    processor: Processor
    workflow: Workflow
    digest: Digest
    sender: Sender

    def open_mailbox(self) -> Mailbox:
        factory = MAILBOX_BACKENDS.get(self.config.mailbox.backend)
        if factory is None:
            raise MailboxError(
                f"unknown mailbox backend {self.config.mailbox.backend!r} "
                f"(known: {', '.join(sorted(MAILBOX_BACKENDS))})"
            )
        mailbox = factory(self.config)
        # Letters and digests leave through the same mailbox the mail comes in by.
        self.sender.mailbox = mailbox
        return mailbox

    def daemon(self, mailbox: Mailbox, *, progress: Progress | None = None) -> Daemon:
        if self.config.letters.pdf and find_libreoffice() is None:
            log.warning("[letters] pdf = true but LibreOffice is not installed: DOCX letters only")
        return Daemon(
            mailbox,
            self.intake,
            self.processor,
            batch_size=self.config.mailbox.batch_size,
            poll_seconds=self.config.mailbox.poll_seconds,
            # Deadlines and the digest record letters; the sender mails what is pending.
            tickers=[self.workflow.tick, self.digest.tick, self.sender.tick],
            next_due=self.workflow.next_due,
            wakeups=WakeUps(self.config.scheduler.sweep_minutes),
            backoff=backoff(self.config),
            clock=self.clock,
            activity=RegisterActivity(),
            site=describe_site(self.config),
            progress=progress,
            last_pass=LastPass(self.clock),
        )

    def close(self) -> None:
        self.intake.close()
        read = self.processor.stages[MessageStatus.RECEIVED].parser.read
        if hasattr(read, "close"):
            read.close()
        self.database.close()


def backoff(config: Config) -> Backoff:
    return Backoff(config.retry.first_seconds, config.retry.max_seconds)


def describe_site(config: Config) -> Site:
    """The mailbox and the register as the daemon's start line names them."""
    box = config.mailbox
    host = (box.host or "graph.microsoft.com") + (f":{box.port}" if box.port else "")
    where = {"maildir": str(box.path), "imap": f"{host}/{box.folder}"}.get(
        box.backend, f"{host} {box.mailbox_address}")  # ews, graph: the server and the mailbox
    return Site(f"{box.backend} {where}", public_url(config.register.url))


def public_url(url: str) -> str:
    """``url`` without its password, fit for a log line."""
    parsed = urlsplit(url)
    if parsed.password is None:
        return url
    netloc = parsed.netloc.rsplit("@", 1)[1]
    user = f"{parsed.username}@" if parsed.username else ""
    return urlunsplit(parsed._replace(netloc=user + netloc))


def load_clocks(config: Config) -> dict[str, ClockRule]:
    clocks = {}
    for item in fields(config.clocks):
        try:
            clocks[item.name] = parse_rule(getattr(config.clocks, item.name))
        except ClockRuleError as exc:
            raise ConfigError(config.source, f"clocks.{item.name}", str(exc)) from None
    return clocks


def build_app(config: Config, clock: Clock) -> App:
    """Open the register (migrating it), the archive, templates and calendar."""
    try:
        calendar = load_calendar(config.calendar_path)
    except CalendarError as exc:
        raise ConfigError(config.source, "calendar.path", str(exc)) from None
    clocks = load_clocks(config)
    database = bind(config.register.url)
    archive = Archive(config.archive.path)
    intake = Intake(archive, config.limits, clock, config.mailbox.backend,
                    senders=SenderPolicy.from_config(config))
    outbox = Outbox(config)
    workflow = Workflow(calendar, clocks, outbox, clock)
    stages = {
        MessageStatus.RECEIVED: ParseStage(build_parser(config), archive),
        MessageStatus.PARSED: workflow,
    }
    sender = Sender(config, clock)
    processor = Processor(stages, clock, backoff(config), after_commit=sender.send_pending)
    return App(config, clock, database, archive, intake, processor, workflow,
               Digest(config, clock, calendar), sender)

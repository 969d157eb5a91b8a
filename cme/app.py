"""Wiring: configuration in, a ready daemon and its parts out.

This is the one place that knows which backend, stage and ticker go where.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields

import peewee

from cme.clock import Clock
from cme.config import Config, ConfigError
from cme.parsing import ParseStage, build_parser
from register.db import bind
from register.models import MessageStatus
from watcher.archive import Archive
from watcher.daemon import Daemon
from watcher.intake import Intake
from watcher.mailbox import Mailbox, MailboxError
from watcher.maildir import MaildirMailbox
from watcher.processing import Processor
from workflows.apply import Workflow
from workflows.calendar import CalendarError, load_calendar
from workflows.clocks import ClockRule, ClockRuleError, parse_rule
from workflows.digest import Digest
from workflows.letters import find_libreoffice
from workflows.outbox import Outbox
from workflows.scheduler import WakeUps

log = logging.getLogger(__name__)


def _maildir(config: Config) -> Mailbox:
    return MaildirMailbox(config.mailbox.path, sent_path=config.outbox.path / "mail")


MAILBOX_BACKENDS: dict[str, Callable[[Config], Mailbox]] = {"maildir": _maildir}


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

    def open_mailbox(self) -> Mailbox:
        factory = MAILBOX_BACKENDS.get(self.config.mailbox.backend)
        if factory is None:
            raise MailboxError(
                f"unknown mailbox backend {self.config.mailbox.backend!r} "
                f"(known: {', '.join(sorted(MAILBOX_BACKENDS))})"
            )
        mailbox = factory(self.config)
        # Letters and digests leave through the same mailbox the mail comes in by.
        self.workflow.outbox.send_mail = mailbox.send
        return mailbox

    def daemon(self, mailbox: Mailbox) -> Daemon:
        if self.config.letters.pdf and find_libreoffice() is None:
            log.warning("[letters] pdf = true but LibreOffice is not installed: DOCX letters only")
        return Daemon(
            mailbox,
            self.intake,
            self.processor,
            batch_size=self.config.mailbox.batch_size,
            poll_seconds=self.config.mailbox.poll_seconds,
            tickers=[self.workflow.tick, self.digest.tick],
            next_due=self.workflow.next_due,
            wakeups=WakeUps(self.config.scheduler.sweep_minutes),
        )

    def close(self) -> None:
        self.intake.close()
        read = self.processor.stages[MessageStatus.RECEIVED].parser.read
        if hasattr(read, "close"):
            read.close()
        self.database.close()


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
    intake = Intake(archive, config.limits, clock, config.mailbox.backend)
    outbox = Outbox(config)
    workflow = Workflow(calendar, clocks, outbox, clock)
    stages = {
        MessageStatus.RECEIVED: ParseStage(build_parser(config), archive),
        MessageStatus.PARSED: workflow,
    }
    return App(config, clock, database, archive, intake, Processor(stages, clock), workflow,
               Digest(config, outbox, clock))

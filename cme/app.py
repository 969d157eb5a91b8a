"""Wiring: configuration in, a ready daemon and its parts out.

This is the one place that knows which backend, stage and ticker go where.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import peewee

from cme.clock import Clock
from cme.config import Config
from cme.parsing import ParseStage, build_parser
from register.db import bind
from register.models import MessageStatus
from watcher.archive import Archive
from watcher.daemon import Daemon
from watcher.intake import Intake
from watcher.mailbox import Mailbox, MailboxError
from watcher.maildir import MaildirMailbox
from watcher.processing import Processor, Stage


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

    def open_mailbox(self) -> Mailbox:
        factory = MAILBOX_BACKENDS.get(self.config.mailbox.backend)
        if factory is None:
            raise MailboxError(
                f"unknown mailbox backend {self.config.mailbox.backend!r} "
                f"(known: {', '.join(sorted(MAILBOX_BACKENDS))})"
            )
        return factory(self.config)

    def daemon(self, mailbox: Mailbox) -> Daemon:
        return Daemon(
            mailbox,
            self.intake,
            self.processor,
            batch_size=self.config.mailbox.batch_size,
            poll_seconds=self.config.mailbox.poll_seconds,
        )


def stages(config: Config, archive: Archive) -> dict[str, Stage]:
    """The processing stages, keyed by the status each consumes."""
    return {MessageStatus.RECEIVED: ParseStage(build_parser(config), archive)}


def build_app(config: Config, clock: Clock) -> App:
    """Open the register (migrating it) and the archive; nothing touches the mailbox yet."""
    database = bind(config.register.url)
    archive = Archive(config.archive.path)
    intake = Intake(archive, config.limits, clock, config.mailbox.backend)
    return App(config, clock, database, archive, intake, Processor(stages(config, archive), clock))

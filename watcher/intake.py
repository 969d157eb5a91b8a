"""The intake ledger: raw mail into the archive and the register, exactly once.

``Intake.take(batch)`` archives every mail of the batch (fsync), then commits
one ``InboundMessage`` row per new mail, with a ``Document`` row per part, in a
single transaction. Only then may the caller acknowledge the mails in the
mailbox. A mail seen again (same mailbox uid, Message-ID or sha256) adds no
row; it is simply acknowledged again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import peewee

from cme.clock import Clock
from cme.config import LimitsConfig
from register.db import db
from register.models import Document, InboundMessage, MessageStatus
from watcher.archive import Archive
from watcher.mailbox import InboundMail, Outcome
from watcher.parts import MB, parse_message, read_envelope, split_parts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Taken:
    """What became of one mail: its ledger row, and where the mailbox should file it."""

    uid: str
    message_id: int
    duplicate: bool
    outcome: Outcome


@dataclass
class _Prepared:
    mail: InboundMail
    sha256: str
    archive_path: str
    message_id: str | None
    sender: str | None
    subject: str | None
    status: str
    error: str | None
    warnings: list[str]
    parts: list


class Intake:
    def __init__(self, archive: Archive, limits: LimitsConfig, clock: Clock, mailbox: str) -> None:
        self.archive = archive
        self.limits = limits
        self.clock = clock
        self.mailbox = mailbox

    def take(self, batch: Sequence[InboundMail]) -> list[Taken]:
        """Archive and record ``batch``; return one ``Taken`` per mail, in order."""
        prepared = [self._prepare(mail) for mail in batch]
        self.archive.sync()
        log.debug("archived %d mails", len(prepared))
        with db.atomic():
            taken = [self._record(item) for item in prepared]
        log.debug("committed %d ledger rows", len(taken))
        return taken

    def take_unreadable(self, mail: InboundMail, error: BaseException) -> Taken:
        """Keep a mail that could not be read at all: raw archived, row quarantined."""
        rel, sha = self.archive.store(mail.raw_bytes, "raw")
        self.archive.sync()
        reason = f"could not be read: {type(error).__name__}: {' '.join(str(error).split())}"
        item = _Prepared(
            mail, sha, rel, None, None, None, MessageStatus.QUARANTINED, reason[:2000], [], []
        )
        with db.atomic():
            return self._record(item)

    def _prepare(self, mail: InboundMail) -> _Prepared:
        raw = mail.raw_bytes
        rel, sha = self.archive.store(raw, "raw")
        warnings, parts = [], []
        envelope_id = sender = subject = None
        error = self.screen(raw)
        status = MessageStatus.QUARANTINED if error else MessageStatus.RECEIVED
        if error is None:
            message = parse_message(raw)
            envelope = read_envelope(message)
            envelope_id, sender, subject = envelope.message_id, envelope.sender, envelope.subject
            warnings = envelope.warnings
            parts = self.cut_parts(raw)
        return _Prepared(
            mail, sha, rel, envelope_id, sender, subject, status, error, warnings, parts
        )

    def screen(self, raw: bytes) -> str | None:
        """Why a mail cannot be read at all, or None when it can."""
        if not raw.strip():
            return "empty message: nothing to read"
        if len(raw) > self.limits.max_message_bytes:
            return (
                f"message is {len(raw) / MB:.1f} MB, over the "
                f"{self.limits.max_message_bytes / MB:.0f} MB limit: kept raw, not read"
            )
        return None

    def cut_parts(self, raw: bytes) -> list:
        """Split ``raw`` into parts and store each one that is within the limits."""
        parts = split_parts(
            parse_message(raw),
            max_part_bytes=self.limits.max_part_bytes,
            max_parts=self.limits.max_parts,
        )
        for part in parts:
            if part.data is not None:
                self.archive.store(part.data, "parts", durable=False)
        return parts

    def _record(self, item: _Prepared) -> Taken:
        existing = self._find_existing(item)
        if existing is not None:
            outcome = (
                Outcome.QUARANTINED
                if existing.status == MessageStatus.QUARANTINED
                else Outcome.PROCESSED
            )
            log.info(
                "message %d seen again (uid %s): not recorded twice", existing.id, item.mail.uid
            )
            return Taken(item.mail.uid, existing.id, True, outcome)
        now = self.clock.now()
        row = InboundMessage.create(
            mailbox=self.mailbox,
            uid=item.mail.uid,
            message_id=item.message_id,
            sha256=item.sha256,
            size=len(item.mail.raw_bytes),
            archive_path=item.archive_path,
            sender=item.sender,
            subject=item.subject,
            received_at=item.mail.received_at,
            taken_at=now,
            updated_at=now,
            status=item.status,
            error=item.error,
            warnings=item.warnings or None,
        )
        self.record_documents(row, item.parts)
        outcome = (
            Outcome.QUARANTINED if item.status == MessageStatus.QUARANTINED else Outcome.PROCESSED
        )
        log.info(
            "message %d taken in (uid %s, %d parts, %s)",
            row.id,
            item.mail.uid,
            len(item.parts),
            item.status,
        )
        return Taken(item.mail.uid, row.id, False, outcome)

    def _find_existing(self, item: _Prepared) -> InboundMessage | None:
        clauses = (InboundMessage.sha256 == item.sha256) | (
            (InboundMessage.mailbox == self.mailbox) & (InboundMessage.uid == item.mail.uid)
        )
        if item.message_id:
            clauses |= InboundMessage.message_id == item.message_id
        try:
            return InboundMessage.select().where(clauses).order_by(InboundMessage.id).get()
        except peewee.DoesNotExist:
            return None

    def reopen(self, message: InboundMessage) -> InboundMessage:
        """Read a message again from the archive, under today's limits, for a retry."""
        raw = self.archive.read(message.archive_path)
        with db.atomic():
            Document.delete().where(Document.message == message).execute()
            message.error = None
            message.warnings = None
            message.kind = message.fields = message.needs_review = None
            message.error = self.screen(raw)
            if message.error:
                message.status = MessageStatus.QUARANTINED
            else:
                message.status = MessageStatus.RECEIVED
                parsed = parse_message(raw)
                envelope = read_envelope(parsed)
                message.warnings = envelope.warnings or None
                self.record_documents(message, self.cut_parts(raw))
            message.attempts += 1
            message.updated_at = self.clock.now()
            message.save()
        return message

    @staticmethod
    def record_documents(row: InboundMessage, parts: list) -> None:
        for part in parts:
            Document.create(
                message=row,
                position=part.position,
                part=part.label,
                filename=part.filename,
                declared_type=part.declared_type,
                sniffed_type=part.sniffed_type,
                size=part.size,
                sha256=part.sha256,
                stored=part.data is not None,
                warning=part.warning,
            )

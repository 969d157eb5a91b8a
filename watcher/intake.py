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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from cme.clock import Clock, as_london
from cme.config import LimitsConfig
from register.db import db
from register.models import Document, InboundMessage, MessageStatus
from register.queries import insert_rows
from watcher.archive import Archive
from watcher.mailbox import InboundMail, Outcome
from watcher.parts import Envelope, Inspection, Part, inspect_mail
from watcher.senders import SenderPolicy, assess, directory_addresses, domain_of

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
    parts: list[Part]
    auth_results: list[str]


class Intake:
    def __init__(self, archive: Archive, limits: LimitsConfig, clock: Clock, mailbox: str, *,
                 senders: SenderPolicy | None = None) -> None:
        self.archive = archive
        self.limits = limits
        self.clock = clock
        self.mailbox = mailbox
        self.senders = senders or SenderPolicy()
        self._writers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="archive")

    def close(self) -> None:
        self._writers.shutdown(wait=True)

    def take(self, batch: Sequence[InboundMail]) -> list[Taken]:
        """Archive and record ``batch``; return one ``Taken`` per mail, in order."""
        # The disk and the CPU work overlap: fsync runs on threads (it releases
        # the GIL) while this thread parses the MIME structure.
        stored = [self._writers.submit(self.archive.store, mail.raw_bytes, _day(mail))
                  for mail in batch]
        inspected = [self.inspect(mail.raw_bytes) for mail in batch]
        prepared = [
            self._prepared(mail, job.result(), found)
            for mail, job, found in zip(batch, stored, inspected, strict=True)
        ]
        self.archive.sync()
        log.debug("archived %d mails", len(prepared))
        with db.atomic():
            taken = self._record(prepared)
        log.debug("committed %d ledger rows", len(taken))
        return taken

    def take_unreadable(self, mail: InboundMail, error: BaseException) -> Taken:
        """Keep a mail that could not be read at all: raw archived, row quarantined."""
        stored = self.archive.store(mail.raw_bytes, _day(mail))
        self.archive.sync()
        reason = f"could not be read: {type(error).__name__}: {' '.join(str(error).split())}"
        item = self._prepared(
            mail, stored, Inspection(Envelope(None, None, None), [], reason[:2000])
        )
        with db.atomic():
            return self._record([item])[0]

    def inspect(self, raw: bytes) -> Inspection:
        return inspect_mail(
            raw, self.limits.max_message_bytes, self.limits.max_part_bytes, self.limits.max_parts
        )

    @staticmethod
    def _prepared(mail: InboundMail, stored: tuple[str, str], found: Inspection) -> _Prepared:
        rel, sha = stored
        status = MessageStatus.QUARANTINED if found.error else MessageStatus.RECEIVED
        envelope = found.envelope
        return _Prepared(
            mail,
            sha,
            rel,
            envelope.message_id,
            envelope.sender,
            envelope.subject,
            status,
            found.error,
            envelope.warnings,
            found.parts,
            envelope.auth_results,
        )

    def _record(self, items: list[_Prepared]) -> list[Taken]:
        """One query to find what the ledger already has, one insert for the rest."""
        known = self._already_recorded(items)
        fresh: list[_Prepared] = []
        results: list[Taken | _Prepared] = []
        for item in items:
            keys = self._keys(item)
            hit = next((known[k] for k in keys if k in known), None)
            if hit is None:
                fresh.append(item)
                results.append(item)
                # a later copy of the same mail in this batch is a duplicate of this one
                known.update(dict.fromkeys(keys, item))
            else:
                results.append(hit)
        ids = self._insert(fresh)
        by_item = {id(item): ids[n] for n, item in enumerate(fresh)}
        taken = []
        for item, result in zip(items, results, strict=True):
            if result is item:
                taken.append(Taken(item.mail.uid, by_item[id(item)], False, _outcome(item.status)))
                # The sender's domain says where mail comes from; the address
                # and the subject would be personal data in a log.
                log.info(
                    "message %d taken in (uid %s, from %s, %d parts, %s)",
                    by_item[id(item)],
                    item.mail.uid,
                    domain_of(item.sender) or "no domain",
                    len(item.parts),
                    item.status,
                )
            else:
                row_id, status = (
                    (by_item[id(result)], result.status)
                    if isinstance(result, _Prepared)
                    else result
                )
                taken.append(Taken(item.mail.uid, row_id, True, _outcome(status)))
                log.info(
                    "message %d seen again (uid %s): not recorded twice", row_id, item.mail.uid
                )
        return taken

    def _keys(self, item: _Prepared) -> list[tuple[str, str]]:
        keys = [("sha", item.sha256), ("uid", item.mail.uid)]
        if item.message_id:
            keys.append(("mid", item.message_id))
        return keys

    def _already_recorded(self, items: list[_Prepared]) -> dict[tuple[str, str], object]:
        shas = [i.sha256 for i in items]
        uids = [i.mail.uid for i in items]
        mids = [i.message_id for i in items if i.message_id]
        clauses = InboundMessage.sha256.in_(shas) | (
            (InboundMessage.mailbox == self.mailbox) & InboundMessage.uid.in_(uids)
        )
        if mids:
            clauses |= InboundMessage.message_id.in_(mids)
        query = (
            InboundMessage.select(
                InboundMessage.id,
                InboundMessage.sha256,
                InboundMessage.uid,
                InboundMessage.message_id,
                InboundMessage.status,
                InboundMessage.mailbox,
            )
            .where(clauses)
            .order_by(InboundMessage.id.desc())  # the earliest row wins below
            .tuples()
        )
        known: dict[tuple[str, str], object] = {}
        for row_id, sha, uid, mid, status, mailbox in query:
            known[("sha", sha)] = (row_id, status)
            if mailbox == self.mailbox:
                known[("uid", uid)] = (row_id, status)
            if mid:
                known[("mid", mid)] = (row_id, status)
        return known

    def _insert(self, fresh: list[_Prepared]) -> list[int]:
        if not fresh:
            return []
        now = self.clock.now()
        known = directory_addresses(item.sender for item in fresh)
        senders = [assess(item.sender, item.auth_results, self.senders, known) for item in fresh]
        rows = [
            {
                "mailbox": self.mailbox,
                "uid": item.mail.uid,
                "message_id": item.message_id,
                "sha256": item.sha256,
                "size": len(item.mail.raw_bytes),
                "archive_path": item.archive_path,
                "sender": item.sender,
                "subject": item.subject,
                "received_at": item.mail.received_at,
                "taken_at": now,
                "updated_at": now,
                "status": item.status,
                "error": item.error,
                "warnings": item.warnings or None,
                "attempts": 0,
                "sender_domain": sender.domain,
                "trust": None if item.status == MessageStatus.QUARANTINED else sender.trust,
                "authentication": sender.verdict.as_dict() if item.auth_results else None,
            }
            for item, sender in zip(fresh, senders, strict=True)
        ]
        ids = insert_rows(InboundMessage, rows, returning_ids=True)
        documents = [
            document_row(row_id, part)
            for row_id, item in zip(ids, fresh, strict=True)
            for part in item.parts
        ]
        insert_rows(Document, documents)
        return ids

    def reopen(self, message: InboundMessage) -> InboundMessage:
        """Read a message again from the archive, under today's limits, for a retry."""
        found = self.inspect(self.archive.read(message.archive_path))
        sender = assess(found.envelope.sender, found.envelope.auth_results, self.senders,
                        directory_addresses([found.envelope.sender]))
        with db.atomic():
            Document.delete().where(Document.message == message).execute()
            message.kind = message.fields = message.needs_review = None
            message.error = found.error
            message.warnings = found.envelope.warnings or None
            message.sender_domain = sender.domain
            message.trust = None if found.error else sender.trust
            message.authentication = (sender.verdict.as_dict() if found.envelope.auth_results
                                      else None)
            message.status = MessageStatus.QUARANTINED if found.error else MessageStatus.RECEIVED
            message.retry_from = message.next_attempt_at = None  # a person retries it now
            self.record_documents(message, found.parts)
            message.attempts += 1
            message.updated_at = self.clock.now()
            message.save()
        return message

    @staticmethod
    def record_documents(row: InboundMessage, parts: list[Part]) -> None:
        insert_rows(Document, [document_row(row.id, part) for part in parts])


def document_row(message_id: int, part: Part) -> dict[str, object]:
    return {
        "message": message_id,
        "position": part.position,
        "part": part.label,
        "filename": part.filename,
        "declared_type": part.declared_type,
        "sniffed_type": part.sniffed_type,
        "size": part.size,
        "sha256": part.sha256,
        "stored": not part.oversized,
        "warning": part.warning,
    }


def _outcome(status: str) -> Outcome:
    return Outcome.QUARANTINED if status == MessageStatus.QUARANTINED else Outcome.PROCESSED


def _day(mail: InboundMail) -> date:
    """The London day the mailbox received the mail: its archive folder."""
    return as_london(mail.received_at).date()

"""Mailing what the outbox recorded: after the commit, each letter exactly once.

A transaction records each letter as a pending ``Letter`` row
(``workflows/outbox.py``) and the daily digest as a pending ``DailyDigest``.
After the commit, ``Sender.send_pending`` takes the pending rows one by one:

1. it asks the mailbox whether the row's Message-ID has already been sent: a
   crash between sending and marking leaves exactly that, and then the row is
   only marked;
2. it renders the letter from the context stored on its row (a temporary file
   beside the final one, renamed over it; the PDF where LibreOffice is
   installed) and mails it under the row's Message-ID;
3. it marks the row sent.

Every command that mails goes through here: the daemon (after each message's
commit, and once a pass for whatever is left over), ``cme intake retry``,
``cme letters retry``, ``cme case REF close`` and ``allocate``. A letter whose
template is broken is marked ``failed`` with its reason and the others go on;
``requeue_failed`` makes it pending again once the template is fixed. A letter
``held`` (by the trust rules) is never mailed from here until it is released.
A full disk or a locked register stops the run and goes up to the caller (the
daemon waits it out; the row is still pending). A mailbox that cannot send
leaves the row pending with the error, and the run stops until the next one.

One sender works at a time per outbox: the daemon and a command could
otherwise both take the same pending letter. An ``flock`` on
``outbox/send.lock`` serialises them; the kernel drops it when a process dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cme.clock import Clock
from cme.config import Config
from cme.private import PRIVATE_FILE, private_folder
from parsers.clean import strip_bidi
from register.db import db
from register.models import DailyDigest, Letter
from register.states import LetterState
from watcher.faults import classify
from watcher.mailbox import Attachment, Mailbox, MailboxError, OutboundMail
from watcher.processing import describe
from workflows.cases import event
from workflows.letters import LetterError, read_text, remove_leftovers, render_letter, to_pdf
from workflows.outbox import long_date

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LOCK_NAME = "send.lock"
Row = Letter | DailyDigest

# Lock files this process holds. A child forked meanwhile (the parse sandbox)
# closes its copies, so that it never keeps the lock after the parent died.
_HELD: set[int] = set()


def _forget_held() -> None:
    for fd in list(_HELD):
        os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_held)


@dataclass
class Mailed:
    """What one run of the sender did."""

    sent: int = 0
    recovered: int = 0  # found sent already (a crash after sending): only marked
    failed: int = 0
    # Why the mailbox could not send; the letters left wait for the next run.
    unavailable: str | None = None


class Sender:
    """Renders and mails pending rows; ``mailbox`` is bound when one is opened."""

    def __init__(self, config: Config, clock: Clock, mailbox: Mailbox | None = None) -> None:
        self.config = config
        self.clock = clock
        self.mailbox = mailbox

    def tick(self) -> int:
        """The daemon's once-a-pass run for what is left over; fires no deadline."""
        self.send_pending()
        return 0

    def send_pending(self) -> Mailed:
        """Mail every pending letter and digest, oldest first. Never in a transaction."""
        mailed = Mailed()
        if self.mailbox is None or not _anything_pending():
            return mailed
        if db.in_transaction():
            raise RuntimeError("the sender runs after the commit, never inside a transaction")
        with self._lock():
            for model, compose in ((Letter, self._letter_mail), (DailyDigest, self._digest_mail)):
                for row_id in _pending_ids(model):
                    if not self._deliver(self.mailbox, model, row_id, compose, mailed):
                        return mailed
        return mailed

    @staticmethod
    def requeue_failed(*, letter_id: int | None = None, source_id: int | None = None,
                       case_id: int | None = None) -> list[int]:
        """Make failed letters pending again (all, or one, one message's or one case's);
        return their ids."""
        query = Letter.select(Letter.id).where(Letter.state == LetterState.FAILED)
        for column, value in ((Letter.id, letter_id), (Letter.source, source_id),
                              (Letter.case, case_id)):
            if value is not None:
                query = query.where(column == value)
        ids = [row.id for row in query]
        if ids:
            (Letter.update(state=LetterState.PENDING, error=None)
             .where(Letter.id.in_(ids) & (Letter.state == LetterState.FAILED)).execute())
        return ids

    # -- one row -------------------------------------------------------------
    def _deliver(self, mailbox: Mailbox, model: type[Row], row_id: int,
                 compose: Callable[[Row], OutboundMail], mailed: Mailed) -> bool:
        """Mail one row; False when the mailbox cannot send and the run must stop."""
        row = model.get_or_none((model.id == row_id) & (model.state == LetterState.PENDING))
        if row is None:
            return True  # held or marked meanwhile
        try:
            if mailbox.was_sent(row.message_id):
                self._mark_sent(row, recovered=True)
                mailed.recovered += 1
                return True
        except MailboxError as exc:
            return self._unavailable(row, exc, mailed)
        try:
            outbound = compose(row)
            mailbox.send(outbound)
        except MailboxError as exc:
            return self._unavailable(row, exc, mailed)
        except Exception as exc:
            if classify(exc).transient:
                raise  # a full disk: the row stays pending, the daemon waits
            # A broken template, or a mail that cannot be built (an address no
            # header takes): this row fails alone instead of stopping every run.
            self._mark_failed(row, exc)
            mailed.failed += 1
            return True
        # From here to the mark, a crash leaves a mail sent and its row pending:
        # the next run finds its Message-ID with was_sent.
        log.debug("%s handed to the mailbox as %s", _name(row), row.message_id)
        self._mark_sent(row)
        mailed.sent += 1
        return True

    def _letter_mail(self, letter: Letter) -> OutboundMail:
        if not letter.context:
            raise LetterError(letter.template, "no context was recorded with this letter")
        path = Path(letter.path)
        remove_leftovers(path)  # what a process killed mid-render left
        render_letter(self.config.templates.sub("letters"), letter.template, letter.context,
                      path)
        attachments = [Attachment(path.name, DOCX, path.read_bytes())]
        pdf = to_pdf(path, self.config.letters.pdf_timeout_seconds) \
            if self.config.letters.pdf else None
        if pdf is not None:
            attachments.append(Attachment(pdf.name, "application/pdf", pdf.read_bytes()))
        title = letter.template.replace("_", " ")
        reference = letter.context["case"]["reference"]
        recipient = letter.context["recipient"]
        body = (f"Letter for review: {title}, case {reference}.\n"
                f"Recipient: {recipient['name']} {recipient['organisation']}\n\n"
                + read_text(path))
        return OutboundMail(tuple(letter.recipients), strip_bidi(f"[{reference}] {title}"),
                            strip_bidi(body), tuple(attachments), self.config.team.email,
                            message_id=letter.message_id)

    def _digest_mail(self, digest: DailyDigest) -> OutboundMail:
        team = self.config.team.email
        return OutboundMail((team,), f"CME daily digest {long_date(digest.day)}", digest.text,
                            sender=team, message_id=digest.message_id)

    def _mark_sent(self, row: Row, *, recovered: bool = False) -> None:
        now = self.clock.now()
        with db.atomic():
            type(row).update(state=LetterState.SENT, sent_at=now, error=None).where(
                type(row).id == row.id).execute()
            if isinstance(row, Letter):
                event(row.case, "letter_mailed", now,
                      detail={"letter": row.id, "message_id": row.message_id,
                              "recovered": recovered})
        log.info("%s mailed%s", _name(row), " (found sent before a restart)" if recovered else "",
                 extra={"letter": row.id} if isinstance(row, Letter) else {})

    def _mark_failed(self, row: Row, exc: Exception) -> None:
        reason = exc.message if isinstance(exc, LetterError) else describe(exc)
        now = self.clock.now()
        with db.atomic():
            type(row).update(state=LetterState.FAILED, error=reason).where(
                type(row).id == row.id).execute()
            if isinstance(row, Letter):
                event(row.case, "letter_failed", now,
                      detail={"letter": row.id, "template": row.template, "error": reason})
        # A template's problem names the template and its variables; any other
        # error's text could quote the letter's data, so only its type is logged.
        shown = reason if isinstance(exc, LetterError) else type(exc).__name__
        log.warning("%s not mailed: %s (fix it, then `cme letters retry`)", _name(row), shown)

    @staticmethod
    def _unavailable(row: Row, exc: MailboxError, mailed: Mailed) -> bool:
        type(row).update(error=f"not mailed yet: {exc}").where(type(row).id == row.id).execute()
        mailed.unavailable = str(exc)
        log.warning("%s waits: the mailbox cannot send (%s)", _name(row), exc)
        return False

    @contextmanager
    def _lock(self) -> Iterator[None]:
        path = private_folder(self.config.outbox.path) / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        _HELD.add(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            if fd in _HELD:
                _HELD.discard(fd)
                os.close(fd)  # closing drops the flock


def _anything_pending() -> bool:
    return any(model.select().where(model.state == LetterState.PENDING).exists()
               for model in (Letter, DailyDigest))


def _pending_ids(model: type[Row]) -> list[int]:
    query = model.select(model.id).where(model.state == LetterState.PENDING).order_by(model.id)
    return [row.id for row in query]


def _name(row: Row) -> str:
    if isinstance(row, Letter):
        return f"letter {row.id} ({row.template}, case {row.case.reference})"
    return f"daily digest of {row.day.isoformat()}"

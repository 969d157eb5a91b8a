"""The daemon loop: take mail in, move it through its stages, fire what is due.

Errors are caught in two places only: per message (in ``_take_one`` and in the
Processor) and per pass (in ``run_pass``). At the pass, a transient fault
(``watcher/faults.py``: the register locked or unreachable, a disk full or
read-only, the mailbox out of reach) makes the pass *stalled*: the daemon
waits with capped exponential backoff and tries again, logging one line when
the wait starts and one when it ends, and never exits for it. Anything else
reaching the pass is a bug, and stops the daemon with one line.

The daemon says what it does: one line at the start (where it works, what is
waiting), one summary line per pass that did something, and a progress
display while a large backlog is taken in, when it is given one.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import FrameType
from typing import Protocol

import peewee

from cme.clock import Clock
from register.db import RegisterError, db
from register.models import MessageStatus
from watcher.backoff import Backoff, Episode
from watcher.faults import Fault, classify, explain
from watcher.intake import Intake, Taken
from watcher.lastpass import LastPass
from watcher.mailbox import InboundMail, Mailbox, MailboxError
from watcher.processing import Processor, describe
from watcher.report import ActivityMeter, PassReport, Site

log = logging.getLogger(__name__)

# Something the daemon runs once per pass after the mail: the deadline sweep.
Ticker = Callable[[], int]

# A backlog past this many mails gets a progress display.
BACKLOG_FOR_PROGRESS = 20

_REGISTER_ERRORS = (peewee.OperationalError, peewee.InterfaceError, RegisterError)


class WakeUps(Protocol):
    """Wakes the loop when a deadline falls due (workflows/scheduler.py)."""

    def start(self, wake: Callable[[], None]) -> None: ...

    def plan(self, when: datetime | None) -> None: ...

    def stop(self) -> None: ...


class Progress(Protocol):
    """Shows a backlog being taken in (cme/progress.py draws it in a terminal)."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def finish(self) -> None: ...


class Daemon:
    def __init__(
        self,
        mailbox: Mailbox,
        intake: Intake,
        processor: Processor,
        *,
        batch_size: int = 25,
        poll_seconds: float = 30.0,
        tickers: Sequence[Ticker] = (),
        next_due: Callable[[], datetime | None] | None = None,
        wakeups: WakeUps | None = None,
        backoff: Backoff | None = None,
        clock: Clock | None = None,
        activity: ActivityMeter | None = None,
        site: Site | None = None,
        progress: Progress | None = None,
        last_pass: LastPass | None = None,
    ) -> None:
        self.mailbox = mailbox
        self.intake = intake
        self.processor = processor
        self.batch_size = max(1, batch_size)
        self.poll_seconds = poll_seconds
        self.tickers = list(tickers)
        self.next_due = next_due
        self.wakeups = wakeups
        self.clock = clock or processor.clock
        self.episode = Episode(self.clock, backoff or Backoff())
        self.activity = activity
        self.site = site or Site(mailbox.name, "")
        self.progress = progress
        self.last_pass = last_pass
        self.stopping = False

    def request_stop(self, *_args: object) -> None:
        """Finish the message in hand, then stop. Safe to call from a signal handler."""
        self.stopping = True
        self.mailbox.interrupt()

    def run(self, *, once: bool = False) -> PassReport:
        """Run passes until stopped (or one pass with ``once``); return the last report."""
        previous = self._install_signal_handlers()
        wakeups = None if once else self._start_wakeups()
        try:
            self._announce()
            while True:
                report = self.run_pass()
                self._log_pass(report)
                delay = self._settle(report)
                if once or self.stopping:
                    return report
                if delay is not None:
                    self._pause(delay)
                else:
                    if wakeups is not None:
                        wakeups.plan(report.next_due)
                    self.mailbox.wait(self._poll_timeout(report))
                if self.stopping:
                    return report
        finally:
            if wakeups is not None:
                wakeups.stop()
            self._restore_signal_handlers(previous)

    def _start_wakeups(self) -> WakeUps | None:
        if self.wakeups is not None:
            self.wakeups.start(self.mailbox.interrupt)
        return self.wakeups

    def _announce(self) -> None:
        try:
            waiting, unfinished = self.mailbox.waiting(), self.processor.count_pending()
            counts = f"{waiting} mails waiting, {unfinished} messages to finish"
        except Exception as exc:  # the first pass meets the same fault, and waits for it
            if not (isinstance(exc, MailboxError) or classify(exc).transient):
                raise
            waiting = unfinished = None
            counts = "mail waiting: not known yet"
        log.info("watching mailbox %s; register %s; %s", self.site.mailbox, self.site.register,
                 counts, extra={"mailbox": self.site.mailbox, "register": self.site.register,
                                "waiting": waiting, "to_finish": unfinished})

    def _log_pass(self, report: PassReport) -> None:
        # An idle pass runs every few seconds: its line would bury the others.
        level = logging.DEBUG if report.idle else logging.INFO
        log.log(level, "pass: %s", report.summary(), extra={"summary": report.as_fields()})

    def _settle(self, report: PassReport) -> float | None:
        """Start, go on with or end an episode of waiting; the backoff delay, if waiting."""
        if report.stalled is None:
            self.episode.succeeded()
            return None
        return self.episode.failed(report.stalled)

    def _pause(self, seconds: float) -> None:
        """Wait out a backoff; new mail does not cut it short, a stop request does."""
        until = time.monotonic() + seconds
        while not self.stopping and (left := until - time.monotonic()) > 0:
            self.mailbox.wait(left)

    def _poll_timeout(self, report: PassReport) -> float:
        """The poll interval, or less when a failed message falls due before it."""
        if report.next_retry is None:
            return self.poll_seconds
        due_in = (report.next_retry - self.clock.now()).total_seconds()
        return min(self.poll_seconds, max(1.0, due_in))

    def run_pass(self) -> PassReport:
        report = PassReport()
        try:
            if self.last_pass is not None:
                self.last_pass.check(self.clock.now())  # warns once when the clock went back
            mark = self.activity.mark() if self.activity is not None else None
            self._take_all(report)
            if not self.stopping and self._process(report):
                self._tick(report)
            if mark is not None and self.activity is not None:
                done = self.activity.since(mark)
                report.letters, report.to_review = done.letters, done.to_review
            report.next_due = self.next_due() if self.next_due is not None else None
            report.next_retry = self.processor.next_retry()
        except Exception as exc:  # the per-pass fault boundary
            fault = classify(exc)
            if not fault.transient:
                raise
            report.stalled = explain(exc)
            if fault is Fault.REGISTER:
                _drop_connection()
        return report

    def _take_all(self, report: PassReport) -> None:
        progress = self._progress_for_backlog()
        try:
            batch: list[InboundMail] = []
            for mail in self.mailbox.fetch_new():
                batch.append(mail)
                if len(batch) >= self.batch_size or self.stopping:
                    self._take_batch(batch, report, progress)
                    batch = []
                if self.stopping:
                    break
            if batch:
                self._take_batch(batch, report, progress)
        except MailboxError as exc:
            # The ledger's work goes on without the mailbox; the wait is backed off.
            report.errors.append(f"mailbox: {exc}")
            report.stalled = f"mailbox: {exc}"
            log.debug("mailbox pass failed: %s", exc)
        finally:
            if progress is not None:
                progress.finish()

    def _progress_for_backlog(self) -> Progress | None:
        if self.progress is None:
            return None
        waiting = self.mailbox.waiting()
        if waiting <= BACKLOG_FOR_PROGRESS:
            return None
        self.progress.start(waiting)
        return self.progress

    def _take_batch(self, batch: list[InboundMail], report: PassReport,
                    progress: Progress | None = None) -> None:
        try:
            results = self.intake.take(batch)
        except _REGISTER_ERRORS:
            raise
        except Exception as exc:
            if classify(exc).transient:
                raise  # the archive's disk, not the mail: it stays in the inbox
            # Something in one mail broke the batch: take them one at a time so
            # that only the guilty mail is set aside.
            results = [r for r in (self._take_one(m, report) for m in batch) if r]
        self._acknowledge(results, report)
        if progress is not None:
            progress.advance(len(batch))

    def _take_one(self, mail: InboundMail, report: PassReport) -> Taken | None:
        try:
            return self.intake.take([mail])[0]
        except _REGISTER_ERRORS:
            raise
        except Exception as exc:
            if classify(exc).transient:
                raise
            report.errors.append(f"uid {mail.uid}: {describe(exc)}")
            log.error("mail uid %s could not be taken in: %s", mail.uid, type(exc).__name__)
            try:
                return self.intake.take_unreadable(mail, exc)
            except Exception as again:
                if classify(again).transient:
                    raise
                log.error("mail uid %s left in the inbox: %s", mail.uid, type(again).__name__)
                report.left_in_inbox += 1
                return None

    def _acknowledge(self, results: Iterable[Taken], report: PassReport) -> None:
        for taken in results:
            if taken.duplicate:
                report.duplicates += 1
            else:
                report.taken += 1
            try:
                self.mailbox.acknowledge(taken.uid, taken.outcome)
                log.debug("message %d acknowledged as %s", taken.message_id, taken.outcome.value,
                          extra={"row_id": taken.message_id})
            except MailboxError as exc:
                # The ledger has it; the next pass sees it again and deduplicates.
                report.errors.append(f"message {taken.message_id}: {exc}")
                log.warning("message %d not acknowledged: %s", taken.message_id, exc,
                            extra={"row_id": taken.message_id})

    def _process(self, report: PassReport) -> bool:
        """Move the ledger's waiting rows on; False when a transient failure stalled it."""
        tally = self.processor.process_pending(should_stop=lambda: self.stopping)
        report.processed = tally.processed
        report.applied = tally.outcomes[MessageStatus.APPLIED]
        report.failed = tally.outcomes[MessageStatus.FAILED]
        report.retrying = tally.retrying
        if tally.stalled is not None:
            report.stalled = tally.stalled
            return False
        return True

    def _tick(self, report: PassReport) -> None:
        for tick in self.tickers:
            if self.stopping:
                break
            try:
                report.fired += tick()
            except _REGISTER_ERRORS:
                raise
            except Exception as exc:  # a ticker fails alone; the mail goes on
                if classify(exc).transient:
                    raise
                report.errors.append(f"ticker: {describe(exc)}")
                log.error("ticker failed: %s", type(exc).__name__)

    def _install_signal_handlers(self) -> dict[int, object]:
        previous: dict[int, object] = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[sig] = signal.signal(sig, self._on_signal)
            except ValueError:  # not the main thread (tests driving the loop)
                pass
        return previous

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the message in hand", signum)
        self.request_stop()

    @staticmethod
    def _restore_signal_handlers(previous: dict[int, object]) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def _drop_connection() -> None:
    """After the register failed, let the next query open a fresh connection:
    a PostgreSQL server that restarted leaves the old one dead. SQLite's file
    connection stays good (and an in-memory one must not be closed)."""
    database = db.obj
    if database is None or isinstance(database, peewee.SqliteDatabase):
        return
    try:
        database.close()
    except peewee.PeeweeException:
        pass  # in a transaction or already gone: the next pass meets it again

"""The daemon loop: take mail in, move it through its stages, fire what is due.

Errors are caught in two places only: per message (in ``_take_one`` and in the
Processor) and per mailbox pass (in ``run``). What cannot be caught there, a
register that cannot be reached, stops the daemon with one clear line.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import Protocol

import peewee

from register.db import RegisterError
from watcher.intake import Intake, Taken
from watcher.mailbox import InboundMail, Mailbox, MailboxError
from watcher.processing import Processor, describe

log = logging.getLogger(__name__)

# Something the daemon runs once per pass after the mail: the deadline sweep.
Ticker = Callable[[], int]


class WakeUps(Protocol):
    """Wakes the loop when a deadline falls due (workflows/scheduler.py)."""

    def start(self, wake: Callable[[], None]) -> None: ...

    def plan(self, when: datetime | None) -> None: ...

    def stop(self) -> None: ...


@dataclass
class PassReport:
    taken: int = 0
    duplicates: int = 0
    left_in_inbox: int = 0
    processed: int = 0
    fired: int = 0
    errors: list[str] = field(default_factory=list)


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
    ) -> None:
        self.mailbox = mailbox
        self.intake = intake
        self.processor = processor
        self.batch_size = max(1, batch_size)
        self.poll_seconds = poll_seconds
        self.tickers = list(tickers)
        self.next_due = next_due
        self.wakeups = wakeups
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
            while True:
                report = self.run_pass()
                if once or self.stopping:
                    return report
                if wakeups is not None and self.next_due is not None:
                    wakeups.plan(self.next_due())
                self.mailbox.wait(self.poll_seconds)
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

    def run_pass(self) -> PassReport:
        report = PassReport()
        try:
            self._take_all(report)
        except MailboxError as exc:
            report.errors.append(f"mailbox: {exc}")
            log.error("mailbox pass failed: %s", exc)
        if not self.stopping:
            report.processed = self.processor.process_pending(should_stop=lambda: self.stopping)
        for tick in self.tickers:
            if self.stopping:
                break
            try:
                report.fired += tick()
            except (peewee.OperationalError, peewee.InterfaceError, RegisterError):
                raise
            except Exception as exc:  # a ticker fails alone; the mail goes on
                report.errors.append(f"ticker: {describe(exc)}")
                log.error("ticker failed: %s", describe(exc))
        return report

    def _take_all(self, report: PassReport) -> None:
        batch: list[InboundMail] = []
        for mail in self.mailbox.fetch_new():
            batch.append(mail)
            if len(batch) >= self.batch_size or self.stopping:
                self._take_batch(batch, report)
                batch = []
            if self.stopping:
                break
        if batch:
            self._take_batch(batch, report)

    def _take_batch(self, batch: list[InboundMail], report: PassReport) -> None:
        try:
            results = self.intake.take(batch)
        except (peewee.OperationalError, peewee.InterfaceError, RegisterError):
            raise
        except Exception:
            # Something in one mail broke the batch: take them one at a time so
            # that only the guilty mail is set aside.
            results = [r for r in (self._take_one(m, report) for m in batch) if r]
        self._acknowledge(results, report)

    def _take_one(self, mail: InboundMail, report: PassReport) -> Taken | None:
        try:
            return self.intake.take([mail])[0]
        except (peewee.OperationalError, peewee.InterfaceError, RegisterError):
            raise
        except Exception as exc:
            report.errors.append(f"uid {mail.uid}: {describe(exc)}")
            log.error("mail uid %s could not be taken in: %s", mail.uid, describe(exc))
            try:
                return self.intake.take_unreadable(mail, exc)
            except Exception as again:
                log.error("mail uid %s left in the inbox: %s", mail.uid, describe(again))
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
                log.debug("message %d acknowledged as %s", taken.message_id, taken.outcome.value)
            except MailboxError as exc:
                # The ledger has it; the next pass sees it again and deduplicates.
                report.errors.append(f"message {taken.message_id}: {exc}")
                log.warning("message %d not acknowledged: %s", taken.message_id, exc)

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

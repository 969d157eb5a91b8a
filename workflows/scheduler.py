"""APScheduler only wakes the daemon: the Deadline table says what is due.

Two jobs with stable ids, so a restart replaces them and never duplicates
them: ``next-deadline`` at the moment the earliest open deadline falls due, and
``deadline-sweep`` every few minutes as a safety net. Each only interrupts the
daemon's wait; the daemon's own pass then fires what is due, in its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cme.clock import LONDON

NEXT, SWEEP = "next-deadline", "deadline-sweep"
MIN_DELAY_SECONDS = 60


class WakeUps:
    def __init__(self, sweep_minutes: float) -> None:
        self.sweep_minutes = sweep_minutes
        self._scheduler = BackgroundScheduler(timezone=LONDON)
        self._wake: Callable[[], None] | None = None

    def start(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._scheduler.add_job(wake, IntervalTrigger(minutes=self.sweep_minutes), id=SWEEP,
                                replace_existing=True, coalesce=True, max_instances=1)
        self._scheduler.start()

    def plan(self, when: datetime | None) -> None:
        """Be woken when ``when`` comes.

        A time already past means a deadline that could not fire on the last pass
        (its error is logged): retrying it at once would spin, so it waits for
        the next sweep.
        """
        if when is None or self._wake is None:
            return
        earliest = datetime.now(LONDON) + timedelta(seconds=MIN_DELAY_SECONDS)
        when = max(when, earliest)
        self._scheduler.add_job(self._wake, DateTrigger(run_date=when), id=NEXT,
                                replace_existing=True, misfire_grace_time=None)

    def next_wake(self) -> datetime | None:
        job = self._scheduler.get_job(NEXT)
        return job.next_run_time if job else None

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

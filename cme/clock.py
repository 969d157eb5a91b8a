"""The injected clock.

Nothing in cme calls ``datetime.now()`` directly: it asks the clock it was
given. ``clock_from_env`` honours ``CME_NOW`` (ISO 8601) so a whole run can be
simulated at a chosen moment. A ``CME_NOW`` without an offset is Europe/London
local time, as the tracking team reads dates.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(LONDON)


@dataclass
class FixedClock:
    """A clock that says what it is told; tests advance it explicitly."""

    at: datetime

    def __post_init__(self) -> None:
        self.at = as_london(self.at)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta


class ClockError(ValueError):
    pass


def as_london(moment: datetime) -> datetime:
    """Attach Europe/London to a naive time; convert an aware one."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def parse_instant(text: str) -> datetime:
    """Parse ISO 8601; raise ClockError with the text when it is not."""
    try:
        return as_london(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise ClockError(f"CME_NOW={text!r} is not an ISO 8601 date-time") from None


def clock_from_env(environ: Mapping[str, str] | None = None) -> Clock:
    env = os.environ if environ is None else environ
    fixed = env.get("CME_NOW")
    return FixedClock(parse_instant(fixed)) if fixed else SystemClock()

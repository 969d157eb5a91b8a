"""The time of the last pass, kept in the register, and a warning when the clock is behind it.

A pass whose clock (``CME_NOW``, or a system clock set back) is earlier than
the last pass's would see the register's past: deadlines already fired, a
digest already recorded for a later day. Nothing fires twice all the same (a
deadline fires by moving from ``open`` to ``fired``, once; a digest is not
recorded for a day before one already recorded), but the team should know, so
the daemon says it once, in one line, and goes on.

The time is kept as a row of the register's small ``mailbox_state`` store under
the name ``(daemon)``, which no mailbox backend uses; it only moves forward, so
a clock that runs behind for a while warns once, not at every pass.
"""

from __future__ import annotations

import logging
from datetime import datetime

from cme.clock import Clock, as_london, parse_instant
from watcher.state import MailboxState

log = logging.getLogger(__name__)

OWNER, KEY = "(daemon)", "last_pass"


class LastPass:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self.warned = False
        self._latest: datetime | None = None

    def check(self, now: datetime) -> bool:
        """Record ``now`` as a pass; False (with one warning a process) when it is behind."""
        store = MailboxState(OWNER, self.clock)
        stored = store.get(KEY)
        latest = max(filter(None, (self._latest, parse_instant(stored) if stored else None)),
                     default=None)
        if latest is not None and now < latest:
            if not self.warned:
                log.warning("the clock (%s) is earlier than the last pass (%s): nothing already "
                            "fired fires again, but check CME_NOW or the system clock",
                            _shown(now), _shown(latest))
                self.warned = True
            self._latest = latest
            return False
        self._latest = now
        store.put(KEY, as_london(now).isoformat())
        return True


def _shown(moment: datetime) -> str:
    return as_london(moment).strftime("%Y-%m-%d %H:%M")

"""The progress bar ``cme watch`` draws in a terminal while a backlog is taken in.

The daemon's ``Progress`` protocol, drawn with rich on the console the log
handler writes to, so log lines print above the bar.
"""

from __future__ import annotations

from typing import Any


class TerminalProgress:
    def __init__(self, console: Any) -> None:
        self.console = console
        self._bar: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.finish()
        self._bar = Progress("taking in mail", BarColumn(), MofNCompleteColumn(),
                             TimeRemainingColumn(), console=self.console, transient=True)
        self._task = self._bar.add_task("mail", total=total)
        self._bar.start()

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = self._task = None

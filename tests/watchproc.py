"""A real ``cme watch`` in a child process, its log lines read as they come.

``wait_for`` blocks until the daemon logs a line: the tests synchronise on
what the daemon says it did, never on sleeps. Its timeout only guards
against a hung daemon.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

from tests.conftest import CME


class WatchProcess:
    def __init__(self, config: Path, *options: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("CME_CONFIG", "CME_NOW")}
        self.proc = subprocess.Popen(
            [*CME, "--config", str(config), *options, "watch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=config.parent,
            env=env,
        )
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for(self, text: str, timeout: float = 120.0) -> str:
        """The next line containing ``text`` (every line read is kept in ``seen``)."""
        until = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(until - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no {text!r} within {timeout:g}s; last lines:\n"
                                     + "".join(self.seen[-15:])) from None
            if line is None:
                raise AssertionError(f"cme watch exited with {self.proc.wait()} before "
                                     f"{text!r}; last lines:\n" + "".join(self.seen[-15:]))
            self.seen.append(line)
            if text in line:
                return line

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=60)

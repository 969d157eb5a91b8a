"""A self-pipe: ``wait`` returns at the timeout or as soon as ``set`` is called,
even from a signal handler (a write to a non-blocking pipe is signal-safe)."""

from __future__ import annotations

import os
import select


class WakePipe:
    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    @property
    def fd(self) -> int:
        """The end to ``select`` on beside a socket."""
        return self._read

    def set(self) -> None:
        try:
            os.write(self._write, b"x")
        except BlockingIOError:
            pass  # the pipe is full: a wake-up is already pending
        except OSError:
            pass  # closed: the mailbox is shutting down, nobody waits

    def drain(self) -> None:
        try:
            while os.read(self._read, 4096):
                pass
        except BlockingIOError:
            pass

    def wait(self, timeout: float) -> bool:
        """True when woken, False at the timeout."""
        ready, _, _ = select.select([self._read], [], [], max(0.0, timeout))
        if ready:
            self.drain()
        return bool(ready)

    def close(self) -> None:
        for fd in (self._read, self._write):
            try:
                os.close(fd)
            except OSError:
                pass

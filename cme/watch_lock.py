"""One ``cme watch`` per SQLite register: a lock file beside the register.

SQLite serialises writers, so two daemons on one file would only queue behind
each other's transactions (and both sweep the same deadlines). The lock is an
``flock`` on ``cme-watch.lock`` in the register's folder: the kernel drops it
when the process ends, however it ends, so a killed daemon never leaves a
stale lock. The file also says who holds it (pid, start time) so the second
daemon can name the first. One register per folder, as the site layout has it.

PostgreSQL registers take no lock: several daemons may share one, and
deadlines are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

LOCK_NAME = "cme-watch.lock"


class AlreadyRunning(Exception):
    """Another daemon holds the register's lock."""

    def __init__(self, path: Path, holder: dict[str, object]) -> None:
        self.path = path
        self.holder = holder
        pid = holder.get("pid", "unknown")
        started = holder.get("started", "an unknown time")
        host = holder.get("host")
        on = f" on {host}" if host and host != socket.gethostname() else ""
        super().__init__(
            f"another cme watch is running on this register: pid {pid}{on}, "
            f"started {started} (lock {path})"
        )


class WatchLock:
    """A held lock; ``release`` (or the end of the process) lets it go."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd
        # Worker processes forked later (the parse sandbox) must not keep the
        # lock alive after the daemon dies: they drop their copy of the file.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the parent's copy still holds the lock
            self._fd = None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file drops the flock
            self._fd = None


def lock_path(register_url: str) -> Path | None:
    """Where the lock for ``register_url`` lives; None when it needs none."""
    prefix = "sqlite:///"
    if not register_url.startswith(prefix):
        return None
    path = unquote(register_url[len(prefix):])
    if path in ("", ":memory:"):
        return None
    return Path(path).parent / LOCK_NAME


def acquire(path: Path, started: datetime) -> WatchLock:
    """Hold the lock at ``path`` or raise AlreadyRunning naming its holder."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise AlreadyRunning(path, holder) from None
    except BaseException:
        os.close(fd)
        raise
    record = json.dumps({"pid": os.getpid(), "started": started.isoformat(timespec="seconds"),
                         "host": socket.gethostname()})
    os.ftruncate(fd, 0)
    os.pwrite(fd, (record + "\n").encode(), 0)
    return WatchLock(path, fd)


def _read_holder(fd: int) -> dict[str, object]:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        holder = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}

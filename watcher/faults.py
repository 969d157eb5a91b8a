"""Which errors are worth waiting out: the one place that classifies them.

A *transient* fault is one the daemon waits out and retries, never exits for:

- ``REGISTER``: the register is locked or cannot be reached. Nothing can be
  recorded, so the row in hand is left as its rolled-back transaction left it
  and the whole pass is tried again later.
- ``STORAGE``: a disk is full, read-only or not writable (the archive, the
  outbox). The message in hand is marked failed with a time for its next
  attempt, and the daemon backs off before going on.

Anything else is ``PERMANENT`` (a parser or template error, a bug): waiting
will not change it, so the message stays failed with its reason until a person
runs ``cme intake retry``.
"""

from __future__ import annotations

import enum
import errno
from collections.abc import Iterator
from pathlib import Path


class Fault(enum.Enum):
    REGISTER = "register"
    STORAGE = "storage"
    PERMANENT = "permanent"

    @property
    def transient(self) -> bool:
        return self is not Fault.PERMANENT


# errno -> how a person would say it
STORAGE_ERRNOS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "input/output error",
}

# What SQLite and PostgreSQL say when the register is busy or out of reach.
# Matched in the text of an OperationalError or InterfaceError, whichever
# library raised it (peewee re-raises the driver's error with its text).
REGISTER_PHRASES = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
    "attempt to write a readonly database",
    "could not connect",
    "connection refused",
    "connection already closed",
    "connection is closed",
    "server closed the connection",
    "terminating connection",
    "connection timed out",
    "could not translate host name",
    "no route to host",
)


def classify(exc: BaseException) -> Fault:
    """The fault behind ``exc``, looking through the errors it was raised from."""
    for link in _chain(exc):
        if _is_register_fault(link):
            return Fault.REGISTER
        if isinstance(link, OSError) and link.errno in STORAGE_ERRNOS:
            return Fault.STORAGE
    return Fault.PERMANENT


def explain(exc: BaseException) -> str:
    """A short reason for the logs: no file contents, no personal data.

    A storage fault names the errno and the folder (archive and outbox folders
    are named by date, hash or case reference, never by a person).
    """
    for link in _chain(exc):
        if _is_register_fault(link):
            text = " ".join(str(link).split())
            return f"register unavailable ({text[:200] or type(link).__name__})"
        if isinstance(link, OSError) and link.errno in STORAGE_ERRNOS:
            code = errno.errorcode.get(link.errno, str(link.errno))
            where = f" at {Path(link.filename).parent}" if link.filename else ""
            return f"{STORAGE_ERRNOS[link.errno]} ({code}){where}"
    return type(exc).__name__


def _is_register_fault(exc: BaseException) -> bool:
    name = type(exc).__name__
    if name not in ("OperationalError", "InterfaceError"):
        return False
    if type(exc).__module__.startswith("psycopg"):
        # psycopg keeps syntax and schema errors apart (ProgrammingError...):
        # its OperationalError is a connection, lock or shutdown problem.
        return True
    text = str(exc).lower()
    return any(phrase in text for phrase in REGISTER_PHRASES)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen and len(seen) < 10:
        seen.add(id(link))
        yield link
        link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)

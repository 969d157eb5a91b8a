"""The Maildir backend: the embedded default.

The inbox is a Maildir; Processed and Quarantine are Maildir++ folders inside
it (``.Processed``, ``.Quarantine``), created with the stdlib ``mailbox``
module. A mail is acknowledged by one ``rename`` into the folder's ``cur/``,
which is atomic: after a crash the mail is in exactly one place. Delivery time
is the file's modification time, which Maildir delivery sets.
"""

from __future__ import annotations

import logging
import mailbox
import os
import select
from collections.abc import Iterator
from datetime import UTC, datetime
from email.generator import BytesGenerator
from pathlib import Path
from typing import TYPE_CHECKING

from watcher.mailbox import InboundMail, MailboxError, OutboundMail, Outcome
from watcher.outgoing import build_email

if TYPE_CHECKING:
    from watcher.smtp import SmtpSender

log = logging.getLogger(__name__)

FOLDERS = {Outcome.PROCESSED: "Processed", Outcome.QUARANTINED: "Quarantine"}


class MaildirMailbox:
    name = "maildir"

    def __init__(self, path: Path, *, sent_path: Path | None = None,
                 sender: SmtpSender | None = None) -> None:
        self.path = path
        self.sent_path = sent_path or path.parent / "sent"
        self.sender = sender
        self._inbox = ensure_maildir(path)
        self._paths: dict[str, Path] = {}
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self._inotify = _open_inotify(path)

    def fetch_new(self) -> Iterator[InboundMail]:
        """Oldest delivery first."""
        self._paths = self._scan()
        dated = []
        for uid, file in self._paths.items():
            try:
                dated.append((file.stat().st_mtime_ns, file.name, uid, file))
            except FileNotFoundError:
                continue  # taken by another process since the scan
        for stamp, _name, uid, file in sorted(dated):
            try:
                raw = file.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise MailboxError(f"cannot read {file.name}: {exc}") from exc
            yield InboundMail(uid, raw, datetime.fromtimestamp(stamp / 1e9, UTC))

    def waiting(self) -> int:
        return len(self._scan())

    def _scan(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for sub in ("new", "cur"):
            try:
                entries = os.scandir(self.path / sub)
            except OSError as exc:
                raise MailboxError(f"cannot list {self.path / sub}: {exc}") from exc
            with entries:
                for entry in entries:
                    if entry.name.startswith(".") or not entry.is_file():
                        continue
                    found[entry.name.split(":", 1)[0]] = Path(entry.path)
        return found

    def acknowledge(self, uid: str, outcome: Outcome) -> None:
        source = self._paths.pop(uid, None) or self._scan().get(uid)
        if source is None:
            return  # already moved: acknowledging twice is harmless
        target = self.path / f".{FOLDERS[outcome]}" / "cur" / f"{uid}:2,S"
        try:
            os.rename(source, target)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise MailboxError(f"cannot move {uid} to {FOLDERS[outcome]}: {exc}") from exc

    def wait(self, timeout: float) -> bool:
        watched = [self._wake_r] + ([self._inotify.fileno()] if self._inotify else [])
        ready, _, _ = select.select(watched, [], [], timeout)
        if self._wake_r in ready:
            _drain(self._wake_r)
        if self._inotify and self._inotify.fileno() in ready:
            self._inotify.read(timeout=0)
        return bool(ready)

    def interrupt(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except BlockingIOError:
            pass  # the pipe is full: a wake-up is already pending

    def send(self, outbound: OutboundMail) -> None:
        """Send over SMTP when [smtp] has a host; either way keep the mail as an .eml file
        (the Maildir mode's Sent folder)."""
        message = build_email(outbound)
        if self.sender is not None:
            self.sender.send(message)
        self.sent_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}.eml"
        tmp = self.sent_path / f".{name}.tmp"
        # An OSError (a full or read-only outbox) is not wrapped in MailboxError:
        # the daemon waits for the disk and the letter is sent again, where a
        # MailboxError would record it as not mailed and go on.
        try:
            with open(tmp, "wb") as fh:
                BytesGenerator(fh).flatten(message)
                fh.flush()
                os.fsync(fh.fileno())
            os.rename(tmp, self.sent_path / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def deliver(self, raw: bytes) -> str:
        """Put ``raw`` in the inbox as a mail server would; return its key."""
        return self._inbox.add(raw)

    def close(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)
        if self._inotify:
            self._inotify.close()


def ensure_maildir(path: Path) -> mailbox.Maildir:
    """Open the Maildir at ``path``, creating it and its Maildir++ folders as needed."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        for sub in ("tmp", "new", "cur"):
            (path / sub).mkdir(exist_ok=True, mode=0o700)
        inbox = mailbox.Maildir(path, create=False)
        for folder in FOLDERS.values():
            if folder not in inbox.list_folders():
                inbox.add_folder(folder)
    except OSError as exc:
        raise MailboxError(f"cannot open Maildir {path}: {exc}") from exc
    return inbox


def _drain(fd: int) -> None:
    os.set_blocking(fd, False)
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _open_inotify(path: Path):
    """inotify on new/ and cur/ where Linux has it; otherwise ``wait`` polls."""
    try:
        from inotify_simple import INotify, flags
    except ImportError:
        return None
    try:
        watcher = INotify()
        for sub in ("new", "cur"):
            watcher.add_watch(str(path / sub), flags.MOVED_TO | flags.CREATE)
    except OSError as exc:
        log.info("inotify unavailable (%s); polling the Maildir", exc)
        return None
    return watcher

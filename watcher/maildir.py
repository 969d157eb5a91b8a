"""The Maildir backend: the embedded default.

The inbox is a Maildir; Processed and Quarantine are Maildir++ folders inside
it (``.Processed``, ``.Quarantine``), created with the stdlib ``mailbox``
module. A mail is acknowledged by one ``rename`` into the folder's ``cur/``,
which is atomic: after a crash the mail is in exactly one place. Delivery time
is the file's modification time, which Maildir delivery sets.
"""

from __future__ import annotations

import hashlib
import logging
import mailbox
import os
import re
import select
from collections.abc import Iterator
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from cme.private import PRIVATE_FILE, private_file, private_folder
from watcher.mailbox import InboundMail, MailboxError, OutboundMail, Outcome
from watcher.outgoing import build_email
from watcher.wakeup import WakePipe

if TYPE_CHECKING:
    from watcher.smtp import SmtpSender

log = logging.getLogger(__name__)

FOLDERS = {Outcome.PROCESSED: "Processed", Outcome.QUARANTINED: "Quarantine"}
# A Message-ID that is safe as a file name as it stands (the outbox's own are).
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.@_+-]{0,200}")


class MaildirMailbox:
    name = "maildir"

    def __init__(self, path: Path, *, sent_path: Path | None = None,
                 sender: SmtpSender | None = None) -> None:
        self.path = path
        self.sent_path = sent_path or path.parent / "sent"
        self.sender = sender
        self._inbox = ensure_maildir(path)
        self._paths: dict[str, Path] = {}
        self._wake = WakePipe()
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
            private_file(source)  # the mail server's mode (often 0644) is not ours to keep
            os.rename(source, target)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise MailboxError(f"cannot move {uid} to {FOLDERS[outcome]}: {exc}") from exc

    def wait(self, timeout: float) -> bool:
        watched = [self._wake.fd] + ([self._inotify.fileno()] if self._inotify else [])
        ready, _, _ = select.select(watched, [], [], timeout)
        if self._wake.fd in ready:
            self._wake.drain()
        if self._inotify and self._inotify.fileno() in ready:
            self._inotify.read(timeout=0)
        return bool(ready)

    def interrupt(self) -> None:
        self._wake.set()

    def send(self, outbound: OutboundMail) -> None:
        """Send over SMTP when [smtp] has a host; either way keep the mail as an .eml file
        (the Maildir mode's Sent folder)."""
        message = build_email(outbound)
        if self.sender is not None:
            self.sender.send(message)
        self._keep(message)

    def _keep(self, message: EmailMessage) -> None:
        """The sent folder holds one file per mail sent, named by its Message-ID.

        A second send of the same Message-ID is kept as a second file
        (``NAME~2.eml``), as a mail server would deliver it twice: the folder
        shows a duplicate instead of hiding it.
        """
        private_folder(self.sent_path)
        name = sent_name(str(message["Message-ID"]))
        for stale in self.sent_path.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)  # left by a crash mid-write: it was never sent
        tmp = self.sent_path / f".{name}.{os.getpid()}.tmp"
        # An OSError (a full or read-only outbox) is not wrapped in MailboxError:
        # the daemon waits for the disk and the letter is sent again, where a
        # MailboxError would record it as not mailed and go on.
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            with open(fd, "wb") as fh:
                BytesGenerator(fh).flatten(message)
                fh.flush()
                os.fsync(fh.fileno())
            target, copy = self.sent_path / f"{name}.eml", 1
            while target.exists():
                copy += 1
                target = self.sent_path / f"{name}~{copy}.eml"
            os.rename(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_folder(self.sent_path)  # the name must outlive a power cut: was_sent reads it

    def was_sent(self, message_id: str) -> bool:
        """Whether the sent folder holds a mail with this Message-ID (one stat)."""
        return (self.sent_path / f"{sent_name(message_id)}.eml").exists()

    def deliver(self, raw: bytes) -> str:
        """Put ``raw`` in the inbox as a mail server would; return its key."""
        return self._inbox.add(raw)

    def close(self) -> None:
        self._wake.close()
        if self._inotify:
            self._inotify.close()


def ensure_maildir(path: Path) -> mailbox.Maildir:
    """Open the Maildir at ``path``, creating it and its Maildir++ folders as needed."""
    try:
        private_folder(path)
        for sub in ("tmp", "new", "cur"):
            private_folder(path / sub)
        inbox = mailbox.Maildir(path, create=False)
        for folder in FOLDERS.values():
            if folder not in inbox.list_folders():
                inbox.add_folder(folder)  # 0700 folders, but a 0666-umask marker file
                private_file(path / f".{folder}" / "maildirfolder")
    except OSError as exc:
        raise MailboxError(f"cannot open Maildir {path}: {exc}") from exc
    return inbox


def sent_name(message_id: str) -> str:
    """A file name for a Message-ID: the ID itself when it is plain, else its hash."""
    bare = message_id.strip().removeprefix("<").removesuffix(">")
    if _PLAIN_ID.fullmatch(bare):
        return bare
    return "id-" + hashlib.sha256(message_id.strip().encode()).hexdigest()[:40]


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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

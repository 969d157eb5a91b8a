"""The archive of raw mail: ``raw/YYYY/MM/DD/<sha256>`` by the day it arrived.

A file's name is its sha256, so every file can be checked against its name.
Files are written to a temporary name, fsynced, then renamed: after a crash a
file is either whole or absent. Folders by arrival day keep the folder fsyncs to
about one per batch (a folder per hash prefix cost one per mail), and they are
how a retention policy deletes old mail. Only raw mail is archived: a part is
cut from it again whenever it is needed, so nothing is stored twice.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import date
from pathlib import Path

from cme.private import private_folder


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root
        private_folder(root)
        os.chmod(root, 0o700)
        for stale in root.glob("*/*/*/*/.*"):  # left by a crash mid-write
            if not _alive(stale.name.rsplit(".", 1)[-1]):
                stale.unlink(missing_ok=True)
        self._dirty_dirs: set[Path] = set()
        self._known_dirs: set[Path] = set()

    def relpath(self, sha256: str, day: date, kind: str = "raw") -> str:
        return f"{kind}/{day:%Y/%m/%d}/{sha256}"

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def store(self, data: bytes, day: date, kind: str = "raw") -> tuple[str, str]:
        """Store ``data`` durably; return (relative path, sha256).

        Call ``sync`` before relying on the file's name surviving a power cut.
        Safe to call from several threads: fsync releases the GIL, so callers
        overlap the disk wait with parsing.
        """
        sha = hashlib.sha256(data).hexdigest()
        rel = self.relpath(sha, day, kind)
        target = self.root / rel
        folder = target.parent
        if folder not in self._known_dirs:
            if not folder.exists():
                # year/month/day: every level private, not just the day
                private_folder(folder)
                self._dirty_dirs.add(folder.parent)
            self._known_dirs.add(folder)
        # Same bytes, same name: renaming over an existing copy changes nothing.
        # The temporary file sits in the target folder: a rename within one
        # folder is one journal update, not two.
        tmp = folder / f".{sha}.{threading.get_ident()}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(tmp, target)
        except BaseException:
            # A full disk must not keep a partial copy: it holds the space the
            # retry needs.
            tmp.unlink(missing_ok=True)
            raise
        self._dirty_dirs.add(folder)
        return rel, sha

    def sync(self) -> None:
        """fsync the folders that gained durable files, so their names survive power loss."""
        for folder in list(self._dirty_dirs):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        self._dirty_dirs.clear()

    def read(self, relpath: str) -> bytes:
        return (self.root / relpath).read_bytes()

    def verify(self, relpath: str) -> bool:
        """True when the file's content still hashes to its name."""
        data = self.read(relpath)
        return hashlib.sha256(data).hexdigest() == Path(relpath).name


def _alive(pid_text: str) -> bool:
    """Is the writer of a temporary file still running? (another daemon on this archive)"""
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True

"""The content-addressed archive of raw mail and of the parts taken from it.

A file's name is its sha256, so storing the same bytes twice is a no-op and
every file can be checked against its name. Files are written to a temporary
name, fsynced, then renamed: after a crash a file is either whole or absent.
Only raw mail is archived: a part is cut from it again whenever it is needed,
so nothing is stored twice.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / ".tmp"
        self._tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(root, 0o700)
        for stale in self._tmp.iterdir():  # left by a crash mid-write
            if not _alive(stale.name.rsplit(".", 1)[-1]):
                stale.unlink(missing_ok=True)
        self._dirty_dirs: set[Path] = set()
        self._known_dirs: set[Path] = set()

    def relpath(self, sha256: str, kind: str) -> str:
        return f"{kind}/{sha256[:2]}/{sha256}"

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def store(self, data: bytes, kind: str = "raw") -> tuple[str, str]:
        """Store ``data`` durably; return (relative path, sha256).

        Call ``sync`` before relying on the file's name surviving a power cut.
        Safe to call from several threads: fsync releases the GIL, so callers
        overlap the disk wait with parsing.
        """
        sha = hashlib.sha256(data).hexdigest()
        rel = self.relpath(sha, kind)
        target = self.root / rel
        folder = target.parent
        if folder not in self._known_dirs:
            if not folder.exists():
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._dirty_dirs.add(folder.parent)
            self._known_dirs.add(folder)
        # Same bytes, same name: renaming over an existing copy changes nothing.
        tmp = self._tmp / f"{sha}.{threading.get_ident()}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, target)
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

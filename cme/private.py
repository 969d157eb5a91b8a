"""Folders and files holding personal data: 0700 and 0600, whatever the umask.

``Path.mkdir(parents=True, mode=0o700)`` gives only the last folder that mode;
the parents it makes get the umask's (0755 under the usual 022), which is how
the archive's year and month folders came out world-readable. Everything cme
writes goes through these instead.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_folder(path: Path) -> Path:
    """Make ``path`` and each missing folder above it, every one 0700; return ``path``.

    Folders that exist already are left as they are (``cme doctor`` reports them).
    """
    missing: list[Path] = []
    here = path
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            continue  # made meanwhile by another process, with its own mode
        os.chmod(folder, PRIVATE_FOLDER)  # an unusual umask can cut even 0700
    return path


def private_file(path: Path) -> Path:
    """Make an existing file 0600 (one written by LibreOffice, or delivered by a mail server)."""
    os.chmod(path, PRIVATE_FILE)
    return path

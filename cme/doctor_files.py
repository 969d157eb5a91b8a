"""Checks on the site's folders and files: there, writable, and private.

The archive, outbox and mailbox hold personal data, so their folders must be
0700 and their files 0600. Writability is tried for real (a temporary file,
removed at once), because permission bits say nothing to root or about a
read-only mount; a folder not there yet is judged by its nearest existing
parent, and nothing is created.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cme.doctor_findings import Finding, fail, ok, warn

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# The archive can hold millions of files: look at this many entries, no more.
SCAN_LIMIT = 5000


def folder_findings(check: str, path: Path, *, probe: Path | None = None) -> list[Finding]:
    """``path`` is a private, writable folder (or can be created as one).

    ``probe``: the sub-folder to try writing in (a Maildir's ``tmp``) when it exists.
    """
    if not path.exists():
        return [_creatable(check, path)]
    if not path.is_dir():
        return [fail(check, f"{path} is not a folder")]
    target = probe if probe is not None and probe.is_dir() else path
    problem = writable_problem(target)
    if problem:
        return [fail(check, f"{target} is not writable: {problem}")]
    mode = stat.S_IMODE(path.stat().st_mode)
    findings = []
    if mode & 0o077:
        findings.append(fail(check, f"{path} has mode {mode:04o}: other users can read it "
                                    f"(chmod 700 {path})"))
    findings += _open_entries(check, path)
    if not findings:
        findings.append(ok(check, f"{path} writable, mode {mode:04o}"))
    return findings


def file_mode_findings(check: str, path: Path) -> Iterator[Finding]:
    """A FAIL when ``path`` (a file holding personal data) is open to other users."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        yield fail(check, f"{path} has mode {mode:04o}: other users can read it "
                          f"(chmod 600 {path})")


def writable_problem(folder: Path) -> str:
    """Why a file cannot be created in ``folder`` ("" when it can)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".cme-doctor-", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(name)
    return ""


def _creatable(check: str, path: Path) -> Finding:
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return fail(check, f"{path} cannot be created: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        return fail(check, f"{path} cannot be created: {parent} is not writable")
    return warn(check, f"{path} does not exist yet: cme creates it (mode 0700) when first used")


def _open_entries(check: str, root: Path) -> list[Finding]:
    """One warning for folders and files under ``root`` that other users could read."""
    found, first, seen = 0, None, 0
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            seen += 1
            entry = Path(folder, name)
            try:
                mode = stat.S_IMODE(entry.lstat().st_mode)
            except FileNotFoundError:
                continue  # removed since the listing
            if mode & 0o077:
                found += 1
                first = first or entry
        if seen >= SCAN_LIMIT:
            break
    if not found:
        return []
    # A warning, not a failure: a private top folder already keeps other users out.
    return [warn(check, f"{found} files or folders under {root} are open to other users "
                        f"(first: {first}): chmod -R go-rwx {root}")]

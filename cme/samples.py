"""Seeding a local Maildir with the synthetic sample emails, once.

The samples are the ``.eml`` fixtures under ``tests/fixtures`` (all invented).
A marker file in the Maildir records that it was seeded, so running the README's
first command again does not deliver the samples twice.
"""

from __future__ import annotations

import os
from pathlib import Path

from cme.private import private_file
from watcher.maildir import ensure_maildir

MARKER = ".cme-seeded"


def seed_samples(maildir: Path, fixtures: Path, *, force: bool = False) -> int | None:
    """Deliver every sample; return how many, or None when already seeded."""
    inbox = ensure_maildir(maildir)
    marker = maildir / MARKER
    if marker.exists() and not force:
        return None
    samples = sorted(fixtures.rglob("*.eml"))
    if not samples:
        raise FileNotFoundError(f"no sample emails (*.eml) under {fixtures}")
    for path in samples:
        key = inbox.add(path.read_bytes())
        private_file(maildir / "new" / key)  # Maildir.add leaves the umask's mode
    fd = os.open(marker, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{len(samples)} samples from {fixtures}\n")
    return len(samples)

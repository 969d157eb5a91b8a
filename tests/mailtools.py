"""Helpers to put mail in a test Maildir and read the ledger back."""

from __future__ import annotations

import random
from pathlib import Path

from tests.fixtures.builders import Attachment, Email, synthetic_notification
from watcher.maildir import ensure_maildir


def deliver(maildir: Path, *raws: bytes) -> list[str]:
    inbox = ensure_maildir(maildir)
    return [inbox.add(raw) for raw in raws]


def inbox_count(maildir: Path) -> int:
    return sum(
        1 for sub in ("new", "cur") for p in (maildir / sub).iterdir() if not p.name.startswith(".")
    )


def folder_count(maildir: Path, folder: str) -> int:
    return sum(1 for p in (maildir / f".{folder}" / "cur").iterdir())


def simple_email(serial: int, **overrides: object) -> bytes:
    fields = {
        "sender": f"head{serial}@school.example.sch.uk",
        "subject": f"Pupil notification {serial}",
        "body": "A pupil has not attended since 12/01/2026.",
        "message_id": f"simple-{serial}@school.example.sch.uk",
    }
    fields.update(overrides)
    return Email(**fields).to_bytes()  # type: ignore[arg-type]


def notifications(count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    return [synthetic_notification(rng, i, pdf=i % 3 == 0) for i in range(count)]


def with_attachment(serial: int, name: str, data: bytes, content_type: str) -> bytes:
    return Email(
        sender=f"office{serial}@school.example.sch.uk",
        subject=f"Form {serial}",
        body="Form attached.",
        message_id=f"att-{serial}@school.example.sch.uk",
        attachments=[Attachment(name, data, content_type)],
    ).to_bytes()

"""Only mail is taken as mail: anything else in the Maildir is quarantined,
kept raw, and never parsed or applied. All and only: every sample email passes
the check, and every look-alike fails it."""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import pytest

from cme.resources import SAMPLES
from register.models import Event, InboundMessage, MessageStatus
from tests.conftest import REPO
from tests.mailtools import deliver, folder_count, simple_email
from watcher.mailcheck import MAX_HEADER_BYTES, not_mail_reason


def pdf_bytes() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Children Missing Education notification")
    page.save()
    return out.getvalue()


def docx_bytes() -> bytes:
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Pupil name: Milo Thistlewood")
    document.save(out)
    return out.getvalue()


NOT_MAIL = {
    "pdf": (pdf_bytes, "application/pdf"),
    "docx": (docx_bytes, "wordprocessingml.document"),
    "random-bytes": (lambda: random.Random(20261201).randbytes(6000), "not an email: "),
    "text-without-headers": (
        lambda: b"Dear CME team,\nMilo Thistlewood has not attended since Monday.\n",
        "no header block at the start",
    ),
}


def run_pass(app):
    mailbox = app.open_mailbox()
    try:
        return app.daemon(mailbox).run_pass()
    finally:
        mailbox.close()


@pytest.mark.parametrize("kind", sorted(NOT_MAIL))
def test_a_file_that_is_not_mail_is_quarantined_and_never_applied(app, kind):
    make, said = NOT_MAIL[kind]
    raw = make()
    maildir = app.config.mailbox.path
    deliver(maildir, raw, simple_email(1))
    report = run_pass(app)
    assert report.taken == 2 and report.applied == 1
    row = InboundMessage.get(InboundMessage.sha256 == hashlib.sha256(raw).hexdigest())
    assert row.status == MessageStatus.QUARANTINED
    assert row.error.startswith("not an email: ") and said in row.error
    assert "Milo" not in row.error and "Thistlewood" not in row.error
    assert row.documents.count() == 0 and row.kind is None and row.fields is None
    assert not Event.select().where(Event.message == row).exists()
    assert app.archive.read(row.archive_path) == raw  # kept whole
    assert folder_count(maildir, "Quarantine") == 1
    # A retry reads it again, and quarantines it again.
    retried = app.processor.process(app.intake.reopen(row).id)
    assert retried.status == MessageStatus.QUARANTINED


def every_sample_email() -> list[Path]:
    found = sorted(SAMPLES.glob("*.eml")) + sorted((REPO / "tests/fixtures").rglob("*.eml"))
    assert len(found) > 50
    return found


@pytest.mark.parametrize("path", every_sample_email(), ids=lambda p: p.name)
def test_every_sample_email_is_mail(path):
    assert not_mail_reason(path.read_bytes()) is None


@pytest.mark.parametrize("raw", [
    b"Subject: headers alone, no body\r\n",
    b"From head@school.example.sch.uk Mon Feb  9 09:00:00 2026\nFrom: head@school.example\n\nHi",
    b"Received: from mx.example (mx.example [192.0.2.1])\r\n\tby mail.example; "
    b"Mon, 9 Feb 2026 09:00:00 +0000\r\nDate: Mon, 9 Feb 2026 09:00:00 +0000\r\n\r\nbody",
    b"Subject : obsolete white space before the colon\n\nbody",
    "Subject: =?utf-8?q?caf=C3=A9?= and raw UTF-8 é\n\nbody".encode(),
], ids=["headers-only", "mbox-from-line", "folded", "obsolete-space", "utf-8-header"])
def test_these_are_mail(raw):
    assert not_mail_reason(raw) is None


@pytest.mark.parametrize(("raw", "reason"), [
    (b"Note: call the school back\n\nIt is about a pupil.", "none of From, Date"),
    (b"From: head@school.example\nthis line is no header\n\nbody", "line 2 of the header"),
    (b"From: head@school.example\nSubject: a\x00b\n\nbody", "a NUL byte"),
    (b"\n\nFrom: head@school.example\n", "line 1 is not"),
    (b" From: folded before any field\n\n", "line 1 is not"),
    (b"X-Filler: x\n" * (MAX_HEADER_BYTES // 12 + 10), "no end to the header block"),
], ids=["no-origin-field", "broken-line", "nul", "blank-first", "fold-first", "endless"])
def test_these_are_not(raw, reason):
    assert reason in (not_mail_reason(raw) or "")

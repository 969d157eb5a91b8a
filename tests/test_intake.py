import hashlib
import os
import shutil
import stat

from register.models import Document, InboundMessage, MessageStatus
from tests.mailtools import (
    deliver,
    folder_count,
    inbox_count,
    notifications,
    simple_email,
    with_attachment,
)
from watcher.intake import Intake


def run_pass(app):
    mailbox = app.open_mailbox()
    try:
        return app.daemon(mailbox).run_pass()
    finally:
        mailbox.close()


def test_mail_is_archived_recorded_and_moved(app):
    maildir = app.config.mailbox.path
    raws = notifications(4)
    deliver(maildir, *raws)
    report = run_pass(app)
    assert report.taken == 4 and not report.errors
    assert inbox_count(maildir) == 0
    assert folder_count(maildir, "Processed") == 4
    rows = list(InboundMessage.select().order_by(InboundMessage.id))
    assert [r.sha256 for r in rows] == [hashlib.sha256(r).hexdigest() for r in raws]
    for row in rows:
        assert row.status == MessageStatus.APPLIED
        assert row.sender.endswith(".example.sch.uk")
        assert row.message_id.startswith("synthetic-")
        assert app.archive.verify(row.archive_path)
        parts = list(row.documents.order_by(Document.position))
        assert [p.part.split(":")[0] for p in parts] == ["body", "attachment"]
        attachment = parts[1]
        assert attachment.sniffed_type in (
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        assert attachment.stored and attachment.size > 1000


def test_received_time_is_the_mailbox_delivery_time(app):
    maildir = app.config.mailbox.path
    (key,) = deliver(maildir, simple_email(1))
    file = next((maildir / "new").glob(f"{key}*"))
    os.utime(file, (1_770_000_000, 1_770_000_000))
    run_pass(app)
    row = InboundMessage.get()
    assert row.received_at.timestamp() == 1_770_000_000
    assert row.taken_at == app.clock.now()


def test_replay_adds_no_row(app):
    maildir = app.config.mailbox.path
    deliver(maildir, *notifications(3))
    run_pass(app)
    for path in (maildir / ".Processed" / "cur").iterdir():
        shutil.copy(path, maildir / "new" / f"replayed-{path.name.split(':')[0]}")
    report = run_pass(app)
    assert report.taken == 0 and report.duplicates == 3
    assert InboundMessage.select().count() == 3
    assert inbox_count(maildir) == 0


def test_same_message_id_with_other_bytes_is_recorded_once(app):
    maildir = app.config.mailbox.path
    deliver(maildir, simple_email(1), simple_email(1, body="Resent with a new footer."))
    report = run_pass(app)
    assert (report.taken, report.duplicates) == (1, 1)


def test_empty_message_is_quarantined_with_reason(app):
    maildir = app.config.mailbox.path
    deliver(maildir, b"", simple_email(2))
    report = run_pass(app)
    assert report.taken == 2
    empty = InboundMessage.get(InboundMessage.size == 0)
    assert empty.status == MessageStatus.QUARANTINED
    assert "empty" in empty.error
    assert folder_count(maildir, "Quarantine") == 1
    assert app.archive.verify(empty.archive_path)


def test_malformed_mime_is_taken_with_warnings(app):
    maildir = app.config.mailbox.path
    broken = (
        b"From: head@school.example.sch.uk\r\nSubject: broken\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"--XYZ\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64!!!\r\n"
        b"--XYZ\r\nContent-Type: text/plain\r\n\r\nno closing boundary"
    )
    deliver(maildir, broken, b"\x00\xff\xfe garbage \x00 without headers", simple_email(3))
    report = run_pass(app)
    assert report.taken == 3 and not report.errors
    row = InboundMessage.get(InboundMessage.subject == "broken")
    assert row.status == MessageStatus.APPLIED
    assert row.warnings  # the missing end boundary is recorded
    assert inbox_count(maildir) == 0


def test_oversized_part_is_not_stored_but_mail_is_kept(app):
    maildir = app.config.mailbox.path
    big = os.urandom(25 * 1024 * 1024)
    deliver(
        maildir,
        with_attachment(1, "scan.pdf", b"%PDF-1.4\n" + big, "application/pdf"),
        simple_email(2),
    )
    report = run_pass(app)
    assert report.taken == 2
    row = InboundMessage.get(InboundMessage.subject == "Form 1")
    attachment = row.documents.where(Document.part == "attachment:scan.pdf").get()
    assert not attachment.stored
    assert "25.0 MB, over the 20.0 MB part limit" in attachment.warning
    assert app.archive.verify(row.archive_path)


def test_oversized_message_is_kept_raw_and_quarantined(app, tmp_path):
    from dataclasses import replace

    intake = Intake(
        app.archive, replace(app.config.limits, max_message_bytes=1000), app.clock, "maildir"
    )
    maildir = app.config.mailbox.path
    deliver(maildir, with_attachment(1, "form.docx", b"x" * 5000, "application/octet-stream"))
    mailbox = app.open_mailbox()
    (taken,) = intake.take(list(mailbox.fetch_new()))
    mailbox.close()
    row = InboundMessage.get_by_id(taken.message_id)
    assert row.status == MessageStatus.QUARANTINED
    assert "over the 1,000 bytes limit" in row.error
    assert row.documents.count() == 0
    assert app.archive.verify(row.archive_path)


def test_attached_email_is_one_document(app):
    inner = simple_email(9)
    outer = with_attachment(1, "original.eml", inner, "message/rfc822")
    deliver(app.config.mailbox.path, outer)
    run_pass(app)
    row = InboundMessage.get()
    parts = [d.part for d in row.documents.order_by(Document.position)]
    assert parts == ["body", "attachment:original.eml"]


def test_archive_is_private(app):
    deliver(app.config.mailbox.path, simple_email(1))
    run_pass(app)
    assert stat.S_IMODE(os.stat(app.archive.root).st_mode) == 0o700
    row = InboundMessage.get()
    assert stat.S_IMODE(os.stat(app.archive.path(row.archive_path)).st_mode) == 0o600


def test_retry_reads_the_archive_again_under_new_limits(app):
    from dataclasses import replace

    maildir = app.config.mailbox.path
    deliver(maildir, with_attachment(1, "scan.pdf", b"%PDF-1.4\n" + b"0" * 3000, "application/pdf"))
    small = Intake(
        app.archive, replace(app.config.limits, max_part_bytes=1000), app.clock, "maildir"
    )
    mailbox = app.open_mailbox()
    (taken,) = small.take(list(mailbox.fetch_new()))
    mailbox.close()
    row = InboundMessage.get_by_id(taken.message_id)
    assert not row.documents.where(Document.part == "attachment:scan.pdf").get().stored
    row = app.intake.reopen(row)
    assert row.attempts == 1
    assert row.documents.where(Document.part == "attachment:scan.pdf").get().stored

"""The mailbox contract (watcher/mailbox.py), run over every backend.

Each backend runs against a real server where one exists (Dovecot for IMAP,
aiosmtpd for SMTP) and a local fake answering the documented responses
otherwise (EWS, Graph), always through the real client library.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest

from cme.app import build_app
from cme.config import load_config
from register.db import db
from register.models import InboundMessage
from tests.backends import HARNESSES
from tests.conftest import run_cme
from tests.crash_before_ack import DIED
from tests.fixtures.builders import DOCX_TYPE
from tests.mailservers import dovecot, smtp  # noqa: F401 (fixtures)
from tests.mailtools import notifications, simple_email, with_attachment
from watcher.mailbox import Attachment, OutboundMail


@pytest.fixture(params=sorted(HARNESSES))
def harness(request, tmp_path, smtp, monkeypatch):  # noqa: F811
    harness = HARNESSES[request.param](request, tmp_path, smtp)
    for name, value in harness.env.items():
        monkeypatch.setenv(name, value)
    yield harness
    harness.close()


def open_site(harness, clock, extra: str = ""):
    return build_app(load_config(harness.config(extra)), clock)


@pytest.fixture
def site(harness, clock):
    app = open_site(harness, clock)
    yield app
    app.close()
    db.initialize(None)


def one_pass(app):
    mailbox = app.open_mailbox()
    try:
        return app.daemon(mailbox).run_pass()
    finally:
        mailbox.close()


def ledger(folder) -> list[tuple[int, str, str]]:
    with sqlite3.connect(folder / "var/register.db") as conn:
        query = "SELECT id, uid, message_id FROM inbound_message ORDER BY id"
        return conn.execute(query).fetchall()


def test_fetch_records_and_files_each_mail(harness, site):
    harness.deliver(*(simple_email(i) for i in range(3)))
    report = one_pass(site)
    assert (report.taken, report.errors) == (3, [])
    assert (harness.inbox(), harness.filed("Processed")) == (0, 3)
    rows = list(InboundMessage.select().order_by(InboundMessage.id))
    assert sorted(r.message_id for r in rows) == [f"simple-{i}@school.example.sch.uk"
                                                  for i in range(3)]
    for row in rows:
        assert row.mailbox == harness.name and row.uid
        assert row.received_at.tzinfo is not None
        raw = site.archive.read(row.archive_path)
        assert hashlib.sha256(raw).hexdigest() == row.sha256 and b"Pupil notification" in raw


def test_dedupe_across_reconnects(harness, site):
    harness.deliver(simple_email(1))
    assert one_pass(site).taken == 1
    harness.drop_connections()
    harness.deliver(simple_email(1), simple_email(2))  # delivered again, and a new one
    report = one_pass(site)  # a new mailbox: a new connection
    assert (report.taken, report.duplicates, report.errors) == (1, 1, [])
    assert (harness.inbox(), harness.filed("Processed")) == (0, 3)
    assert InboundMessage.select().count() == 2


@pytest.mark.slow
def test_crash_between_commit_and_acknowledge_leaves_mail_to_be_moved(harness):
    config = harness.config()
    harness.deliver(simple_email(1), simple_email(2))
    died = subprocess.run([sys.executable, "-m", "tests.crash_before_ack", str(config)],
                          capture_output=True, text=True, timeout=300, cwd=config.parent,
                          env=_env(harness))
    assert died.returncode == DIED, died.stderr
    committed = ledger(config.parent)
    assert len(committed) == 2
    assert harness.inbox() == 2  # committed, never acknowledged: still in the inbox

    result = run_cme(config, "watch", "--once", env=harness.env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("taken in 0,")  # seen again: only moved
    assert ledger(config.parent) == committed
    assert (harness.inbox(), harness.filed("Processed")) == (0, 2)


def test_unreadable_mail_is_quarantined(harness, clock):
    app = open_site(harness, clock, "\n[limits]\nmax_message_bytes = 4000\n")
    try:
        harness.deliver(with_attachment(1, "scan.pdf", b"%PDF-1.4\n" + b"0" * 8000,
                                        "application/pdf"), simple_email(2))
        report = one_pass(app)
    finally:
        app.close()
        db.initialize(None)
    assert report.taken == 2
    assert (harness.inbox(), harness.filed("Quarantine"), harness.filed("Processed")) == (0, 1, 1)


def test_send_keeps_message_id_and_attachments(harness, site):
    letter = b"PK\x03\x04 a letter as DOCX"
    outbound = OutboundMail(("cme-team@county.example.gov.uk",), "[CME-2026-00001] letter",
                            "Letter for review.", (Attachment("letter.docx", DOCX_TYPE, letter),),
                            "cme-team@county.example.gov.uk", "<letter-1@cme.example>")
    mailbox = site.open_mailbox()
    try:
        mailbox.send(outbound)
        (mail,) = harness.sent(1)
        if harness.name != "maildir":  # the Maildir's was_sent comes with the outbox (#9)
            assert mailbox.was_sent("<letter-1@cme.example>")
            assert not mailbox.was_sent("<never-sent@cme.example>")
    finally:
        mailbox.close()
    assert mail["Message-ID"] == "<letter-1@cme.example>"
    assert mail["Subject"] == "[CME-2026-00001] letter"
    (part,) = list(mail.iter_attachments())
    assert part.get_filename() == "letter.docx" and part.get_content() == letter


def test_letters_arrive_with_their_docx(harness, site):
    (raw,) = notifications(1)
    school = raw.split(b"From: ", 1)[1].split(b"\n", 1)[0].rpartition(b"@")[2].strip(b"> \r")
    # As the LA's mail server marks a school's mail it checked (issue 9: trusted, not held).
    harness.deliver(b"Authentication-Results: mx.county.example.gov.uk; dmarc=pass "
                    b"header.from=" + school + b"\n" + raw)
    report = one_pass(site)
    assert report.letters >= 1, report.summary()
    mails = harness.sent(report.letters)
    letters = [mail for mail in mails if mail["Subject"].startswith("[CME-")]
    assert letters, [mail["Subject"] for mail in mails]
    for mail in letters:
        (docx,) = [part for part in mail.iter_attachments()
                   if part.get_filename().endswith(".docx")]
        assert docx.get_content_type() == DOCX_TYPE and docx.get_content().startswith(b"PK")
        assert mail["Message-ID"].startswith("<letter-")


def test_reconnects_after_the_server_drops(harness, site):
    mailbox = site.open_mailbox()
    daemon = site.daemon(mailbox)
    try:
        harness.deliver(simple_email(1))
        assert daemon.run_pass().taken == 1
        harness.drop_connections()
        harness.deliver(simple_email(2))
        report = daemon.run_pass()  # the same mailbox object, its session gone
        assert (report.taken, report.errors, report.stalled) == (1, [], None)
    finally:
        mailbox.close()
    assert harness.filed("Processed") == 2


def _env(harness) -> dict[str, str]:
    import os

    return {**os.environ, **harness.env}

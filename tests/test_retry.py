"""Transient failures are retried with capped backoff, permanent ones wait for a
person; errors are classified in one place; ``cme intake retry`` says when it fails."""

from __future__ import annotations

import errno
import logging
import sqlite3
from datetime import timedelta

import peewee
import pytest
from playhouse.migrations import Runner

from register.db import MIGRATIONS_DIR, migrate_to_latest, open_database
from register.models import InboundMessage, MessageStatus
from tests.conftest import run_cme, write_config
from tests.mailtools import deliver, simple_email
from watcher.backoff import Backoff, Episode
from watcher.faults import Fault, classify, explain
from watcher.processing import Processor

# -- classification ---------------------------------------------------------


def wrapped(outer: type[Exception], inner: BaseException) -> Exception:
    try:
        raise inner
    except BaseException as exc:
        try:
            raise outer("wrapped") from exc
        except Exception as result:
            return result


@pytest.mark.parametrize(("error", "fault"), [
    (OSError(errno.ENOSPC, "No space left on device"), Fault.STORAGE),
    (OSError(errno.EROFS, "Read-only file system"), Fault.STORAGE),
    (PermissionError(errno.EACCES, "Permission denied"), Fault.STORAGE),
    (OSError(errno.EIO, "Input/output error"), Fault.STORAGE),
    (wrapped(RuntimeError, OSError(errno.ENOSPC, "full")), Fault.STORAGE),
    (peewee.OperationalError("database is locked"), Fault.REGISTER),
    (wrapped(peewee.OperationalError, sqlite3.OperationalError("database is locked")),
     Fault.REGISTER),
    (peewee.InterfaceError("connection already closed"), Fault.REGISTER),
    (peewee.OperationalError("no such table: inbound_message"), Fault.PERMANENT),
    (FileNotFoundError(errno.ENOENT, "No such file or directory"), Fault.PERMANENT),
    (ValueError("template exploded"), Fault.PERMANENT),
    (KeyError("child_surname"), Fault.PERMANENT),
], ids=lambda v: v.name if isinstance(v, Fault) else type(v).__name__)
def test_errors_are_classified_in_one_place(error, fault):
    assert classify(error) is fault


def test_the_reason_names_the_fault_and_the_folder_never_the_file():
    full = OSError(errno.ENOSPC, "No space left on device", "/srv/cme/var/outbox/letters/x.docx")
    assert explain(full) == "disk full (ENOSPC) at /srv/cme/var/outbox/letters"
    locked = peewee.OperationalError("database is locked")
    assert explain(locked) == "register unavailable (database is locked)"


def test_backoff_doubles_up_to_its_cap():
    backoff = Backoff(first_seconds=5, max_seconds=60)
    assert [backoff.delay(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert backoff.delay(10_000) == 60


def test_an_episode_is_one_line_at_each_end(clock, caplog):
    caplog.set_level(logging.DEBUG, logger="watcher.daemon")
    episode = Episode(clock, Backoff(1, 4))
    delays = [episode.failed("register unavailable (database is locked)") for _ in range(5)]
    clock.advance(timedelta(seconds=30))
    episode.succeeded()
    episode.succeeded()
    assert delays == [1, 2, 4, 4, 4]
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert lines == [
        "waiting: register unavailable (database is locked); retrying with backoff "
        "(at most every 4s)",
        "recovered after 30s and 5 attempts: register unavailable (database is locked)",
    ]


# -- the processor ----------------------------------------------------------


class FlakyStage:
    """Fails with ``error`` the first ``times`` calls, then moves the message on."""

    def __init__(self, error: Exception, times: int = 1) -> None:
        self.error, self.times = error, times

    def __call__(self, message):
        if self.times:
            self.times -= 1
            raise self.error
        message.status = MessageStatus.PARSED


def taken(app, count: int) -> None:
    deliver(app.config.mailbox.path, *(simple_email(n) for n in range(1, count + 1)))
    mailbox = app.open_mailbox()
    try:
        app.intake.take(list(mailbox.fetch_new()))
    finally:
        mailbox.close()


def test_a_transient_failure_is_retried_when_due_and_stops_the_run(app, clock):
    taken(app, 3)
    stage = FlakyStage(OSError(errno.ENOSPC, "No space left on device"))
    processor = Processor({MessageStatus.RECEIVED: stage}, clock, Backoff(10, 100))
    tally = processor.process_pending()
    assert (tally.processed, tally.retrying, tally.stalled) == (1, 1, "disk full (ENOSPC)")
    first = InboundMessage.get_by_id(1)
    assert first.status == MessageStatus.FAILED and first.retry_from == MessageStatus.RECEIVED
    assert first.next_attempt_at == clock.now() + timedelta(seconds=10)
    assert processor.pending() == [2, 3]  # not due yet
    assert processor.next_retry() == first.next_attempt_at
    clock.advance(timedelta(seconds=10))
    assert processor.pending() == [1, 2, 3]
    tally = processor.process_pending()
    assert tally.outcomes == {MessageStatus.PARSED: 3} and tally.stalled is None
    first = InboundMessage.get_by_id(1)
    assert (first.error, first.retry_from, first.next_attempt_at, first.attempts) == (
        None, None, None, 1)


def test_the_next_attempt_backs_off_further(app, clock):
    taken(app, 1)
    processor = Processor({MessageStatus.RECEIVED: FlakyStage(OSError(errno.EROFS, "ro"), 3)},
                          clock, Backoff(10, 25))
    waits = []
    for _ in range(3):
        processor.process_pending()
        row = InboundMessage.get_by_id(1)
        waits.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.at = row.next_attempt_at
    assert waits == [10, 20, 25]
    processor.process_pending()
    assert InboundMessage.get_by_id(1).status == MessageStatus.PARSED


def test_a_permanent_failure_waits_for_a_person(app, clock):
    taken(app, 2)
    processor = Processor({MessageStatus.RECEIVED: FlakyStage(ValueError("template"))}, clock)
    tally = processor.process_pending()
    assert tally.outcomes == {MessageStatus.FAILED: 1, MessageStatus.PARSED: 1}
    assert tally.stalled is None and tally.retrying == 0
    failed = InboundMessage.get_by_id(1)
    assert (failed.retry_from, failed.next_attempt_at) == (None, None)
    clock.advance(timedelta(days=30))
    assert processor.pending() == [] and processor.next_retry() is None


def test_a_locked_register_leaves_the_row_as_it_was(app, clock):
    taken(app, 1)
    processor = Processor(
        {MessageStatus.RECEIVED: FlakyStage(peewee.OperationalError("database is locked"))},
        clock)
    with pytest.raises(peewee.OperationalError):
        processor.process_pending()
    row = InboundMessage.get_by_id(1)
    assert (row.status, row.attempts, row.error) == (MessageStatus.RECEIVED, 0, None)


# -- the migration ----------------------------------------------------------


def test_rows_failed_by_a_full_disk_before_the_migration_are_retried(tmp_path):
    database = open_database(f"sqlite:///{tmp_path}/register.db")
    Runner(database, str(MIGRATIONS_DIR)).up(target="0002_case_details_and_contacts")
    now = "2026-02-09T10:00:00.000000+00:00"
    columns = ("mailbox, uid, sha256, size, archive_path, received_at, taken_at, updated_at, "
               "status, error, attempts")
    for n, (status, error) in enumerate([
        ("failed", "parsed: OSError: [Errno 28] No space left on device: '/srv/outbox/x'"),
        ("failed", "received: OperationalError: database is locked"),
        ("failed", "parsed: LetterError: acknowledgement_school: no template"),
        ("applied", None),
    ]):
        database.execute_sql(
            f"INSERT INTO inbound_message ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            ("maildir", f"u{n}", f"sha{n}", 1, "raw/x", now, now, now, status, error, 1))
    migrate_to_latest(database)
    rows = database.execute_sql(
        "SELECT retry_from, next_attempt_at FROM inbound_message ORDER BY id").fetchall()
    assert rows == [("parsed", now), ("received", now), (None, None), (None, None)]
    database.close()


# -- cme intake retry -------------------------------------------------------


def test_intake_retry_exits_1_with_one_line_when_it_fails_again(tmp_path):
    # The sample school is under the LA's own domain here: its letters are not held.
    config = write_config(tmp_path, '\n[parsing]\ntemplates = "templates"\n\n'
                          '[team]\nemail = "cme-team@example.sch.uk"\n')
    broken = tmp_path / "templates/letters/acknowledgement_school.docx"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not a Word document")
    from cme.resources import SAMPLES

    deliver(tmp_path / "var/mailbox", (SAMPLES / "cme-school-docx-two-column-01.eml").read_bytes())
    once = run_cme(config, "watch", "--once")
    assert once.returncode == 0, once.stderr
    # A broken letter fails alone, after the commit: the message is applied and
    # its other letter mailed; the log says which letter and why.
    assert "applied 1," in once.stdout and "failed 0," in once.stdout
    assert "letter 1 (acknowledgement_school, case CME-2026-" in once.stderr

    retried = run_cme(config, "intake", "retry", "1")
    assert retried.returncode == 1
    assert retried.stderr.count("\n") == 1
    assert retried.stderr.startswith("cme: message 1: letter 1 failed: "
                                     "acknowledgement_school.docx is not a readable Word")
    assert "Traceback" not in retried.stderr

    broken.unlink()  # the administrator fixes the template
    fixed = run_cme(config, "intake", "retry", "1")
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.splitlines() == ["message 1: applied",
                                         "letter 1 (acknowledgement_school): sent",
                                         "letter 2 (esw_enquiry_request): sent"]


def test_intake_retry_of_a_mail_gone_from_the_archive_is_one_line(config_path):
    deliver(config_path.parent / "var/mailbox", simple_email(1))
    assert run_cme(config_path, "watch", "--once").returncode == 0
    for path in (config_path.parent / "var/archive/raw").rglob("*"):
        if path.is_file():
            path.unlink()
    result = run_cme(config_path, "intake", "retry", "1")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("cme: message 1: cannot read its mail from the archive")


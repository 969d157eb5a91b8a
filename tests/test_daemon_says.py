"""The daemon says what it is doing, and never whom it is about."""

from __future__ import annotations

import json
import logging
import os
import pty
import subprocess
from datetime import datetime
from io import StringIO

import pytest

from cme.app import public_url
from cme.logs import JsonLines
from cme.progress import TerminalProgress
from register.models import Child, InboundMessage
from tests.conftest import CME, run_cme
from tests.mailtools import deliver, simple_email
from tests.office import Office

MON_9_FEB = datetime(2026, 2, 9, 9, 30)


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path)
    yield office
    office.close()


def personal_words() -> set[str]:
    """Every child's names, and every subject and sender's local part, in the register."""
    words = set()
    for child in Child.select():
        words |= {w for w in f"{child.forenames} {child.surname}".split() if len(w) > 2}
    for message in InboundMessage.select():
        if message.subject and len(message.subject) > 12:
            words.add(message.subject)
        if message.sender:
            words.add(message.sender.split("@")[0] + "@")
    return words


def test_the_pass_summary_counts_what_happened_and_names_nobody(office, caplog):
    caplog.set_level(logging.DEBUG, logger="watcher")
    caplog.set_level(logging.DEBUG, logger="workflows")
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.deliver("cme-school-docx-bad-upn-01", MON_9_FEB)
    office.deliver(b"", MON_9_FEB)
    report = office.run(datetime(2026, 2, 9, 10, 0))
    summary = report.summary()
    # both notifications to review: unknown senders (their letters held), one a bad UPN too
    assert summary == (
        "taken in 3, applied 2, to review 2, failed 0, letters 4, deadlines fired 0, "
        "next deadline 2026-02-13 00:00"
    )
    logged = [r for r in caplog.records if r.getMessage() == f"pass: {summary}"]
    assert len(logged) == 1 and logged[0].summary["applied"] == 2
    names = personal_words()
    assert "Milo" in names and "Thistlewood" in names  # the fixture's child
    text = "\n".join(r.getMessage() for r in caplog.records)
    for word in names:
        assert word not in summary and word not in text, word


def test_a_deadline_fired_later_is_counted(office):
    office.deliver("cme-school-docx-two-column-01", MON_9_FEB)
    office.run(datetime(2026, 2, 9, 10, 0))
    report = office.run(datetime(2026, 2, 13, 8, 0))
    assert report.summary().startswith("taken in 0, applied 0, to review 0, failed 0, ")
    assert report.fired == 1 and "deadlines fired 1" in report.summary()


def test_the_start_line_says_where_and_how_much(office, caplog):
    caplog.set_level(logging.INFO, logger="watcher.daemon")
    deliver(office.maildir, simple_email(1), simple_email(2))
    office.run(MON_9_FEB)
    start = caplog.records[0].getMessage()
    assert start == (f"watching mailbox maildir {office.maildir}; register "
                     f"{office.app.config.register.url}; 2 mails waiting, 0 messages to finish")


def test_the_register_url_is_logged_without_its_password():
    assert public_url("postgresql://cme:s3cret@db.example:5432/cme") == \
        "postgresql://cme@db.example:5432/cme"
    assert public_url("sqlite:////srv/cme/var/register.db") == "sqlite:////srv/cme/var/register.db"


class Recorder:
    """A progress display that remembers what it was told."""

    def __init__(self):
        self.calls = []

    def start(self, total):
        self.calls.append(("start", total))

    def advance(self, count):
        self.calls.append(("advance", count))

    def finish(self):
        self.calls.append(("finish",))


def test_a_backlog_past_20_shows_progress_and_a_small_one_does_not(app):
    maildir = app.config.mailbox.path
    for count, expected in ((5, []), (30, [("start", 30), ("advance", 25), ("advance", 5)])):
        deliver(maildir, *(simple_email(100 * count + n) for n in range(count)))
        recorder = Recorder()
        mailbox = app.open_mailbox()
        try:
            app.daemon(mailbox, progress=recorder).run_pass()
        finally:
            mailbox.close()
        assert recorder.calls == [*expected, ("finish",)] if expected else recorder.calls == []


def test_the_terminal_progress_bar_draws():
    from rich.console import Console

    out = StringIO()
    bar = TerminalProgress(Console(file=out, force_terminal=True, width=80))
    bar.start(40)
    bar.advance(25)
    bar.advance(15)
    bar.finish()
    assert "taking in mail" in out.getvalue()


def test_json_lines_carry_the_extras():
    record = logging.makeLogRecord({"name": "watcher.daemon", "levelno": logging.INFO,
                                    "levelname": "INFO", "msg": "message %d taken in",
                                    "args": (7,), "row_id": 7, "created": 1770627600.0})
    entry = json.loads(JsonLines().format(record))
    assert entry == {"time": "2026-02-09T09:00:00.000+00:00", "level": "INFO",
                     "logger": "watcher.daemon", "message": "message 7 taken in", "row_id": 7}


def test_watch_once_in_json_names_nobody(config_path):
    site = config_path.parent
    assert run_cme(config_path, "seed-samples").returncode == 0
    result = run_cme(config_path, "-vv", "watch", "--once", "--log-format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("taken in ") and result.stdout.count("\n") == 1
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    summary = next(e for e in entries if e["message"].startswith("pass: "))
    assert summary["summary"]["taken"] > 50 and summary["summary"]["failed"] == 0
    assert summary["message"] == f"pass: {result.stdout.strip()}"
    from cme.config import load_config
    from register.db import bind, db

    database = bind(load_config(config_path).register.url)
    try:
        words = personal_words()
    finally:
        database.close()
        db.initialize(None)
    assert len(words) > 50
    leaked = sorted(w for w in words if w in result.stderr or w in result.stdout)
    assert not leaked, leaked
    assert str(site) in entries[0]["message"]


def test_in_a_terminal_the_backlog_has_a_progress_bar(config_path):
    deliver(config_path.parent / "var/mailbox", *(simple_email(n) for n in range(25)))
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*CME, "--config", str(config_path), "watch", "--once"],
                            stdout=subprocess.PIPE, stderr=follower, cwd=config_path.parent)
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert out.decode().startswith("taken in 25, applied 25")
    assert b"taking in mail" in drawn

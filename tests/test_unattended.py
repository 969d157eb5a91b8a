"""The daemon runs unattended: it waits out a locked register and a full or
read-only disk, and retries what failed for those reasons by itself.

The disks are real: a small tmpfs mounted for the test (the tests run as root,
where a read-only folder stops nothing), filled up or remounted read-only.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from register.models import InboundMessage, Letter, MessageStatus
from register.states import LetterState
from tests.conftest import write_config
from tests.mailtools import deliver, folder_count, inbox_count, simple_email
from tests.office import Office
from tests.watchproc import WatchProcess

MON_9_FEB = datetime(2026, 2, 9, 9, 30)
NOTIFICATIONS = ("cme-school-docx-two-column-01", "cme-school-docx-header-row-01",
                 "cme-school-pdf-inline-01")


def mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Write until the disk is full; the file to delete to free it again."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as stream, pytest.raises(OSError) as full:
        while True:
            stream.write(b"\0" * 65536)
    assert full.value.errno == errno.ENOSPC
    return filler


@pytest.fixture
def small_disk(tmp_path):
    """var/outbox and var/archive, each its own 4 MB disk."""
    mounted = []
    for name in ("outbox", "archive"):
        folder = tmp_path / "var" / name
        mount_tmpfs(folder, "4m")
        mounted.append(folder)
    yield tmp_path
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def office(small_disk):
    # The samples come from schools under example.sch.uk: the LA's own domain here,
    # so their letters are mailed, not held for an unknown sender.
    office = Office(small_disk, '\n[team]\nemail = "cme-team@example.sch.uk"\n')
    yield office
    office.close()


def test_a_full_outbox_is_waited_out_and_every_letter_mailed_once(office, caplog):
    caplog.set_level(logging.INFO, logger="watcher")
    for name in NOTIFICATIONS:
        office.deliver(name, MON_9_FEB)
    outbox = office.app.config.outbox.path
    filler = fill(outbox)
    office.clock.at = office.clock.at.replace(hour=10)
    mailbox = office.app.open_mailbox()
    daemon = office.app.daemon(mailbox)
    try:
        stalled = daemon.run(once=True)
        # The letters are decided in the message's transaction and rendered after
        # it: the message is applied, its letters wait, pending, for the disk.
        assert stalled.taken == 3 and stalled.applied == 1 and stalled.failed == 0
        assert stalled.stalled.startswith("disk full (ENOSPC)")
        assert InboundMessage.select().where(
            InboundMessage.status == MessageStatus.FAILED).count() == 0
        waiting = Letter.select().where(Letter.state == LetterState.PENDING).count()
        assert waiting >= 1 and Letter.select().count() == waiting

        filler.unlink()  # the disk is freed; nobody retries anything by hand
        office.clock.advance(timedelta(seconds=5))
        recovered = daemon.run(once=True)
    finally:
        mailbox.close()
    assert recovered.stalled is None and recovered.failed == 0
    assert recovered.applied == 2 and recovered.letters >= 2
    statuses = {m.id: m.status for m in InboundMessage.select()}
    assert set(statuses.values()) == {MessageStatus.APPLIED}
    assert {letter.state for letter in Letter.select()} == {LetterState.SENT}
    sent = sorted(p.name for p in (outbox / "mail").glob("letter-*.eml"))
    assert sent == sorted(f"{letter.message_id[1:-1]}.eml" for letter in Letter.select())
    assert not list(outbox.rglob(".*"))  # no temporary file
    episode = [r.getMessage() for r in caplog.records
               if r.getMessage().startswith(("waiting:", "recovered after"))]
    assert len(episode) == 2, episode  # one line when it starts, one when it ends
    assert episode[0].startswith("waiting: disk full (ENOSPC)")


def test_a_read_only_archive_leaves_the_mail_in_the_inbox_until_it_is_writable(office):
    maildir = office.maildir
    deliver(maildir, simple_email(1), simple_email(2))
    remount(office.app.config.archive.path, "ro")
    stalled = office.run(MON_9_FEB)
    assert stalled.stalled.startswith("read-only file system (EROFS)")
    assert stalled.taken == 0 and stalled.left_in_inbox == 0
    assert inbox_count(maildir) == 2 and InboundMessage.select().count() == 0
    remount(office.app.config.archive.path, "rw")
    recovered = office.run(MON_9_FEB)
    assert recovered.stalled is None and recovered.taken == 2 and recovered.applied == 2
    assert inbox_count(maildir) == 0 and folder_count(maildir, "Processed") == 2


LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))  # the lock's duration, which is what is under test
conn.rollback()
print("released", flush=True)
"""


def totals(lines: list[str]) -> tuple[int, int]:
    """(taken in, applied) summed over the pass summaries logged so far."""
    taken = applied = 0
    for line in lines:
        found = re.search(r"pass: taken in (\d+), applied (\d+)", line)
        if found:
            taken, applied = taken + int(found[1]), applied + int(found[2])
    return taken, applied


def test_a_register_locked_for_30_seconds_is_waited_out(tmp_path):
    config = write_config(tmp_path, "\n[retry]\nfirst_seconds = 0.25\nmax_seconds = 1\n")
    maildir = tmp_path / "var/mailbox"
    raws = [simple_email(n) for n in range(1, 7)]
    daemon = WatchProcess(config)
    try:
        daemon.wait_for("watching mailbox")
        holder = subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(tmp_path / "var/register.db"), "30"],
            stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline() == "locked\n"
        deliver(maildir, *raws[:3])
        daemon.wait_for("waiting: register unavailable (database is locked)")
        deliver(maildir, *raws[3:])  # more mail while it waits
        assert holder.stdout.readline() == "released\n"  # after the 30 s
        assert holder.wait(timeout=60) == 0
        daemon.wait_for("recovered after")
        while totals(daemon.seen) < (6, 6):
            daemon.wait_for("pass: taken in")
        assert daemon.proc.poll() is None  # it never stopped
    finally:
        code = daemon.stop()
    assert code == 0, "".join(daemon.seen[-15:])
    assert totals(daemon.seen) == (6, 6)
    assert sum("waiting: register" in line for line in daemon.seen) == 1
    with sqlite3.connect(tmp_path / "var/register.db") as conn:
        rows = conn.execute("SELECT sha256, status FROM inbound_message").fetchall()
    assert sorted(sha for sha, _ in rows) == sorted(hashlib.sha256(r).hexdigest() for r in raws)
    assert {status for _, status in rows} == {"applied"}
    assert inbox_count(maildir) == 0 and folder_count(maildir, "Processed") == 6

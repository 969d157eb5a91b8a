"""SIGKILL at random points while taking in 300 messages loses and doubles nothing."""

import hashlib
import random
import sqlite3
import subprocess

import pytest

from tests.conftest import CME, write_config
from tests.mailtools import deliver, folder_count, inbox_count, notifications, simple_email

pytestmark = pytest.mark.slow

MESSAGES = 300


def kill_after(config, lines: int) -> None:
    """Start the daemon and SIGKILL it once it has logged ``lines`` debug lines."""
    proc = subprocess.Popen(
        [*CME, "--config", str(config), "-vv", "watch", "--once"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=config.parent,
    )
    for seen, _line in enumerate(proc.stderr, start=1):
        if seen >= lines:
            break
    proc.kill()
    proc.stderr.close()
    proc.wait(timeout=60)


def test_sigkill_at_random_points_loses_nothing(tmp_path):
    config = write_config(tmp_path, "\n[limits]\nmax_part_bytes = 20000000\n")
    config.write_text(
        config.read_text().replace('path = "var/mailbox"', 'path = "var/mailbox"\nbatch_size = 7')
    )
    maildir = tmp_path / "var/mailbox"
    raws = notifications(MESSAGES // 3) + [
        simple_email(i, body=f"Pupil {i} not seen since Monday.") for i in range(MESSAGES // 3 * 2)
    ]
    raws += [simple_email(10_000 + i) for i in range(MESSAGES - len(raws))]
    deliver(maildir, *raws)
    expected = {hashlib.sha256(r).hexdigest() for r in raws}
    assert len(expected) == MESSAGES

    rng = random.Random(20261129)
    kills = 0
    while inbox_count(maildir) and kills < 12:
        kill_after(config, rng.randint(2, 150))
        kills += 1
    assert kills >= 5, "the daemon should have been killed mid-run several times"
    finished = subprocess.run(
        [*CME, "--config", str(config), "watch", "--once"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr

    assert inbox_count(maildir) == 0
    assert folder_count(maildir, "Processed") == MESSAGES
    with sqlite3.connect(tmp_path / "var/register.db") as conn:
        rows = conn.execute("SELECT sha256, archive_path FROM inbound_message").fetchall()
    assert len(rows) == MESSAGES
    assert {sha for sha, _ in rows} == expected
    archive = tmp_path / "var/archive"
    for sha, rel in rows:
        assert hashlib.sha256((archive / rel).read_bytes()).hexdigest() == sha
    for path in archive.rglob("*"):
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path

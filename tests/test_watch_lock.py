"""One daemon per SQLite register; none of that on PostgreSQL."""

import time
from datetime import datetime

import pytest

from cme.clock import as_london
from cme.watch_lock import AlreadyRunning, acquire, lock_path
from tests.conftest import run_cme
from tests.mailtools import deliver, inbox_count, simple_email
from tests.watchproc import WatchProcess

STARTED = as_london(datetime(2026, 2, 9, 10, 0))


def test_a_second_daemon_exits_at_once_naming_the_first(config_path):
    first = WatchProcess(config_path)
    try:
        first.wait_for("watching mailbox")
        began = time.monotonic()
        second = run_cme(config_path, "watch")
        took = time.monotonic() - began
        assert second.returncode == 1
        assert second.stderr.count("\n") == 1, second.stderr
        assert second.stderr.startswith("cme: another cme watch is running on this register")
        assert f"pid {first.pid}," in second.stderr and ", started 20" in second.stderr
        assert "cme-watch.lock" in second.stderr
        assert took < 15  # it never opened the register, let alone waited for it
        once = run_cme(config_path, "watch", "--once")
        assert once.returncode == 1 and f"pid {first.pid}," in once.stderr
        assert first.proc.poll() is None  # the first is untouched
    finally:
        assert first.stop() == 0


def test_a_killed_daemon_leaves_no_stale_lock(config_path):
    first = WatchProcess(config_path)
    first.wait_for("watching mailbox")
    first.kill()
    deliver(config_path.parent / "var/mailbox", simple_email(1))
    after = run_cme(config_path, "watch", "--once")
    assert after.returncode == 0, after.stderr
    assert inbox_count(config_path.parent / "var/mailbox") == 0


def test_the_lock_sits_beside_an_sqlite_register_only(tmp_path):
    assert lock_path(f"sqlite:///{tmp_path}/var/register.db") == tmp_path / "var/cme-watch.lock"
    assert lock_path("sqlite:///:memory:") is None
    assert lock_path("postgresql://cme@db.example/cme") is None


def test_the_lock_names_its_holder(tmp_path):
    path = tmp_path / "var/cme-watch.lock"
    held = acquire(path, STARTED)
    try:
        with pytest.raises(AlreadyRunning) as refused:
            acquire(path, STARTED)
        assert refused.value.holder["started"] == "2026-02-09T10:00:00+00:00"
        assert "started 2026-02-09T10:00:00+00:00" in str(refused.value)
    finally:
        held.release()
    acquire(path, STARTED).release()  # free again once released

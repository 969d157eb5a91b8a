"""Latency from a mail landing in the mailbox to its ledger row, over IMAP.

    .venv/bin/python bench/latency.py [--messages 200] [--mode idle|poll|both]

A real Dovecot on loopback (as the tests start it) and a real ``cme watch``
daemon on the imap backend. The bench APPENDs each message to the INBOX at
random intervals (mean ``--gap`` seconds, so arrivals fall at every point of
a poll interval) and records the wall-clock time of each APPEND; the latency
is the ledger row's ``taken_at`` (written in the same transaction as the row)
minus that time. Run with IDLE (``idle = true``, the default) and with
polling at the default interval (``idle = false``, ``poll_seconds`` left at
its default of 30). Target: p95 under 2 s with IDLE.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.dovecot import PASSWORD, DovecotServer
from tests.fixtures.builders import Email

CONFIG = """\
[mailbox]
backend = "imap"
host = "127.0.0.1"
port = {port}
security = "none"
username = "{user}"
password_env = "CME_BENCH_IMAP_PASSWORD"
idle = {idle}

[register]
url = "sqlite:///var/register.db"

[letters]
pdf = false
"""


def mail(serial: int) -> bytes:
    return Email(sender=f"head{serial}@school{serial % 9}.example.sch.uk",
                 subject=f"Attendance query {serial}",
                 body="Could you confirm the pupil's current school, please?",
                 message_id=f"latency-{serial}@school.example.sch.uk").to_bytes()


def run(server: DovecotServer, folder: Path, *, idle: bool, count: int, gap: float,
        seed: int) -> list[float]:
    user = server.add_user()
    config = folder / "config.toml"
    config.write_text(CONFIG.format(port=server.port, user=user, idle=str(idle).lower()))
    env = {**os.environ, "CME_BENCH_IMAP_PASSWORD": PASSWORD}
    env.pop("CME_CONFIG", None)
    daemon = subprocess.Popen([sys.executable, "-m", "cme", "--config", str(config), "-v",
                               "watch"], cwd=folder, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        for line in daemon.stderr:  # the start line: the daemon is watching
            if "watching mailbox" in line:
                break
        # Keep reading its log, or the daemon blocks once the pipe is full.
        threading.Thread(target=daemon.stderr.read, daemon=True).start()
        client = server.client(user)
        rng = random.Random(seed)
        appended: dict[str, float] = {}
        for serial in range(count):
            time.sleep(rng.expovariate(1 / gap))  # the arrival process, not synchronisation
            appended[f"latency-{serial}@school.example.sch.uk"] = time.time()
            client.append("INBOX", mail(serial))
        client.logout()
        taken = wait_for_rows(folder / "var/register.db", count, timeout=120 + 60 * (not idle))
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    return [taken[mid] - at for mid, at in appended.items()]


def wait_for_rows(db: Path, count: int, timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT message_id, taken_at FROM inbound_message").fetchall()
        if len(rows) >= count:
            return {mid: datetime.fromisoformat(at).timestamp() for mid, at in rows}
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(rows)} of {count} mails reached the ledger")
        time.sleep(0.5)  # polling the bench's own result, not the system under test


def report(name: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    print(f"{name:8} n={len(ordered)}  p50 {p50:6.2f} s  p95 {p95:6.2f} s  "
          f"max {ordered[-1]:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.3, help="mean seconds between APPENDs")
    parser.add_argument("--mode", choices=("idle", "poll", "both"), default="both")
    args = parser.parse_args()
    server = DovecotServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for mode in ("idle", "poll"):
                if args.mode not in (mode, "both"):
                    continue
                folder = Path(tmp) / mode
                folder.mkdir()
                latencies = run(server, folder, idle=mode == "idle", count=args.messages,
                                gap=args.gap, seed=2026)
                report("IDLE" if mode == "idle" else "poll 30s", latencies)
    finally:
        server.stop()


if __name__ == "__main__":
    main()

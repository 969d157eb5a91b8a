"""SIGKILL at random points while notifications flow with letters on: every letter
row is mailed exactly once, no mail is without its row, and no temporary file is
left (tests/test_crash.py does the same for the intake ledger alone).

The daemon is started, killed after a random number of its ``-vv`` log lines
(anywhere: taking mail in, parsing, applying, rendering, between sending a
letter and marking it sent), and started again until the inbox is empty and no
letter is pending; one clean pass then finishes. The deterministic version of
the send-then-die window is in tests/test_sender.py.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.conftest import CME, write_config
from tests.mailtools import deliver, folder_count, inbox_count, notifications, simple_email

# The synthetic schools are under the LA's own domain here: letters are mailed, not held.
CONFIG = '\n[team]\nemail = "cme-team@example.sch.uk"\n'
OPENING = ("acknowledgement_school", "esw_enquiry_request")


# The sender's debug line between handing a mail over and marking its row sent.
HANDED = "handed to the mailbox as"


def start_and_kill(config: Path, env: dict[str, str], *, lines: int = 0,
                   handed: int = 0) -> None:
    """Start the daemon and SIGKILL it once it has logged ``lines`` lines, or right
    after it has handed its ``handed``-th mail over (before it can mark it sent)."""
    proc = subprocess.Popen([*CME, "--config", str(config), "-vv", "watch", "--once"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=config.parent, env=env)
    sent = 0
    for seen, line in enumerate(proc.stderr, start=1):
        sent += HANDED in line
        if (lines and seen >= lines) or (handed and sent >= handed):
            break
    proc.kill()
    proc.stderr.close()
    proc.wait(timeout=60)


def unfinished(maildir: Path, register: Path) -> bool:
    if inbox_count(maildir):
        return True
    if not register.exists():
        return True
    with sqlite3.connect(register) as conn:
        waiting = conn.execute("SELECT count(*) FROM inbound_message WHERE status NOT IN "
                               "('applied', 'failed', 'quarantined')").fetchone()[0]
        pending = conn.execute("SELECT count(*) FROM letter WHERE state = 'pending'").fetchone()[0]
    return bool(waiting or pending)


def message_ids(folder: Path) -> Counter[str]:
    """How many mails in the sent folder carry each Message-ID."""
    found: Counter[str] = Counter()
    for path in folder.iterdir():
        if path.suffix == ".eml":
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            found[str(mail["Message-ID"])] += 1
    return found


def leftovers(var: Path, tmp: Path) -> list[str]:
    """Temporary files anywhere cme writes (the Maildir++ folders are not temporary)."""
    found = [str(p) for p in tmp.rglob("*")]
    for path in var.rglob("*"):
        inside_folder = any(part in (".Processed", ".Quarantine") for part in path.parts)
        hidden = path.name.startswith(".") and path.name not in (".Processed", ".Quarantine")
        if (hidden and not inside_folder) or path.name.endswith(".tmp"):
            found.append(str(path))
    found += [str(p) for p in (var / "mailbox/tmp").iterdir()]
    return found


def run_with_kills(tmp_path: Path, messages: int, kills: int, seed: int) -> None:
    config = write_config(tmp_path, CONFIG)
    config.write_text(config.read_text().replace('path = "var/mailbox"',
                                                 'path = "var/mailbox"\nbatch_size = 5'))
    var = tmp_path / "var"
    maildir, register = var / "mailbox", var / "register.db"
    raws = notifications(messages - messages // 10, seed=seed)
    raws += [simple_email(20_000 + i) for i in range(messages // 10)]  # no letters for these
    deliver(maildir, *raws)
    # A private temporary folder: whatever cme (or LibreOffice) leaves there shows.
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "CME_NOW": "2026-02-09T10:00"}
    rng = random.Random(seed)
    killed = 0
    while unfinished(maildir, register) and killed < kills:
        # Half the kills anywhere, half in the window between sending and marking.
        if killed % 2:
            start_and_kill(config, env, handed=rng.randint(1, 2 * messages // kills))
        else:
            start_and_kill(config, env, lines=rng.randint(3, 12 * messages // kills))
        killed += 1
    assert killed >= min(kills, 5), "the daemon should have been killed mid-run several times"
    finished = subprocess.run([*CME, "--config", str(config), "watch", "--once"],
                              capture_output=True, text=True, cwd=tmp_path, env=env,
                              timeout=900)
    assert finished.returncode == 0, finished.stderr[-3000:]

    assert inbox_count(maildir) == 0 and folder_count(maildir, "Processed") == messages
    with sqlite3.connect(register) as conn:
        statuses = Counter(s for (s,) in conn.execute("SELECT status FROM inbound_message"))
        letters = conn.execute("SELECT id, case_id, template, state, message_id FROM letter"
                               ).fetchall()
        digests = [m for (m,) in conn.execute("SELECT message_id FROM daily_digest")]
        cases = conn.execute("SELECT count(*) FROM \"case\"").fetchone()[0]
    assert statuses == {"applied": messages}
    assert cases >= messages // 2 and len(letters) >= 2 * cases
    assert Counter(state for *_, state, _ in letters) == {"sent": len(letters)}
    # No message applied twice: each case has its opening letters once.
    per_case = Counter((case_id, template) for _, case_id, template, _, _ in letters)
    assert all(per_case[(case_id, t)] == 1 for case_id in {c for _, c, *_ in letters}
               for t in OPENING)
    sent = message_ids(var / "outbox/mail")
    rows = {message_id for *_, message_id in letters} | set(digests)
    assert set(sent) == rows  # every row mailed, and no mail without its row
    assert {m: n for m, n in sent.items() if n != 1} == {}  # none twice
    with sqlite3.connect(register) as conn:
        recovered = conn.execute("SELECT count(*) FROM event WHERE kind = 'letter_mailed' AND "
                                 "detail LIKE '%\"recovered\": true%'").fetchone()[0]
    assert recovered >= 1  # some kills did land between sending and marking
    assert leftovers(var, tmp) == []


def test_sigkill_while_letters_are_written_mails_each_exactly_once(tmp_path):
    run_with_kills(tmp_path, messages=30, kills=6, seed=9)


@pytest.mark.slow
def test_sigkill_at_random_points_while_200_messages_flow(tmp_path):
    run_with_kills(tmp_path, messages=200, kills=15, seed=20261201)

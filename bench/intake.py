"""Intake throughput from a Maildir, as a ratio to a bare read-copy-fsync loop.

    .venv/bin/python bench/intake.py [--messages 2000]

Both loops run in this process on the same machine, one after the other, on the
same files, so the ratio holds on a noisy shared machine where seconds do not.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import emails
from cme.app import build_app
from cme.clock import SystemClock
from cme.config import load_config
from register.db import db
from watcher.daemon import Daemon
from watcher.maildir import ensure_maildir
from watcher.processing import Processor


def bare_loop(source: Path, target: Path) -> float:
    """Read each mail, write a copy, fsync it: the least any safe intake must do."""
    target.mkdir(parents=True)
    start = time.perf_counter()
    for path in sorted(source.iterdir()):
        data = path.read_bytes()
        fd = os.open(target / path.name, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
    return time.perf_counter() - start


def intake_loop(folder: Path) -> tuple[float, int]:
    config_path = folder / "config.toml"
    config_path.write_text(
        '[mailbox]\npath = "mailbox"\n[register]\nurl = "sqlite:///r.db"\n'
        '[archive]\npath = "archive"\n'
            )
    app = build_app(load_config(config_path), SystemClock())
    mailbox = app.open_mailbox()
    # Intake alone: no processing stages, so parsing is not in the figure.
    daemon = Daemon(mailbox, app.intake, Processor({}, app.clock))
    start = time.perf_counter()
    report = daemon.run_pass()
    elapsed = time.perf_counter() - start
    mailbox.close()
    app.database.close()
    db.initialize(None)
    return elapsed, report.taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = emails(args.messages)
    size = sum(len(r) for r in corpus) / 1e6
    print(f"corpus: {args.messages} messages, {size:.1f} MB; {args.rounds} rounds, alternating")
    ratios = []
    for round_no in range(1, args.rounds + 1):
        bare, took = one_round(corpus, round_no)
        ratios.append(took / bare)
        print(
            f"round {round_no}: bare {args.messages / bare:6.0f} msg/s, "
            f"intake {args.messages / took:6.0f} msg/s, ratio {took / bare:.2f}x"
        )
    print(f"median ratio intake/bare: {statistics.median(ratios):.2f}x  (target <= 3x)")


def one_round(corpus: list[bytes], round_no: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent.parent) as tmp:
        root = Path(tmp)
        maildir = root / "run/mailbox"
        inbox = ensure_maildir(maildir)
        for raw in corpus:
            inbox.add(raw)
        pristine = root / "pristine"
        shutil.copytree(maildir / "new", pristine)
        # Alternate which loop goes first, so neither always gets the warmer cache.
        if round_no % 2:
            bare = bare_loop(pristine, root / "bare-copy")
            took, taken = intake_loop(root / "run")
        else:
            took, taken = intake_loop(root / "run")
            bare = bare_loop(pristine, root / "bare-copy")
    if taken != len(corpus):
        raise SystemExit(f"took in {taken} of {len(corpus)}")
    return bare, took


if __name__ == "__main__":
    main()

"""Deadlines at scale: 100,000 open deadlines in the register.

    .venv/bin/python bench/deadlines.py [--deadlines 100000]

Reports, each as a ratio to a baseline measured in the same run (the same
"earliest open deadline" question answered by a full table scan, no index):
the sweep that finds and fires what is due, the next wake-up computation and
the daemon's start-up; then the query plans, to show the indexes are used.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cme.app import build_app
from cme.clock import FixedClock
from cme.config import load_config
from register.db import db
from register.models import Case, Child, Deadline
from workflows.clocks import start_of
from workflows.deadlines import fire_due, next_due

NOW = datetime(2026, 3, 2, 8, 0)


def populate(count: int, due_now: int) -> None:
    rng = random.Random(2026)
    at = datetime(2026, 2, 9, 10, 0).astimezone()
    with db.atomic():
        child = Child.create(surname="Benchmark", forenames="Synthetic", created_at=at)
        cases = [{"reference": f"CME-2026-{n:05d}", "kind": "cme_notification",
                  "status": "open", "state": "open", "child": child.id,
                  "opened": date(2026, 2, 9)} for n in range(1, count // 5 + 1)]
        for start in range(0, len(cases), 500):
            Case.insert_many(cases[start:start + 500]).execute()
        case_ids = [c.id for c in Case.select(Case.id)]
        rows = []
        for n in range(count):
            due = date(2026, 3, 3) + timedelta(days=rng.randint(0, 400))
            if n < due_now:
                due = date(2026, 2, 20) + timedelta(days=rng.randint(0, 9))
            rows.append({"case": case_ids[n % len(case_ids)], "purpose": "tac_escalation",
                         "due": due, "due_at": start_of(due), "state": "open",
                         "created_at": at})
        for start in range(0, len(rows), 500):
            Deadline.insert_many(rows[start:start + 500]).execute()


def timed(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def plans(database) -> list[str]:
    now = start_of(NOW.date())
    queries = {
        "sweep (due now)": Deadline.select(Deadline.id).where(
            (Deadline.state == "open") & (Deadline.due_at <= now)).order_by(Deadline.due_at),
        "next wake-up": Deadline.select(Deadline.due_at).where(Deadline.state == "open")
        .order_by(Deadline.due_at).limit(1),
        "case's open deadlines": Deadline.select().where(
            (Deadline.case == 1) & (Deadline.purpose == "esw_chase")
            & (Deadline.state == "open")),
    }
    out = []
    for name, query in queries.items():
        sql, params = query.sql()
        rows = database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        out.append(f"  {name}: " + " | ".join(str(r[-1]) for r in rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=200, help="how many are due at the sweep")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=REPO) as tmp:
        folder = Path(tmp)
        config = folder / "config.toml"
        config.write_text(
                                    '[letters]\npdf = false\n')
        clock = FixedClock(NOW)
        app = build_app(load_config(config), clock)
        populate(args.deadlines, args.due)
        database = app.database
        # The baseline reads every row (what the sweep would cost without its
        # index): the unary + stops SQLite from using an index for the filter.
        baseline = timed(lambda: database.execute_sql(
            "SELECT min(due_at) FROM deadline WHERE +state = 'open'").fetchone())
        wake = timed(next_due)
        fired: list[int] = []
        sweep = timed(lambda: fired.append(fire_due(clock.now(), lambda d, now: None)), repeat=1)
        idle_sweep = timed(lambda: fire_due(clock.now(), lambda d, now: None))
        app.close()
        db.initialize(None)
        started = time.perf_counter()
        again = build_app(load_config(config), clock)
        mailbox = again.open_mailbox()
        again.daemon(mailbox).run(once=True)
        startup = time.perf_counter() - started
        mailbox.close()
        print(f"register: {args.deadlines:,} open deadlines, {args.due} due at the sweep")
        print(f"baseline: full scan for the earliest: {baseline * 1000:8.2f} ms")
        print(f"next wake-up (earliest open)       : {wake * 1000:8.2f} ms "
              f"({wake / baseline:.3f}x baseline)")
        print(f"sweep firing {fired[0]:>4} due deadlines     : {sweep * 1000:8.2f} ms "
              f"({sweep / baseline:.2f}x baseline)")
        print(f"sweep with nothing due            : {idle_sweep * 1000:8.2f} ms "
              f"({idle_sweep / baseline:.3f}x baseline)")
        print(f"daemon start-up + one pass        : {startup * 1000:8.2f} ms "
              f"({startup / baseline:.1f}x baseline)")
        print("query plans:")
        for line in plans(again.database):
            print(line)
        again.close()
        db.initialize(None)


if __name__ == "__main__":
    main()

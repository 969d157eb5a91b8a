"""How fast the read commands answer, on a register of 1,000 cases.

Each command's wall time (median of several runs, run as a person would:
``.venv/bin/cme ...`` in a fresh process) is reported as a ratio to
``python -c pass`` measured in the same run, because these machines are shared
and noisy; the absolute figure is printed beside it. Also reported: the import
time of ``cme.cli``, from ``python -X importtime``.

    .venv/bin/python bench/cli.py [--cases 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CME = str(Path(sys.executable).with_name("cme"))
COMMANDS = (
    ["--help"],
    ["cases", "--json"],
    ["cases"],
    ["cases", "--overdue", "--json"],
    ["case", "CME-2026-00500", "--json"],
    ["deadlines", "--json"],
    ["review", "--json"],
    ["letters", "--json"],
    ["intake", "list", "--json"],
)


def populate(config: Path, cases: int) -> None:
    """A register with ``cases`` cases, each with a child, deadlines, events and letters."""
    from cme.config import load_config
    from register.db import bind, db
    from register.models import Case, Child, Deadline, Event, Letter, ReviewItem

    database = bind(load_config(config).register.url)
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with db.atomic():
        for n in range(1, cases + 1):
            child = Child.create(surname=f"Surname{n}", forenames=f"Forename{n}",
                                 dob=date(2012, 1, 1) + timedelta(days=n), created_at=now)
            case = Case.create(reference=f"CME-2026-{n:05d}", kind="cme_notification",
                               child=child, opened=date(2026, 1, 5) + timedelta(days=n % 50),
                               details={"school_name": f"School {n % 40}"})
            for k, purpose in enumerate(("esw_chase", "esw_escalation", "absence_alert")):
                due = date(2026, 2, 1) + timedelta(days=(n + 7 * k) % 90)
                Deadline.create(case=case, purpose=purpose, due=due,
                                due_at=datetime(due.year, due.month, due.day, 8, tzinfo=UTC),
                                state="open" if k else "fired", created_at=now)
            for kind in ("case_opened", "letter_written", "deadline_set"):
                Event.create(case=case, kind=kind, at=now, detail={"n": n})
            for stem in ("acknowledgement_school", "esw_enquiry_request"):
                Letter.create(case=case, template=stem, recipients=["cme-team@localhost"],
                              path=f"letters/{case.reference}/{stem}.docx", created_at=now)
            if n % 10 == 0:
                ReviewItem.create(case=case, reason="check the date of birth", created_at=now)
    database.close()


def wall(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_time(env: dict[str, str]) -> float:
    """Seconds ``import cme.cli`` takes, by the interpreter's own account."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import cme.cli"],
                         env=env, capture_output=True, text=True, check=True).stderr
    total = [int(m.group(1)) for m in re.finditer(r"\|\s+(\d+) \| cme\.cli$", out, re.M)]
    return total[-1] / 1e6


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--cases", type=int, default=1000)
    options.add_argument("--runs", type=int, default=7)
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        config = site / "config.toml"
        config.write_text('[mailbox]\nbackend = "maildir"\npath = "var/mailbox"\n'
                          '[register]\nurl = "sqlite:///var/register.db"\n'
                          '[archive]\npath = "var/archive"\n[outbox]\npath = "var/outbox"\n')
        populate(config, args.cases)
        env = {**os.environ, "CME_CONFIG": str(config), "CME_NOW": "2026-03-02T09:00"}
        print(f"register: {args.cases} cases; median of {args.runs} runs each")
        baseline = wall([sys.executable, "-c", "pass"], env, args.runs)
        print(f"{'python -c pass':32} {baseline * 1000:7.0f} ms   1.0x (baseline)")
        for command in COMMANDS:
            seconds = wall([CME, *command], env, args.runs)
            print(f"{'cme ' + ' '.join(command):32} {seconds * 1000:7.0f} ms "
                  f"{seconds / baseline:5.1f}x")
        print(f"import cme.cli: {import_time(env) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

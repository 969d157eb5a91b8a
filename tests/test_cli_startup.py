"""The read commands answer at once: they never load the heavy libraries.

Speed itself is measured in bench/cli.py (a ratio to ``python -c pass``); this
test pins what makes it fast, which does not depend on the machine's load.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from cme.config import load_config
from register.db import bind, db
from register.models import Case, Child, Deadline
from tests.conftest import write_config

HEAVY = ("spacy", "pdfplumber", "pypdf", "docxtpl", "docx", "extract_msg", "rich",
         "apscheduler", "psycopg", "rapidfuzz", "icalendar", "holidays")

READ_COMMANDS = (
    ["--help"],
    ["cases"],
    ["cases", "--json"],
    ["cases", "--overdue"],
    ["deadlines"],
    ["deadlines", "--overdue"],
    ["review"],
    ["letters"],
    ["intake", "list"],
)

PROBE = """
import sys
sys.argv = ["cme", *sys.argv[1:]]
from cme.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in {heavy!r} if sys.modules.get(m) is not None)
print("LOADED=" + "+".join(heavy) + " EXIT=" + str(code), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    config = write_config(folder)
    database = bind(load_config(config).register.url)
    now = datetime(2026, 2, 9, 9, tzinfo=UTC)
    child = Child.create(surname="Example", forenames="Sam", dob=date(2015, 4, 3), created_at=now)
    case = Case.create(reference="CME-2026-00001", kind="cme_notification", child=child,
                       opened=date(2026, 2, 9))
    Deadline.create(case=case, purpose="esw_chase", due=date(2026, 2, 23), created_at=now,
                    due_at=datetime(2026, 2, 23, 8, tzinfo=UTC))
    database.close()
    db.initialize(None)
    return config


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_read_commands_load_no_heavy_library(site, command):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), "--config", str(site), *command],
        capture_output=True, text=True, cwd=site.parent, timeout=60,
    )
    loaded, code = probe_result(result.stderr)
    # Overdue work is counted in school days: the calendar brings the bank holidays.
    allowed = {"holidays"} if "--overdue" in command else set()
    assert set(filter(None, loaded.split("+"))) <= allowed, \
        f"cme {' '.join(command)} loaded {loaded}"
    assert code in ("0", "None"), result.stderr
    assert result.stdout.strip(), "the command printed nothing"


def test_showing_a_case_loads_no_parser(site):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY[:6]), "--config", str(site),
         "case", "CME-2026-00001"],
        capture_output=True, text=True, cwd=site.parent, timeout=60,
    )
    assert "CME-2026-00001" in result.stdout
    assert probe_result(result.stderr) == ("", "0"), result.stderr


def probe_result(stderr: str) -> tuple[str, str]:
    found = re.search(r"^LOADED=(\S*) EXIT=(\S+)$", stderr, re.M)
    assert found, stderr
    return found.group(1), found.group(2)

"""The case-work commands and their JSON, after a real ``cme watch --once``."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cme
from tests.office import Office

NOW = {"CME_NOW": "2026-02-09T10:00"}
# The sample schools are trusted: their letters are not held (tests/test_trust.py).
TRUSTED = '[senders]\ntrusted_domains = ["example.sch.uk"]\n'


@pytest.fixture
def config(tmp_path):
    office = Office(tmp_path, TRUSTED)  # creates the Maildir and the register
    office.deliver("cme-school-docx-tick-columns-01", office.clock.at.replace(hour=9))
    office.deliver("cme-school-docx-bad-upn-01", office.clock.at.replace(hour=9, minute=5))
    office.close()
    result = run_cme(office.config_path, "watch", "--once", env=NOW)
    assert result.returncode == 0, result.stderr
    return office.config_path


def test_cases_json(config):
    cases = json.loads(run_cme(config, "cases", "--json", env=NOW).stdout)
    assert len(cases) == 2 and all(c["reference"].startswith("CME-2026-") for c in cases)
    first = cases[0]
    assert set(first) == {"reference", "kind", "status", "opened", "closed", "child", "school",
                          "linked_cases", "next_deadline"}
    assert first["status"] == "open" and first["closed"] is None
    assert set(first["child"]) == {"id", "forenames", "surname", "dob"}
    # a child on a CP plan: the ESW chase runs 2 school days
    assert first["next_deadline"] == {"purpose": "esw_chase", "due": "2026-02-11"}
    overdue = json.loads(run_cme(config, "cases", "--overdue", "--json",
                                 env={"CME_NOW": "2026-03-20T09:00"}).stdout)
    assert len(overdue) == 2


def test_case_show_and_close(config):
    reference = json.loads(run_cme(config, "cases", "--json", env=NOW).stdout)[0]["reference"]
    shown = json.loads(run_cme(config, "case", reference.lower(), "--json", env=NOW).stdout)
    assert shown["reference"] == reference
    assert shown["timeline"][0]["kind"] == "case_opened"
    closed = run_cme(config, "case", reference, "close", "--reason", "child located",
                     env={"CME_NOW": "2026-02-10T11:00"})
    assert closed.returncode == 0, closed.stderr
    after = json.loads(run_cme(config, "case", reference, "--json", env=NOW).stdout)
    assert after["status"] == "closed" and after["closed"] == "2026-02-10"
    assert all(d["state"] != "open" for d in after["deadlines"])
    assert run_cme(config, "case", "CME-2099-00001", env=NOW).stderr.strip() == \
        "cme: no case CME-2099-00001"


def test_deadlines_letters_and_review_json(config):
    deadlines = json.loads(run_cme(config, "deadlines", "--json", env=NOW).stdout)
    assert deadlines and set(deadlines[0]) == {"id", "case", "purpose", "due", "state"}
    before = json.loads(run_cme(config, "deadlines", "--due-before", "2026-02-12",
                                "--json", env=NOW).stdout)
    assert all(d["due"] < "2026-02-12" for d in before)
    letters = json.loads(run_cme(config, "letters", "--json", env=NOW).stdout)
    assert {"keyworker_notification", "esw_enquiry_request"} <= {x["template"] for x in letters}
    assert set(letters[0]) == {"id", "case", "template", "recipients", "created", "path",
                               "state", "error"}
    assert letters[0]["created"].endswith("+00:00")
    review = json.loads(run_cme(config, "review", "--json", env=NOW).stdout)
    upn = next(r for r in review if "child_upn" in r["reason"])
    assert set(upn) == {"id", "case", "message", "reason", "action", "created", "resolved",
                        "resolution", "notes"}
    # The item holds the letters that print the UPN: a note alone would leave them held.
    noted = run_cme(config, "review", "resolve", str(upn["id"]), "--note", "UPN checked",
                    env=NOW)
    assert noted.returncode == 1 and "--accept" in noted.stderr
    done = run_cme(config, "review", "resolve", str(upn["id"]), "--accept", "--note",
                   "UPN checked with the school", env=NOW)
    assert done.returncode == 0, done.stderr
    remaining = json.loads(run_cme(config, "review", "--json", env=NOW).stdout)
    assert upn["id"] not in [r["id"] for r in remaining]


def test_letters_are_mailed_to_the_team_for_review(config):
    sent = [p.read_text(errors="replace")
            for p in sorted((config.parent / "var/outbox/mail").glob("*.eml"))]
    # the outbox also holds the daily digest: find the letters among the mail
    letters = [text for text in sent if "Letter for review" in text]
    assert letters and all("To: cme-team@localhost" in text for text in letters)

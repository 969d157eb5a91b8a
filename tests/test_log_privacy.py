"""No personal data in the logs, at any level: the whole sample set at ``-vv``.

Every sample (the shipped ones and the fresh batches) goes through one
``cme -vv watch --once`` with letters written and mailed; the log (stderr) is
then searched for every name, date of birth (in every way a date is written)
and address that the samples' expected.json files hold, and for every sender
address and subject. None may appear.
"""

from __future__ import annotations

import json
import re
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from cme.resources import SAMPLES
from tests.conftest import REPO, run_cme, write_config
from tests.mailtools import deliver

FRESH = REPO / "tests/fixtures/fresh"
NAME_FIELDS = ("child_forenames", "child_surname", "parent_name", "referrer_name",
               "social_worker")
TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx", "and", "the"}
# Words of a name that are ordinary words in a log line too.
COMMON = {"Head", "Teacher", "Officer", "School", "Team", "Service", "Primary"}


def samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.eml")) + sorted(FRESH.rglob("*.eml"))


def expected_fields(eml: Path) -> dict:
    answer = eml.with_name(eml.name[: -len(".eml")] + ".expected.json")
    return json.loads(answer.read_text(encoding="utf-8")).get("fields", {}) if answer.exists() \
        else {}


def date_forms(iso: str) -> set[str]:
    """A date of birth as the fixtures and letters write dates."""
    day = date.fromisoformat(iso)
    d, m, y = day.day, day.month, day.year
    month, mon = f"{day:%B}", f"{day:%b}"
    return {iso, f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d:02d}-{m:02d}-{y}",
            f"{d:02d}.{m:02d}.{y}", f"{d} {month} {y}", f"{d:02d} {month} {y}",
            f"{d} {mon} {y}", f"{month} {d}, {y}", f"{d:02d}/{m:02d}/{y % 100:02d}",
            f"{y}{m:02d}{d:02d}"}


def personal_values(emls: list[Path]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"name": set(), "date of birth": set(), "address": set(),
                                  "sender address": set(), "subject": set()}
    for eml in emls:
        fields = expected_fields(eml)
        for key in NAME_FIELDS:
            value = fields.get(key)
            if not isinstance(value, str):
                continue
            found["name"].add(value)
            found["name"].update(word for word in re.split(r"[\s,]+", value)
                                 if len(word) >= 3 and word.lower().strip(".") not in TITLES
                                 and word not in COMMON)
        if isinstance(fields.get("child_dob"), str):
            found["date of birth"].update(date_forms(fields["child_dob"]))
        for key in ("child_address", "child_postcode"):
            if isinstance(fields.get(key), str):
                found["address"].add(fields[key])
                found["address"].add(fields[key].split(",")[0])  # the first line alone
        for key in ("referrer_email", "parent_email"):
            if isinstance(fields.get(key), str):
                found["sender address"].add(fields[key])
        mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
        if mail["From"] and mail["From"].addresses:
            found["sender address"].add(mail["From"].addresses[0].addr_spec)
        subject = str(mail["Subject"] or "").strip()
        if len(subject) >= 12:  # a short subject ("Re: CME") is not telling, and matches words
            found["subject"].add(subject)
    return found


def leaks(log: str, values: dict[str, set[str]]) -> list[str]:
    out = []
    for kind, texts in values.items():
        for text in sorted(texts):
            if re.search(rf"(?<![\w@.-]){re.escape(text)}(?![\w@-])", log):
                out.append(f"{kind}: {text!r}")
    return out


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> tuple[str, list[Path], Path]:
    folder = tmp_path_factory.mktemp("privacy")
    # Letters on, and most not held: the samples' schools and agencies are trusted
    # (the parents' own addresses cannot be, so their cases' letters wait, held).
    config = write_config(folder, '\n[team]\nemail = "cme-team@example.gov.uk"\n\n'
                          '[senders]\ntrusted_domains = ["example.sch.uk", "example.nhs.uk", '
                          '"example.org.uk"]\n')
    emls = samples()
    deliver(folder / "var/mailbox", *(eml.read_bytes() for eml in emls))
    done = run_cme(config, "-vv", "watch", "--once", env={"CME_NOW": "2026-03-02T10:00"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr, emls, folder


def test_the_run_logged_at_debug_level_and_did_the_work(logged):
    log, emls, folder = logged
    assert len(emls) >= 130
    assert " DEBUG " in log and "acknowledged as" in log  # -vv really was on
    assert len(re.findall(r"letter \d+ \(\w+, case CME-\d{4}-\S+\) mailed", log)) >= 100
    assert list((folder / "var/outbox/mail").glob("letter-*.eml"))
    assert re.search(r"message \d+ taken in \(uid \S+, from [a-z0-9.-]+\.example", log)


def test_no_name_date_of_birth_address_sender_or_subject_in_the_log(logged):
    log, emls, _ = logged
    values = personal_values(emls)
    assert len(values["name"]) > 200 and len(values["date of birth"]) > 500
    assert leaks(log, values) == []


def test_peewee_stays_silent_at_debug(logged):
    log, _, _ = logged
    assert " peewee:" not in log and "SELECT" not in log and "INSERT" not in log

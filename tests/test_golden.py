"""Golden files: every sample email read against its NAME.expected.json.

Regenerate the samples with ``python -m tests.fixtures.make_golden --force`` and
review the diff. Look-alikes that are not notifications are samples too: the
test fails if anything claims them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from cme.resources import SAMPLES, SHIPPED_TEMPLATES
from parsers.message import MessageResult, Parser

EMAILS = sorted(SAMPLES.glob("*.eml"))


@cache
def parser() -> Parser:
    return Parser.from_folder(SHIPPED_TEMPLATES)


@cache
def parsed(path: Path) -> MessageResult:
    return parser().parse_file(path)


def expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def wrong_fields(path: Path) -> list[str]:
    want, got = expected(path)["fields"], parsed(path).fields
    return [name for name in sorted(set(want) | set(got)) if want.get(name) != got.get(name)]


def test_there_are_enough_samples():
    assert len(EMAILS) >= 60
    kinds = {expected(p)["kind"] for p in EMAILS}
    assert kinds == {
        "cme_notification",
        "ehe_notification",
        "agency_referral",
        "new_pupil_no_info",
        "case_update",
        "other",
    }


@pytest.mark.parametrize("path", EMAILS, ids=[p.stem for p in EMAILS])
def test_sample(path: Path):
    result = parsed(path)
    want = expected(path)
    assert result.kind == want["kind"]
    # A value may be wrong only if it is put in front of a person.
    unflagged = [f for f in wrong_fields(path) if f not in result.needs_review]
    assert unflagged == [], {f: (result.fields.get(f), want["fields"].get(f)) for f in unflagged}
    assert set(want.get("needs_review", [])) <= set(result.needs_review)
    if want["kind"] == "other":
        assert result.fields == {}


def test_field_accuracy_is_at_least_98_percent():
    total = sum(len(set(expected(p)["fields"]) | set(parsed(p).fields)) for p in EMAILS)
    wrong = sum(len(wrong_fields(p)) for p in EMAILS)
    assert total > 800
    assert (total - wrong) / total >= 0.98, f"{wrong} of {total} fields wrong"

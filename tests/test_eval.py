"""``cme eval`` scores a labelled folder by the field corpus's rules."""

from __future__ import annotations

import json

import pytest

from parsers.evaluate import Sample, Score, same_value, score_one
from tests.conftest import run_cme, write_config
from tests.fixtures.builders import Email


def sample(expected: dict) -> Sample:
    return Sample("s1.eml", None, expected)  # type: ignore[arg-type]


def test_right_wrong_flagged_and_unexpected_fields_are_counted_apart():
    result = Score()
    expected = {"kind": "cme_notification",
                "fields": {"child_surname": "Hughes", "child_dob": "2014-04-03",
                           "child_upn": "A123456789012", "parent_phone": "07700 900123"},
                "optional": {"referrer_email": "a@b.example"}, "accept": {}}
    reading = {"kind": "cme_notification",
               "fields": {"child_surname": "HUGHES", "child_dob": "2014-03-04",
                          "child_upn": "A12345678901X", "parent_phone": "+447700900123",
                          "referrer_email": "other@b.example", "sen": True},
               "needs_review": ["child_upn"]}
    score_one(sample(expected), reading, result)
    ratios = result.ratios()
    assert ratios["kind"] == 1
    assert ratios["fields"] == 2 / 4  # surname (case folded) and phone (+44 read as 0)
    # the DOB, the optional email with another value and the unexpected flag;
    # the wrong UPN is flagged for review, so it is not confident
    assert ratios["confident_wrong"] == 3 / 4


@pytest.mark.parametrize(("name", "want", "got", "same"), [
    ("child_forenames", "Jo", "Mrs Jo", True),
    ("referrer_name", "Dr. Ann Lee", "ann lee", True),
    ("child_address", "1 High St,Town", "1 High St, Town.", True),
    ("school_name", "St Mary’s", "St Mary's", True),
    ("child_postcode", "OX1 1AA", "ox1 1aa", False),
    ("child_upn", "a123 456789012", "A123456789012", True),
    ("reason", "Family moved abroad to Spain in January", "family moved abroad to spain", False),
    ("reason", "Family moved abroad to Spain in January", "the family moved abroad to Spain "
     "in January, school says", True),
    ("cp_plan", True, "true", False),
])
def test_comparison_follows_the_corpus_rules(name, want, got, same):
    assert same_value(name, want, got) is same


def test_cme_eval_prints_tables_and_scores_and_a_baseline_difference(tmp_path):
    folder = tmp_path / "labelled"
    folder.mkdir()
    mail = Email(sender="office@school.example.sch.uk", subject="Child missing education", body=(
        "Child surname: Hughes\nChild forename: Sam\nDate of birth: 03/04/2014\n"))
    (folder / "a.eml").write_bytes(mail.to_bytes())
    (folder / "a.expected.json").write_text(json.dumps(
        {"kind": "cme_notification", "fields": {"child_surname": "Hughes",
                                                "child_forenames": "Sam",
                                                "child_dob": "2014-04-03"}}))
    config = write_config(tmp_path)
    first = run_cme(config, "eval", str(folder), "--json")
    assert first.returncode == 0, first.stderr
    scores = json.loads(first.stdout)["folders"][str(folder)]
    assert scores["messages"] == 1 and scores["expected_fields"] == 3
    baseline = tmp_path / "before.json"
    baseline.write_text(first.stdout)
    again = run_cme(config, "eval", str(folder), "--baseline", str(baseline))
    assert again.returncode == 0, again.stderr
    last = again.stdout.strip().splitlines()[-1]
    assert last.startswith("all: 1 messages, kind ") and "(+0.00)" in last


def test_a_folder_without_labels_is_one_line(tmp_path):
    result = run_cme(write_config(tmp_path), "eval", str(tmp_path))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "no labelled samples" in result.stderr

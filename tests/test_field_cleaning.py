"""The chooser's cleaning of organisation names and addresses (parsers/fields.py)."""

from __future__ import annotations

import pytest

from parsers.fields import choose, organisation_name
from parsers.mapping import Candidate


@pytest.mark.parametrize(("raw", "name"), [
    ("Eastwick Academy (Year 10)", "Eastwick Academy"),
    ("Brook Lane Primary School, Kestrelford (left October 2025)", "Brook Lane Primary School"),
    ("Oakfield Lane Primary School DfE No. 921/2240 To: Harnfield Borough Council",
     "Oakfield Lane Primary School"),
    ("Tanfield Cross Academy (URN 990137", "Tanfield Cross Academy"),
    ("Brenchmoor Park Academy – part of the Weald Valley Learning Trust",
     "Brenchmoor Park Academy"),
    ("St Mary's CE Primary School", "St Mary's CE Primary School"),
    ("Felpersham Health Visiting Team", "Felpersham Health Visiting Team"),
])
def test_an_organisation_is_its_name_alone(raw, name):
    assert organisation_name(raw) == name


def fields_of(field: str, raw: str) -> dict:
    return choose([Candidate(field, raw, 1.0, "table 1 row 1", "Address")]).plain()


def test_an_addressee_line_and_a_note_are_not_the_address():
    assert fields_of("child_address", "Ms M. Cole\n22 Ottery Gardens\nSilverbridge") == {
        "child_address": "22 Ottery Gardens, Silverbridge"}
    staying = "c/o 9 Tanners Yard, Harnfield HF3 4QE (staying with uncle)"
    assert fields_of("child_address", staying) == {
        "child_address": "9 Tanners Yard, Harnfield", "child_postcode": "HF3 4QE"}


def test_placeholders_and_prompts_give_no_value():
    assert fields_of("social_worker", "Duty team – not allocated") == {}
    assert fields_of("child_surname", "[Enter surname]") == {}


def test_a_forms_narrative_box_under_an_unknown_label_is_its_reason_for_review():
    from parsers.document import Pair
    from parsers.message import narrative_box

    pairs = [Pair("Surname", "Example", "table 1 row 1"),
             Pair("Information", "Sam was admitted on 19/01/2026 and mum says she attended "
                  "another school until Christmas; no file has come.", "table 4 row 1"),
             Pair("Office use", "Logged 20/01 JB", "table 5 row 1")]
    found = narrative_box(pairs, [])
    assert [(c.field, c.label) for c in found] == [("reason", "Information")]
    assert found[0].score < 0.6  # a guess: for review

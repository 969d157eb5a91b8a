"""How a form's own labels reach canonical fields (parsers/mapping.py), by mechanism."""

from __future__ import annotations

import tomllib
from importlib.resources import files

from parsers.document import Pair
from parsers.fields import choose
from parsers.mapping import Vocabulary, map_pairs
from parsers.prose import prose_candidates
from parsers.prose.vocabulary import load_prose_vocabulary

GENERIC = tomllib.loads(files("cme.shipped").joinpath("templates/forms/generic.toml")
                        .read_text(encoding="utf-8"))
VOCABULARY = Vocabulary.build(GENERIC)


def read(*pairs: tuple[str, str] | tuple[str, str, str]) -> dict[str, str | bool]:
    found = map_pairs([Pair(p[0], p[1], "", p[2] if len(p) > 2 else "") for p in pairs],
                      VOCABULARY)
    return choose(found).plain()


def test_numbered_people_are_the_same_labels():
    fields = read(("Parent 1", "Kelly Roberts"), ("Parent 1 Tel", "07700 900360"),
                  ("Parent 2", "Gareth Quinn"))
    assert fields["parent_name"] == "Kelly Roberts"
    assert fields["parent_phone"] == "07700900360"


def test_a_year_value_misread_as_a_label_is_not_a_numbered_label():
    assert "child_year_group" not in read(("Year 1", "e931316225042"))


def test_the_same_words_in_another_order():
    assert read(("Off Roll Date", "30/01/2026"))["date_removed_from_roll"] == "2026-01-30"


def test_a_label_naming_whose_the_value_is_and_a_contact_cell():
    fields = read(("Staff Member", "Philip Hale"),
                  ("Contact", "attendance@nettlebed.example.sch.uk; 0161 496 0633"))
    assert fields["referrer_name"] == "Philip Hale"
    assert fields["referrer_email"] == "attendance@nettlebed.example.sch.uk"
    assert fields["referrer_phone"] == "01614960633"


def test_address_lines_and_town_are_one_address():
    fields = read(("Address Line 1", "112 Ropewalk Road"), ("Address Line 2", "Castle Eaton"),
                  ("Town", "Castermoor"), ("Post Code", "CQ7 3PX"))
    assert fields["child_address"] == "112 Ropewalk Road, Castle Eaton, Castermoor"
    assert fields["child_postcode"] == "CQ7 3PX"


def test_filler_words_after_a_label():
    assert read(("Address line(s)", "17 Damson Close, Hallowfield"))["child_address"] \
        == "17 Damson Close, Hallowfield"


def test_a_pair_under_no_heading_stays_in_the_section_before():
    fields = read(("Name of person completing", "Laura Quigley", "Completed by"),
                  ("Contact number", "0161 496 0731", ""),
                  ("Contact email", "head@brackenthwaite.example.sch.uk", ""))
    assert fields["referrer_phone"] == "01614960731"
    assert fields["referrer_email"] == "head@brackenthwaite.example.sch.uk"
    assert "parent_phone" not in fields and "parent_email" not in fields


def test_a_capitalised_cue_word_inside_a_title_is_not_a_child_cue():
    vocabulary = load_prose_vocabulary(files("cme.shipped").joinpath("templates/prose.toml"))
    text = ("This policy follows the School Attendance (Pupil Registration) (England) "
            "Regulations 2024.")
    found = prose_candidates(text, vocabulary=vocabulary)
    assert not [c for c in found if c.field.startswith("child_")]
    found = prose_candidates("We are worried about our pupil Jayden Ndlovu, who has not "
                             "attended since 5 January.", vocabulary=vocabulary)
    assert {c.raw for c in found if c.field == "child_forenames"} == {"Jayden"}


def test_both_answers_printed_the_marked_one_counts():
    from parsers.ticks import normalise_bool
    from parsers.validate import InvalidValue

    assert normalise_bool("Yes (NO)") is False
    assert normalise_bool("(YES) No") is True
    assert normalise_bool("*Yes* / No") is True
    assert normalise_bool("YES / no") is True
    for unanswered in ("Yes / No", "YES NO", "yes no"):
        try:
            normalise_bool(unanswered)
        except InvalidValue as exc:
            assert "neither marked" in exc.reason
        else:
            raise AssertionError(unanswered)

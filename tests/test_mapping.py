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


def test_a_sentence_read_where_a_name_was_expected_is_no_name():
    from parsers.normalise import normalise_name
    from parsers.validate import InvalidValue

    for words in ("please see the attached letter from Mrs Amberley.", "provision on roll"):
        try:
            normalise_name(words)
        except InvalidValue as exc:
            assert "reads as words" in exc.reason
        else:
            raise AssertionError(words)
    assert normalise_name("chantelle d'arcy") == "chantelle d'arcy"  # a parent's own hand
    assert normalise_name("Pieter van der Berg") == "Pieter van der Berg"


def _prose(text: str) -> dict[str, tuple[str, float]]:
    vocabulary = load_prose_vocabulary(files("cme.shipped").joinpath("templates/prose.toml"))
    return {c.field: (c.raw, c.score) for c in prose_candidates(text, vocabulary=vocabulary)}


def test_flags_and_grounds_said_in_sentences_that_deny_or_end_them():
    found = _prose("Joshua is not, and has not been, subject to a child protection plan.")
    assert found["cp_plan"][0] == "No"
    assert "cp_plan" not in _prose("Mateus was on a CP plan until March 2024.")
    assert _prose("Neither child is on a child protection plan.")["cp_plan"][0] == "No"
    assert "deletion_ground" not in _prose(
        "Mum says he was taken off roll at Eastwold Primary in the summer. "
        "No home education is being provided.")


def test_a_letter_with_a_table_says_its_dates_and_ground_in_sentences():
    from tests.fixtures.builders import DOCX_TYPE, Attachment, Email, docx_form
    from tests.test_unseen_forms import parser

    rows = [("Pupil", "Joshua VAN DER BERG"), ("Date of birth", "08/01/2013"),
            ("UPN", "Q961301117112"), ("Home address", "6 Heron Close, Fenchester FM3 4DW"),
            ("Parents", "Mr Pieter van der Berg")]
    letter = docx_form("Notification of removal from roll", rows, [
        "Joshua's last day in school was Friday 6 March 2026 and he was removed from our "
        "admission register on 9 March 2026 under Regulation 9(1)(f).",
        "His sister, Femke (Year 11), is not, and has not been, subject to a child "
        "protection plan."])
    message = Email(sender="office@kingsmead.example.sch.uk", subject="EHE notification",
                    body="Please see attached.",
                    attachments=[Attachment("letter.docx", letter, DOCX_TYPE)]).to_bytes()
    fields = parser().parse_email(message).fields
    assert (fields["child_forenames"], fields["child_surname"]) == ("Joshua", "VAN DER BERG")
    assert fields["date_last_attended"] == "2026-03-06"
    assert fields["date_removed_from_roll"] == "2026-03-09"
    assert fields["deletion_ground"] == "9(1)(f)"
    assert "cp_plan" not in fields  # a form's flags are in its boxes, not its sentences


def test_print_and_relationship_words_are_never_a_name():
    from tests.fixtures.builders import DOCX_TYPE, Attachment, Email, docx_form
    from tests.test_unseen_forms import parser

    rows = [("Name", "DOB Relationship"), ("Parent/carer", "Son"),
            ("Date of birth", "03/04/2015")]
    message = Email(sender="office@kingsmead.example.sch.uk", subject="CME notification",
                    body="Please see attached.", attachments=[
                        Attachment("form.docx", docx_form("CME notification", rows),
                                   DOCX_TYPE)]).to_bytes()
    fields = parser().parse_email(message).fields
    assert "child_forenames" not in fields and "parent_name" not in fields


def test_a_numbered_question_grid_reads_question_and_answer():
    from parsers.document import Extract
    from parsers.readers.layout import table_pairs

    out = Extract()
    table_pairs(out, [["No.", "Question", "Response"],
                      ["1.", "Pupil's legal surname", "de la Cruz"],
                      ["2.", "Pupil's forename(s)", "Mateo Alejandro"]], [], "")
    pairs = {(p.label, p.value) for p in out.pairs}
    assert ("Pupil's legal surname", "de la Cruz") in pairs
    assert ("Pupil's forename(s)", "Mateo Alejandro") in pairs


def test_an_attached_letters_signed_writer_is_the_referrer():
    from tests.fixtures.builders import DOCX_TYPE, Attachment, Email, docx_form
    from tests.test_unseen_forms import parser

    letter = docx_form("Notification of elective home education", [], [
        "Re: Niamh Price D.O.B. 22/11/2016 Year 4 UPN R947331816021",
        "On 5th February 2026 we received a letter from Niamh's mother stating that the "
        "family have decided to educate their daughter at home.",
        "Yours faithfully,", "P. Vance", "Mrs Philippa Vance", "Headteacher",
        "St Aldhelm's Junior School"])
    message = Email(sender="admin@staldhelms.example.sch.uk", subject="EHE notification",
                    body="Please find attached.\n\nKind regards\n\nDawn Ricketts\n"
                         "School Administrator\nSt Aldhelm's Junior School",
                    attachments=[Attachment("letter.docx", letter, DOCX_TYPE)]).to_bytes()
    fields = parser().parse_email(message).fields
    assert fields["referrer_name"] == "Philippa Vance"
    assert fields["referrer_role"] == "Headteacher"


def test_a_household_table_gives_the_childs_row_and_a_parents_name():
    from parsers.document import Extract
    from parsers.readers.layout import table_pairs

    out = Extract()
    table_pairs(out, [["Name", "DOB", "M/F", "Relationship"],
                      ["Shannon McAllister", "11/07/1994", "F", "Mother (lead tenant)"],
                      ["Kayden McAllister-Boyd", "19/10/2012", "M", "Son"],
                      ["Lacey-Mae McAllister", "02/02/2021", "F", "Half-sister"],
                      ["Ruby Boyd", "03/03/2019", "F", "Daughter's friend"]],
                [], "")
    fields = choose(map_pairs(out.pairs, VOCABULARY)).plain()
    assert fields["child_dob"] == "2012-10-19"
    assert (fields["child_forenames"], fields["child_surname"]) == ("Kayden", "McAllister-Boyd")
    assert fields["parent_name"] == "Shannon McAllister"
    assert {c.raw for c in map_pairs(out.pairs, VOCABULARY) if c.field == "child_dob"} \
        == {"19/10/2012"}


def test_print_run_into_a_value_or_a_phrase_is_no_name_or_place():
    from tests.fixtures.builders import DOCX_TYPE, Attachment, Email, docx_form
    from tests.test_unseen_forms import parser

    rows = [("Surname", "Forename(s) Grace Chipo"), ("Parent/carer", "In custody"),
            ("School", "Previous LA"), ("Address", "Postcode"),
            ("Date of birth", "25/01/2017")]
    message = Email(sender="office@hollybush.example.sch.uk", subject="New pupil",
                    body="Please see attached.", attachments=[
                        Attachment("form.docx", docx_form("New pupil", rows),
                                   DOCX_TYPE)]).to_bytes()
    fields = parser().parse_email(message).fields
    for name in ("child_surname", "parent_name", "school_name", "child_address"):
        assert name not in fields, name


def test_an_html_value_cell_over_several_lines_is_one_value():
    from parsers.readers.text import html_to_text

    text = html_to_text("<table><tr><td>Home address</td><td>18 Kestrel Rise<br>Ravensmoor"
                        "<br>Brackenshire</td></tr><tr><td>Postcode</td><td>ox15 7hd</td></tr>"
                        "</table>")
    assert "Home address : 18 Kestrel Rise, Ravensmoor, Brackenshire" in text


def test_a_short_forward_is_the_original_writers_message():
    from tests.fixtures.builders import Email
    from tests.test_unseen_forms import parser

    body = ("FYI - see below.\n\nKevin Marsh\nSchool Admissions Officer\nKettleby County "
            "Council\n\n---------- Forwarded message ---------\nFrom: Daniel Pellow "
            "<head@greystone.example.sch.uk>\nDate: Mon, 12 Jan 2026 at 09:12\nSubject: "
            "Child missing\nTo: <admissions@kettleby.gov.uk>\n\nJayden Brook (DOB 03/04/2016, "
            "Year 4) has not attended since 5 January and the family cannot be contacted. "
            "We have made two home visits.\n\nDaniel Pellow\nHeadteacher\n")
    result = parser().parse_email(Email(sender="kevin.marsh@kettleby.gov.uk",
                                        subject="Fwd: Child missing", body=body).to_bytes())
    assert result.kind == "cme_notification"
    assert "sender: school" in result.documents[0].kind_evidence


def test_a_question_printed_in_the_reason_box_is_no_reason():
    fields = read(("Reason for referral", "What do you know about the pupil's education history?"))
    assert "reason" not in fields


def test_fillable_fields_with_machine_names_give_values_by_their_shape():
    fields = read(("fld 04", "F936402121117", "A Child"), ("fld 07", "PY5 2DL", "A Child"),
                  ("fld 10", "07700 900239", "B Parent / carer"),
                  ("fld 13", "936 4021", "C School and attendance"),
                  ("fld 19", "01632 960342", "G Completed by"),
                  ("fld 20", "g.pryce@penburyhill.example.sch.uk", "G Completed by"),
                  ("fld 21", "19/07/2010", "A Child"))
    assert fields == {"child_upn": "F936402121117", "child_postcode": "PY5 2DL",
                      "parent_phone": "07700900239", "school_laestab": "9364021",
                      "referrer_phone": "01632960342",
                      "referrer_email": "g.pryce@penburyhill.example.sch.uk"}


def test_dont_know_and_titles_in_other_languages():
    from parsers.clean import is_placeholder
    from parsers.person import split_person

    assert is_placeholder("DK") and is_placeholder("D/K") and not is_placeholder("Dk")
    assert split_person("Mme Amélie Dufresne").name == "Amélie Dufresne"
    assert split_person("Frau Anna Weber (mother)").name == "Anna Weber"

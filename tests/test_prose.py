"""Prose rules (parsers/prose/): values found by shape, given to their owner by cue words.

Every sentence here is invented for the test. Values are read as the register
would get them: the candidates chosen and normalised by ``parsers.fields``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.fields import choose
from parsers.prose import load_prose_vocabulary, prose_candidates
from parsers.prose.dates import find_dates
from parsers.prose.vocabulary import SHIPPED_PROSE, build_vocabulary
from parsers.templates import TemplateError

SENT = date(2026, 1, 20)  # a Tuesday in the spring term


def read(text: str, *, subject: str = "", sent: date | None = SENT, sender: str | None = None,
         quoted: str = "", **options) -> dict[str, str | bool]:
    candidates = prose_candidates(text, subject=subject, sent=sent, sender=sender, quoted=quoted,
                                  **options)
    return choose(candidates).plain()


def review(text: str, **options) -> list[str]:
    return choose(prose_candidates(text, sent=SENT, **options)).review()


def name(fields: dict[str, str | bool]) -> tuple[str | bool | None, str | bool | None]:
    return fields.get("child_forenames"), fields.get("child_surname")


# --- the child's name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("CME notification – Kenzie Marlow (Y5)", ("Kenzie", "Marlow")),
        ("Rowan Ashdown - not in school", ("Rowan", "Ashdown")),
        ("Fwd: Riley-Jay Tamworth 5H", ("Riley-Jay", "Tamworth")),
        ("RE: CME-2026-00123 Ellis Penrose – a few questions", ("Ellis", "Penrose")),
        ("Deregistration of Ifeoma Okafor-Price (Year 2)", ("Ifeoma", "Okafor-Price")),
        ("No CTF received - new pupil Zoë Hartwell-Brook (Y4)", ("Zoë", "Hartwell-Brook")),
        ("OFFICIAL: Child not in school - Corey BRANNIGAN", ("Corey", "BRANNIGAN")),
        ("Deletion return - TRAN Thi Mai - Y7", ("Thi Mai", "TRAN")),
    ],
)
def test_the_child_from_the_subject(subject: str, expected: tuple[str, str]):
    assert name(read("Please see the details below.", subject=subject)) == expected


@pytest.mark.parametrize(
    "subject",
    [
        "Pupil missing education - Year 6 - Hollybank Primary",
        "Invitation: CME Tracking Panel @ Thu 22 Jan",
        "Child Protection Plan review",
        "Half Term arrangements",
        "Quick question about the CME procedure",
        "Update",
    ],
)
def test_subjects_that_name_nobody(subject: str):
    assert name(read("Please see the details below.", subject=subject)) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dear Mrs Hale,\n\nRe: Oscar Lindgren, date of birth 2 February 2015\n\nI am writing to "
         "tell you about my son.", ("Oscar", "Lindgren")),
        ("I am taking our son Jaylen Reeve out of school.", ("Jaylen", "Reeve")),
        ("We have decided to home educate my daughter Amaya Cole from Monday.", ("Amaya", "Cole")),
        ("We are worried about pupil Ruby Okafor, who has not attended.", ("Ruby", "Okafor")),
        ("Riley-Jay Tamworth in 5H hasn't come back since the holiday.", ("Riley-Jay", "Tamworth")),
        ("Jacob Wilder (DOB 17/04/2016, Year 5) left without notice.", ("Jacob", "Wilder")),
        ("Yusuf Haddon, born on 30 June 2014, never started with us.", ("Yusuf", "Haddon")),
        ("I am writing about a Year 6 boy at Hollybank, Tyler Rowe, who last attended in "
         "November.", ("Tyler", "Rowe")),
        ("I'd like to refer a 12-year-old girl, Marwa Azizi, who is living in a hotel.",
         ("Marwa", "Azizi")),
        ("Student name: Saoirse Ní Bhriain", ("Saoirse", "Ní Bhriain")),
        ("Pupil: Johnny Joe Maughan", ("Johnny Joe", "Maughan")),
        ("Riley-Jay Tamworth\nDOB 11 Nov 2015\n14b Gasworks Lane, Brackford, OX4 5HN",
         ("Riley-Jay", "Tamworth")),
        ("He identified himself as Kieran DOYLE, born 30/03/2012, of 5 Tolpuddle Row.",
         ("Kieran", "DOYLE")),
        ("Zoë Hartwell has not been in school since we broke up.", ("Zoë", "Hartwell")),
    ],
)
def test_the_child_from_cues_in_sentences(text: str, expected: tuple[str, str | None]):
    assert name(read(text)) == expected


def test_a_diacritic_and_a_vietnamese_name_are_kept_as_written():
    fields = read("Our daughter Trần Thị Mai (DOB 05/12/2013) has left for Vietnam.")
    assert name(fields) == ("Trần Thị", "Mai")


def test_a_preferred_name_is_not_the_legal_forename():
    fields = read("Łukasz Wiśniewski (known as Luke), Yr 11, male, has been absent.\n\n"
                  "Luke was last seen on Thursday 23rd October.")
    assert name(fields) == ("Łukasz", "Wiśniewski")
    assert fields["date_last_attended"] == "2025-10-23"


def test_a_forename_alone_takes_the_surname_of_a_full_mention():
    fields = read("Mai has not been in school since 5 January.\n\nMai Tran\nDOB 05/12/2013")
    assert name(fields) == ("Mai", "Tran")


def test_a_parent_writing_implies_the_surname_and_leaves_it_to_review():
    text = ("hi\n\nwe have decided to home educate our daughter lily-mae from monday 1st "
            "december.\n\nthanks\nkerry brannan\n")
    candidates = choose(prose_candidates(text, sent=date(2025, 11, 12)))
    assert candidates.plain()["child_forenames"] == "lily-mae"
    assert candidates.plain()["child_surname"] == "brannan"
    assert "child_surname" in candidates.review()


@pytest.mark.parametrize(
    "text",
    [
        "She is subject to a Child Protection Plan and has not been in school since Friday.",
        "The family went away over Half Term and have not come back.",
        "He was on roll at Hollybank Primary School until October.",
        "They moved from 14 Larkspur Close to Station Approach in December.",
        "Best Wishes\n\nJo",
        "Dear Joanne,\n\nThe family has not been seen since Christmas.\n\nKind regards\n\n"
        "Priya Ramsay\nEducation Social Worker",
    ],
)
def test_capitalised_words_that_are_not_a_child(text: str):
    assert name(read(text)) == (None, None)


def test_the_greeted_officer_and_the_signing_writer_are_not_the_child():
    text = ("Dear Joanne,\n\nJoanne Whitby asked me to write. Sam Reid has not attended since "
            "5 January.\n\nKind regards\n\nDeborah Okoye\nHeadteacher")
    assert name(read(text)) == ("Sam", "Reid")


def test_a_sibling_and_a_parent_are_not_the_child():
    fields = read("Tyler's sister Kaycee has also stopped coming. Mum (Shannon Rowe) has not "
                  "answered. Tyler Rowe (DOB 03/02/2015) last attended on 18 November.")
    assert name(fields) == ("Tyler", "Rowe")


# --- dates of birth -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tyler Rowe was born on 3rd April 2014 and lives with his mum.", "2014-04-03"),
        ("Johnny Joe Maughan, DOB 21.3.16, Year 5.", "2016-03-21"),
        ("Jayden Mensah, Y10, d.o.b. 9.10.10. Last attended on Friday.", "2010-10-09"),
        ("her dob is 14/7/16 and our address is in Kingsholme", "2016-07-14"),
        ("Marwa Azizi's date of birth is recorded by the Home Office as 01/01/2014.", "2014-01-01"),
        ("Re: Oscar Lindgren (date of birth 2012-05-30)", "2012-05-30"),
    ],
)
def test_the_childs_date_of_birth(text: str, expected: str):
    assert read(text)["child_dob"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Tyler Rowe is aged 9 and has not been in school since January.",
        "Tyler Rowe has left. Tyler's sister Kaycee (DOB 14/06/2020) is in our Year 1 class.",
        "Sam Reid has left us. His brother (DOB 03/05/2017) attends Marlowe Park Primary.",
        "Sam Reid has left us. Mum's DOB is 14/05/1991.",
        "I completed a new birth visit for baby Leonor (born 28/11/2025).",
        "Sam Reid has left. Younger brother Cian (DOB 15/10/2020) stays with us in Reception.",
    ],
)
def test_someone_elses_date_of_birth_is_not_the_childs(text: str):
    assert "child_dob" not in read(text)


def test_the_childs_row_of_a_household_table():
    text = ("My concern is Jayden.\n\nName\tRelationship\tDate of birth\n"
            "Precious Ndube\tMother\t14/05/1991\nJayden Ndube\tSon\t11/02/2013\n"
            "Amahle Ndube\tDaughter\t07/08/2022")
    fields = read(text)
    assert fields["child_dob"] == "2013-02-11"
    assert fields["child_gender"] == "M"
    assert fields["parent_name"] == "Precious Ndube"


# --- gender, year group, UPN ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am writing about a Year 6 boy at Hollybank, Tyler Rowe, who has left.", "M"),
        ("I'd like to refer a 12-year-old girl, Marwa Azizi, who is not in school.", "F"),
        ("We are taking our son Jaylen Reeve out of school.", "M"),
        ("Mum told me that her son Tomás Ferro has not been offered a place.", "M"),
        ("I stopped a male youth in the shopping centre who gave his name as Kieran Doyle.", "M"),
        ("Zara Brook (DOB 17/05/2014, female) was seen in clinic.", "F"),
    ],
)
def test_gender_from_a_word(text: str, expected: str):
    assert read(text)["child_gender"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Tyler Rowe has not been in school. He was last seen on 5 January.",
        "Chloe Marsh is not sleeping after what happened with the group of girls in her year.",
        "Ellie Cotton is a young carer for her younger brother.",
    ],
)
def test_no_gender_from_pronouns_or_other_peoples_words(text: str):
    assert "child_gender" not in read(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am writing about a Year 6 boy at Hollybank, Tyler Rowe, who has left.", "6"),
        ("Jayden Mensah is in Y10 and last attended on Friday.", "10"),
        ("my son Jaylen Reeve is in yr 7 at the school", "7"),
        ("Amelia Kowal was allocated a Reception place with us but has not started.", "R"),
    ],
)
def test_the_year_group(text: str, expected: str):
    assert read(text)["child_year_group"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Riley-Jay Tamworth in 5H hasn't come back since the holiday.",
        "Sam Reid left. His sister Daria (DOB 30/11/2019) is staying with us in Year 1.",
        "Sam Reid left us. I'm out with Year 10 on a trip today, so Tom Quayle, Head of Year 10, "
        "will call you.",
        "Year 7 will visit the Natural History Museum on Friday 20 March 2026.",
    ],
)
def test_no_year_group_from_a_class_a_sibling_or_a_role(text: str):
    assert "child_year_group" not in read(text)


def test_a_upn_in_a_list_line():
    assert read("- Niamh Gall, Year 3\n- UPN B801200005001")["child_upn"] == "B801200005001"


# --- the parent -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parent", "phone"),
    [
        ("Tyler Rowe lives with his mum, Shannon Rowe. Mum's mobile is 07700 900123.",
         "Shannon Rowe", "07700900123"),
        ("Kieran Doyle went home and I spoke to his mother, Tracey Doyle (07700 900 791).",
         "Tracey Doyle", "07700900791"),
        ("Dad (Lee Dunn, 07700 900 640) said the family were being evicted.", "Lee Dunn",
         "07700900640"),
        ("Mum (Rachel Hart) has not answered calls to 07700 900 384 since 5 January.",
         "Rachel Hart", "07700900384"),
        ("Parent: Mr Sami Haddon (father)\nPhone: 07700 900 903", "Sami Haddon", None),
        ("Lena Quill has left. Mark Quill has not answered calls on 07700 900054.", "Mark Quill",
         "07700900054"),
    ],
)
def test_the_parent_in_sentences(text: str, parent: str, phone: str | None):
    fields = read(text)
    assert fields["parent_name"] == parent
    assert fields.get("parent_phone") == phone


def test_the_first_parent_named_is_the_parent():
    fields = read("Mum: Agnes Wisniewska – 07700 900 873\nDad: Piotr Wisniewski – 07700 900 874")
    assert (fields["parent_name"], fields["parent_phone"]) == ("Agnes Wisniewska", "07700900873")


def test_an_aunt_and_a_professional_are_not_the_parent():
    fields = read("Ana Popa's aunt (Ioana Dumitru) came in on Tuesday. Please contact the MASH "
                  "on 01632 960 000 if you are worried.")
    assert "parent_name" not in fields and "parent_phone" not in fields


def test_a_parent_writing_signs_as_the_parent():
    text = ("Dear Mr Caldwell,\n\nRe: Temi Adeyemi (date of birth 19/10/2018)\n\nWe have decided "
            "to educate our daughter at home.\n\nYours sincerely,\n\nFunmi Adeyemi (mother)\n"
            "Seun Adeyemi (father)\n\n22 Beech Grove, Brackford OX4  2PQ\nTel: 07700 900 615\n")
    fields = read(text, sender="funmi.adeyemi@example.org.uk")
    assert fields["parent_name"] == "Funmi Adeyemi"
    assert fields["parent_phone"] == "07700900615"
    assert fields["parent_email"] == "funmi.adeyemi@example.org.uk"
    assert (fields["child_address"], fields["child_postcode"]) == ("22 Beech Grove, Brackford",
                                                                    "OX4 2PQ")


def test_a_professionals_signature_is_not_the_parents():
    text = ("Dear CME Team,\n\nSam Reid has not attended since 5 January.\n\nKind regards\n\n"
            "Jo Marsh\nAttendance Officer\nKingsmead Academy, Foxcombe Road, Brackford OX2 8RL\n"
            "Tel: 01632 960 725\n")
    fields = read(text)
    assert not {"parent_name", "parent_phone", "child_address", "child_postcode"} & set(fields)


# --- flags ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flag", "value"),
    [
        ("Tyler is not subject to a child protection plan.", "cp_plan", False),
        ("He is not on a CP plan.", "cp_plan", False),
        ("The pupil below is subject to a child protection plan.", "cp_plan", True),
        ("She is not looked after.", "looked_after", False),
        ("He is a looked after child, placed with foster carers.", "looked_after", True),
        ("Tyler is not known to children's social care.", "known_to_social_care", False),
        ("Jayden isn't known to social care (Early Help closed in 2024).",
         "known_to_social_care", False),
        ("The family are known to Wandle Valley children's social care.",
         "known_to_social_care", True),
        ("He was formerly known to CSC.", "known_to_social_care", True),
        ("The family had a social worker until last year (CiN, closed).",
         "known_to_social_care", True),
        ("As Amira has an EHCP (SEMH primary need) I have copied in the SEN Team.", "sen", True),
        ("He's on SEN support (speech and language) but has no EHCP.", "sen", True),
        ("Łukasz does not have an EHCP.", "sen", False),
        ("He has no special educational needs.", "sen", False),
        ("No EHCP or SEN support.", "sen", False),
        ("The family are Irish Travellers and usually travel in the summer.", "traveller", True),
        ("The family live on a narrowboat and are continuous cruisers.", "traveller", True),
        ("Sam Reid's family are Gypsy/Roma.", "traveller", True),
    ],
)
def test_flags_from_sentences(text: str, flag: str, value: bool):
    assert read(text)[flag] is value


@pytest.mark.parametrize(
    "text",
    [
        "I have not made a MASH referral as there are no immediate safeguarding concerns.",
        "Known to CSC: Not known",
        "We have had no SEN or safeguarding information from the previous school.",
        "His brother has an EHCP and attends Marlowe Park Primary.",
        "I work for the Traveller Education Service.",
        "Please review her asthma care plan.",
    ],
)
def test_sentences_that_set_no_flag(text: str):
    assert not {"cp_plan", "looked_after", "known_to_social_care", "sen", "traveller"} & set(
        read(text))


def test_yes_and_no_at_the_same_strength_leave_the_flag_out():
    assert "cp_plan" not in read("She is on a CP plan. She is not on a CP plan.")


# --- dates in sentences ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("His last day was Friday 13th February.", "date_last_attended", "2026-02-13"),
        ("Zoë hasn't been in since 5 January.", "date_last_attended", "2026-01-05"),
        ("Aoife was last seen in school on Friday 26 September.", "date_last_attended",
         "2025-09-26"),
        ("- Last attended: Thursday 23rd October (last day before half term)",
         "date_last_attended", "2025-10-23"),
        ("In line with the regulations we will take him off roll on 23/02/2026.",
         "date_removed_from_roll", "2026-02-23"),
        ("Removed from roll today (06/03/2026) under Ground F", "date_removed_from_roll",
         "2026-03-06"),
        ("He'll be off roll from 16.01.26.", "date_removed_from_roll", "2026-01-16"),
        ("We have decided to home educate her from Monday 1st December.", "ehe_start_date",
         "2025-12-01"),
        ("With effect from Monday 19 January 2026 she will be receiving education otherwise than "
         "at school.", "ehe_start_date", "2026-01-19"),
    ],
)
def test_dates_in_sentences(text: str, field: str, expected: str):
    assert read(text)[field] == expected


@pytest.mark.parametrize(
    "text",
    [
        "We will take her off roll after half term.",
        "We will take her off on Friday and send the paperwork.",
        "Mum's phone has gone to voicemail since the 20th.",
        "We offered a meeting on 3 December, which mum declined.",
    ],
)
def test_vague_and_unrelated_dates_are_not_values(text: str):
    fields = read(text)
    assert not {"date_last_attended", "date_removed_from_roll", "ehe_start_date"} & set(fields)


def test_a_date_without_a_year_takes_the_emails_year_and_its_weekday():
    text = "Tyler last attended on Friday 19 December."
    assert read(text, sent=date(2026, 1, 19))["date_last_attended"] == "2025-12-19"
    assert read(text, sent=date(2025, 12, 22))["date_last_attended"] == "2025-12-19"
    assert "date_last_attended" not in read(text, sent=None)


def test_a_forwarded_messages_own_date_gives_the_year():
    text = ("Please see below.\n\nFrom: Sarah Lomax <s.lomax@school.example.sch.uk>\n"
            "Date: 4 March 2025 at 16:02\nSubject: Riley\n\nHis last day was Friday 14th "
            "February.\n")
    assert read(text, sent=date(2026, 3, 4))["date_last_attended"] == "2025-02-14"


def test_dates_are_found_in_many_shapes():
    text = ("3rd April 2014, the 9th of march, 21.3.16, 2012-05-30, April 3rd, 2014, "
            "Tuesday 18th November")
    found = [(d.day, d.month, d.year) for d in find_dates(text)]
    assert found == [(3, 4, 2014), (9, 3, None), (21, 3, 2016), (30, 5, 2012), (3, 4, 2014),
                     (18, 11, None)]


# --- schools, addresses ---------------------------------------------------------------


def test_the_destination_school_and_the_school_left():
    fields = read("Mia Sorrel left Saltings Primary School in October. The family moved to "
                  "Bristol and Mia started at Brunel Fields Primary Academy on Monday 23 February.")
    assert fields["destination_school"] == "Brunel Fields Primary Academy"
    assert fields["school_name"] == "Saltings Primary School"


def test_a_school_in_another_language():
    fields = read("I can confirm that Callum Jenks (DOB 02/10/2016) was admitted to Ysgol Gynradd "
                  "Bryn Eithin, Llandeilo, on 1 December 2025.")
    assert fields["destination_school"] == "Ysgol Gynradd Bryn Eithin"


def test_a_siblings_school_is_not_the_childs():
    assert "school_name" not in read("Zoë Hart has left. Zoë's brother Finley attends Marlowe "
                                     "Park Primary.")


@pytest.mark.parametrize(
    ("text", "address", "postcode"),
    [
        ("Tyler lives with his mum, Shannon Rowe, at 27 Larkspur Close, Brackford OX4 6TW.",
         "27 Larkspur Close, Brackford", "OX4 6TW"),
        ("He gave their new address as 14 Ashgrove Terrace, Bristol, BS7 9QF.",
         "14 Ashgrove Terrace, Bristol", "BS7 9QF"),
        ("her dob is 14/7/16 and our adress is 3 the coppice, kingsholme ox16 5aw",
         "3 the coppice, kingsholme", "OX16 5AW"),
        ("He identified himself as Kieran Doyle, of 5 Tolpuddle Row, Brackford, OX4 9LB.",
         "5 Tolpuddle Row, Brackford", "OX4 9LB"),
        ("Jamie is not attending school since the family moved into temporary accommodation at "
         "5 River Court, Didcot, OX11 7AA.", "5 River Court, Didcot", "OX11 7AA"),
    ],
)
def test_the_childs_address_in_a_sentence(text: str, address: str, postcode: str):
    fields = read(text)
    assert (fields["child_address"], fields["child_postcode"]) == (address, postcode)


@pytest.mark.parametrize(
    "text",
    [
        "Registered office: Kingsmead Academy, Foxcombe Road, Brackford OX2 8RL.",
        "Please post the file to County Hall, Newland Road, Brackford OX1 9XR.",
        "Their previous address was 22 Harebell Way, Kingsholme, OX16 5EW.",
    ],
)
def test_addresses_that_are_not_the_childs_home(text: str):
    assert "child_address" not in read(text)


# --- the reason -----------------------------------------------------------------------


NOTIFICATION = """Dear CME Team,

I am writing to let you know about a Year 6 boy at Hollybank, Tyler Rowe, who last attended
on Tuesday 18th November. Tyler was born on 3rd February 2015 and lives with his mum at 27
Larkspur Close, Brackford OX4 6TW. Mum's mobile is 07700 900217.

We have phoned every number we hold, written to the house twice and our family support worker
visited on 24th November. The house looks empty and a neighbour told her that the family had
moved away, but nobody has given us a forwarding address.

Tyler is not known to children's social care and is not subject to a child protection plan.

Please could you ask the Education Social Worker to make enquiries?

Kind regards

Deborah Okoye
Headteacher
Hollybank Primary School
"""


def test_the_reason_is_the_paragraph_of_circumstances():
    fields = read(NOTIFICATION, sent=date(2025, 12, 10))
    assert fields["reason"].startswith("We have phoned every number we hold")
    assert fields["reason"].endswith("nobody has given us a forwarding address.")
    assert fields["date_last_attended"] == "2025-11-18"
    assert (fields["cp_plan"], fields["known_to_social_care"]) == (False, False)


def test_no_reason_from_a_greeting_a_request_or_a_circular():
    assert "reason" not in read("Dear Joanne,\n\nPlease could you send me the form?\n\nThanks\nJo")
    assert "reason" not in read("Children missing education: the CME team's guidance for schools "
                                "has been updated and moved to the portal.")


def test_the_reason_goes_to_review():
    assert "reason" in choose(prose_candidates(NOTIFICATION, sent=date(2025, 12, 10))).review()


# --- case updates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Mia started at Brunel Fields Primary Academy on Monday.", "located"),
        ("The family could not be located and I am confirming Kacper as missing education.",
         "confirmed_missing"),
        ("I am therefore advising that Kingsmead can remove Maisie from roll under regulation "
         "9(1)(i).", "removal_advised"),
        ("Harrison's pupil file went to you today by Royal Mail. His CTF was also uploaded to S2S.",
         "file_transferred"),
        ("Mum rang to say they are staying with family for now.", "info"),
    ],
)
def test_the_outcome_of_an_update(text: str, outcome: str):
    assert read(text)["update_outcome"] == outcome


def test_a_removal_advised_with_its_ground():
    fields = read("I advise removal from roll under regulation 9(1)(i).")
    assert fields["deletion_ground"] == "9(1)(i)"


@pytest.mark.parametrize(
    "text",
    [
        "Please delete her name from the register in accordance with Regulation 8(1)(d).",
        "Removed from roll today under Ground F.",
        "I am taking my son out of school to home school him. Please take him off the register.",
    ],
)
def test_home_education_is_ground_9_1_f(text: str):
    assert read(text)["deletion_ground"] == "9(1)(f)"


# --- quoted and forwarded text --------------------------------------------------------


def test_a_replys_quoted_text_is_not_read():
    quoted = ("On Mon, 9 Feb 2026, CME Team wrote:\n> Please make enquiries about Zara Brook, "
              "DOB 17/05/2014, of 12 Nash Road, Kelmsford, OX14 5HD.\n> Tel: 01632 960 500")
    fields = read("Hi,\n\nNo news yet, I will visit on Monday.\n\nGareth", subject="RE: Enquiry",
                  quoted=quoted)
    assert not {"child_dob", "child_address", "child_postcode", "parent_phone"} & set(fields)
    # The case's child is the one the request names: kept, for review.
    candidates = choose(prose_candidates("No news yet.", subject="RE: Enquiry", quoted=quoted))
    assert name(candidates.plain()) == ("Zara", "Brook")
    assert "child_forenames" in candidates.review()


def test_a_reply_header_in_another_language_starts_the_quoted_text():
    text = ("Dear Joanne,\n\nThe family moved to Bristol.\n\nKind regards\nKatrin\n\n"
            "Von: CME Team <cme@example.gov.uk>\nGesendet: Freitag, 27. Februar 2026 14:05\n"
            "An: Katrin Vogel <k.vogel@example.sch.uk>\nBetreff: Mia\n\nOur ESW has not been "
            "able to find the family at 5 Linden Walk, Kingsholme, OX16 4GE.\n")
    assert "child_address" not in read(text, subject="AW: Mia")


def test_a_forward_is_read():
    text = ("Please see below from Sarah.\n\nDee\n\n> From: Sarah Lomax <s.lomax@example.sch.uk>\n"
            "> Date: 4 March 2026 at 16:02:11 GMT\n> Subject: Riley-Jay Tamworth 5H\n>\n"
            "> Hi Dee,\n>\n> Riley-Jay in 5H hasn't come back. His last day was Friday 13th "
            "February.\n")
    fields = read(text, subject="Fwd: Riley-Jay Tamworth 5H")
    assert name(fields) == ("Riley-Jay", "Tamworth")
    assert fields["date_last_attended"] == "2026-02-13"


# --- the vocabulary is data -----------------------------------------------------------


def test_the_kind_is_not_an_input():
    text = "Tyler Rowe (DOB 03/02/2015) has not been in school since 5 January."
    assert read(text, kind_hint="ehe_notification") == read(text, kind_hint="case_update")


def test_an_administrator_extends_the_vocabulary(tmp_path: Path):
    # "Kestrel Meadows" is a place the shipped words do not know; a site adds "meadows".
    assert name(read("See below.", subject="Kestrel Meadows")) == ("Kestrel", "Meadows")
    extended = tmp_path / "prose.toml"
    shipped = SHIPPED_PROSE.read_text(encoding="utf-8")
    extended.write_text(shipped.replace('not_names = [\n', 'not_names = [\n    "meadows",\n', 1),
                        encoding="utf-8")
    vocabulary = load_prose_vocabulary(extended)
    assert name(read("See below.", subject="Kestrel Meadows", vocabulary=vocabulary)) == (None,
                                                                                         None)
    assert name(read("See below.", subject="Rowan Ashdown - Kestrel Meadows",
                     vocabulary=vocabulary)) == ("Rowan", "Ashdown")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"names": {"not_names": "school"}}, "names.not_names"),
        ({"flags": {"cp_plan": {"no": ["not on a {nothing}"]}}}, "flags.cp_plan.no"),
        ({"flags": {"colour": {}}}, "flags.colour"),
        ({"terms": []}, "terms"),
    ],
)
def test_a_broken_vocabulary_names_the_key(raw: dict, key: str):
    with pytest.raises(TemplateError) as caught:
        build_vocabulary(raw)
    assert caught.value.key == key


def test_an_unreadable_vocabulary_file(tmp_path: Path):
    broken = tmp_path / "prose.toml"
    broken.write_text("[names\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="cannot read"):
        load_prose_vocabulary(broken)


# --- forms are not sentences; doubt is not an answer ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Known to Children's Social Care   ☐ Yes  ☒ No  ☐ Don't know",
        "No Open to CSC ..................",
        "Known to CSC : CP plan : LAC : SEN / EHCP : GRT",
        "Subject to CP plan",
        "I have no information to say whether the family are known to children's social care.",
        "Is the family known to social care?",
    ],
)
def test_a_forms_layout_or_a_doubt_sets_no_flag(text: str):
    assert not {"cp_plan", "known_to_social_care", "sen", "traveller"} & set(read(text))


def test_a_bullet_that_states_a_flag_counts():
    fields = read("Sam Reid, Year 4\n- Not on a CP plan\n- Known to CSC (CiN closed 2024)")
    assert (fields["cp_plan"], fields["known_to_social_care"]) == (False, True)


def test_a_new_subject_pronoun_ends_a_persons_cue():
    fields = read("Alex Petrov is leaving us. Mum handed in her letter on Monday and he'll be off "
                  "roll from 16.01.26.")
    assert fields["date_removed_from_roll"] == "2026-01-16"
    fields = read("Sam Reid has left. Mum said she can be reached on 07700 900 111.")
    assert fields["parent_phone"] == "07700900111"


def test_the_last_day_outranks_the_first_day_away():
    fields = read("Sam Reid has been absent since 2 February. His last day in school was Friday "
                  "30 January.")
    assert fields["date_last_attended"] == "2026-01-30"


def test_advice_to_remove_outranks_the_enquiries_before_it():
    text = ("We have not been able to find out where Daniela is, so I am advising that she can "
            "now be removed from the admission register under regulation 9(1)(h).")
    assert read(text)["update_outcome"] == "removal_advised"


def test_a_short_form_of_the_name_joins_the_full_one():
    fields = read("- Niamh Orla Gall, Year 3, DOB 29/01/2018", subject="Fwd: Niamh Gall - EHE")
    assert name(fields) == ("Niamh Orla", "Gall")


def test_a_school_abroad_with_a_number_and_a_patron():
    fields = read("Kacper Nowak is now at Szkoła Podstawowa nr 12 im. Jana Pawła II, in Kraków.")
    assert fields["destination_school"] == "Szkoła Podstawowa nr 12 im. Jana Pawła II"
    assert fields["update_outcome"] == "located"


def test_the_forwarder_says_a_parent_wrote_what_follows():
    text = ("Please see below – we finally have a reply from Elodie's mother.\n\nPaul\n\n"
            "De : Sophie Garnet <sophie.garnet@example.fr>\nEnvoyé : lundi 19 janvier 2026\n"
            "Objet : RE: Elodie Garnet\n\nHello Mr White,\n\nWe left England on 20 December. "
            "Elodie Garnet is now going to the Collège Les Trois Lacs in Annecy.\n\n"
            "Best regards,\nSophie Garnet\n")
    fields = read(text, subject="FW: RE: Elodie Garnet")
    assert (fields["parent_name"], fields["parent_email"]) == ("Sophie Garnet",
                                                               "sophie.garnet@example.fr")
    assert fields["destination_school"] == "Collège Les Trois Lacs"


def test_a_documents_paragraphs_one_a_line():
    letter = ("Dear Mrs Oak,\n"
              "Re: Lily Fairfax - date of birth 2nd May 2014\n"
              "I am writing to let you know that I have decided to educate my daughter Lily at "
              "home from Monday 7th September 2026.\n"
              "Please remove Lily's name from the school's admission register under Regulation "
              "9(1)(f).\n"
              "Since October she has been bullied on the bus, she is too anxious to attend and has "
              "been refusing to go in.\n"
              "Yours sincerely,\nAnna Fairfax\n")
    fields = read(letter, sent=date(2026, 9, 3))
    assert fields["reason"].startswith("Since October she has been bullied")
    assert fields["ehe_start_date"] == "2026-09-07"


# --- never fails ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
       st.text(max_size=60), st.sampled_from([None, SENT]))
def test_any_text_reads_without_failing(text: str, subject: str, sent: date | None):
    for candidate in prose_candidates(text, subject=subject, sent=sent, quoted=text):
        assert candidate.raw.strip() and 0 < candidate.score < 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "Dear Joanne,", "", "Kind regards", "Jo Bloggs", "> From: A <a@b.org>", "Sent: 4 March 2026",
    "Subject: Re: x", "- DOB 1/2/2015", "Sam Reid (Year 5) has not attended.", "\t", "..",
    "Mum: Kerry Reid 07700 900123", "12 Nash Road, Town, OX1 1AA", "Re: Sam Reid", "Tel: 0",
    "a" * 70 + ".", "Known to CSC: yes ☒", "On Mon, 2 Feb 2026, X wrote:", "Sent from my iPhone",
    "Home address", "Room 9", "They are currently at:", "Best wishes", "Tel: 01632 960 000",
]), max_size=30))
def test_any_arrangement_of_email_lines_reads_without_failing(lines: list[str]):
    prose_candidates("\n".join(lines), subject="Fwd: x", sent=SENT, quoted="\n".join(lines))


def test_a_childs_family_names_the_child():
    fields = read("I've been trying to get hold of Rosie-Mae Lovett's family all week.",
                  subject="Fwd: Rosie-Mae")
    assert name(fields) == ("Rosie-Mae", "Lovett")


def test_a_name_under_its_label_and_its_middle_names():
    fields = read("Pupil name\nBethan Tallulah REESE\nSubject to CP plan\nNo",
                  subject="EHE notification - REESE Bethan - Y10")
    assert name(fields) == ("Bethan Tallulah", "REESE")
    assert "cp_plan" not in fields  # the label's answer is the form's to read


def test_wrapped_text_without_blank_lines_keeps_its_paragraphs():
    text = (  # lines as a PDF sets them, about 85 characters wide
        "Dear Sir or Madam,\n"
        "We are writing to tell you that we are withdrawing our son Arlo Benn from Kestrel\n"
        "Junior School to educate him at home, starting on Tuesday 24 March 2026 after his\n"
        "last day in school on Friday 20 March.\n"
        "Since Christmas Arlo has been anxious and unhappy, he has been refusing to go in most\n"
        "mornings and the school have not been able to meet his needs despite our requests.\n"
        "Yours faithfully,\nCara Benn\n")
    fields = read(text)
    assert fields["reason"].startswith("Since Christmas Arlo has been anxious")
    assert fields["date_last_attended"] == "2026-03-20"
    assert fields["parent_name"] == "Cara Benn"


@pytest.mark.parametrize(
    "text",
    [
        "- Open to Children's Social Care on a Child in Need plan – social worker Leah Morrow "
        "(Kingsholme Family Safeguarding Team)",
        "I have spoken to her social worker, Leah Morrow, this morning.",
        "Leah Morrow (social worker) is aware.",
    ],
)
def test_the_social_worker(text: str):
    assert read(text)["social_worker"] == "Leah Morrow"


def test_the_writer_named_in_a_sentence_gives_the_surname():
    fields = read("Hello\n\nmy name is Marcus Reeve and i am taking my son Jaylen out of school to "
                  "home school him.\n\nThanks\nMarcus")
    assert (fields["child_forenames"], fields["child_surname"]) == ("Jaylen", "Reeve")
    assert fields["parent_name"] == "Marcus Reeve"


def test_a_parent_named_after_is_and_a_title():
    fields = read("Ibrahim Haidar has not been in. Dad is Mr Farid Haidar, mob 07700 900 694 - "
                  "tried it twice since, no answer.")
    assert (fields["parent_name"], fields["parent_phone"]) == ("Farid Haidar", "07700900694")


def test_a_couple_named_together():
    fields = read("Sam Reid has been placed with us. Foster carers: Pauline and Roy Denham – "
                  "07700 900 623")
    assert (fields["parent_name"], fields["parent_phone"]) == ("Pauline Denham", "07700900623")


LETTER = """Rebecca & Stuart Thackley
Orchard View
14 Pippin Lane
Collingford
TN12 9EZ

26th January 2026

To: The Headteacher, Collingford C of E Junior School

Dear Mrs Ash,

Re: Oliver James Thackley, Year 5, date of birth 12.03.2016

We are withdrawing our son Oliver from Collingford C of E Junior School in order to educate
him at home. Please remove his name from the admission register with effect from Monday 2nd
February 2026.

Tel: 01632 960 583 (home)

Yours sincerely,

Rebecca Thackley (mother)
Stuart Thackley (father)
"""


def test_a_parents_letter_with_its_address_block_and_contacts():
    candidates = choose(prose_candidates(LETTER, sent=date(2026, 1, 26)))
    fields = candidates.plain()
    assert (fields["child_address"], fields["child_postcode"]) == (
        "Orchard View, 14 Pippin Lane, Collingford", "TN12 9EZ")
    assert (fields["parent_name"], fields["parent_phone"]) == ("Rebecca Thackley", "01632960583")
    assert fields["school_name"] == "Collingford C of E Junior School"
    assert fields["date_removed_from_roll"] == "2026-02-02"
    # Removal "with effect from" a date in a letter about home education: that is
    # most likely when home education starts, but it is an inference, for review.
    assert fields["ehe_start_date"] == "2026-02-02" and "ehe_start_date" in candidates.review()
    assert name(fields) == ("Oliver James", "Thackley")


def test_a_forward_the_writer_announces_is_read_whatever_the_subject():
    own = "Good morning,\n\nPlease see below from our Head of Year.\n\nJanet"
    quoted = ("From: Tom Quail <t.quail@example.sch.uk>\nSent: 23 February 2026 16:48\n"
              "Subject: Missing pupil\n\nJayden Mensah, Y10, DOB 9.10.10. Last attended Friday "
              "6th Feb.\n")
    fields = read(own, subject="Missing pupil", quoted=quoted, sent=date(2026, 2, 24))
    assert name(fields) == ("Jayden", "Mensah")
    assert (fields["child_dob"], fields["date_last_attended"]) == ("2010-10-09", "2026-02-06")
    replied = read("Hi,\n\nAnswers below.\n\nKevin", subject="Missing pupil", quoted=quoted)
    assert "child_dob" not in replied


@pytest.mark.parametrize(
    "text",
    [
        "We placed the family in emergency accommodation. They are currently at:\n\nRoom 9\n"
        "The Larches Guest House\n112–114 London Road\nWealdbury\nTN23 2BB",
        "Home address\nRoom 9\nThe Larches Guest House\n112–114 London Road\nWealdbury\nTN23 2BB",
    ],
)
def test_address_lines_under_a_line_that_introduces_them(text: str):
    fields = read(text)
    assert fields["child_address"] == ("Room 9, The Larches Guest House, 112–114 London Road, "
                                       "Wealdbury")
    assert fields["child_postcode"] == "TN23 2BB"


def test_an_address_block_without_a_cue_is_nobodys():
    text = "Please post the file to:\n\nTracking Team\nCounty Hall\nNewland Road\nOX1 9XR"
    assert "child_address" not in read(text)

"""Forms and letters worded unlike any golden sample: the generic reading holds."""

from __future__ import annotations

from functools import cache

from cme.resources import SHIPPED_TEMPLATES
from parsers.message import Parser
from tests.fixtures.builders import DOCX_TYPE, Attachment, Email, docx_form, pdf_form


@cache
def parser() -> Parser:
    return Parser.from_folder(SHIPPED_TEMPLATES)


ROWS = [
    ("Pupil's legal surname", "Quaile"),
    ("Pupil's forename(s)", "Rosa May"),
    ("D.O.B", "14.02.2013"),
    ("Sex (M/F)", "F"),
    ("NC Yr", "Yr 8"),
    ("Unique Pupil No.", "B801200005001"),
    ("Home Address", "12 Appleby Way, Banbury, ox16 9zz"),
    ("Name of Parent/Carer", "Tom Quaile"),
    ("Contact Tel", "01295 000111"),
    ("School currently attended", "Banbury Meadows Academy"),
    ("Date last in school", "3rd March 2026"),
    ("Reason for referral", "Family left the area suddenly; no CTF requested."),
    ("Referrer Name", "Jo Bloggs"),
    ("Designation", "Attendance Lead"),
    ("Telephone", "01295 000222"),
    ("Email", "jo.bloggs@meadows.example.sch.uk"),
]
EXPECTED = {
    "child_surname": "Quaile",
    "child_forenames": "Rosa May",
    "child_dob": "2013-02-14",
    "child_gender": "F",
    "child_year_group": "8",
    "child_upn": "B801200005001",
    "child_address": "12 Appleby Way, Banbury",
    "child_postcode": "OX16 9ZZ",
    "parent_name": "Tom Quaile",
    "parent_phone": "01295000111",
    "school_name": "Banbury Meadows Academy",
    "date_last_attended": "2026-03-03",
    "reason": "Family left the area suddenly; no CTF requested.",
    "referrer_name": "Jo Bloggs",
    "referrer_role": "Attendance Lead",
    "referrer_phone": "01295000222",
    "referrer_email": "jo.bloggs@meadows.example.sch.uk",
    # completed at the school that sends it (FIELDS.md: the referrer's organisation)
    "referrer_organisation": "Banbury Meadows Academy",
}


def _email(attachment: Attachment) -> bytes:
    return Email(
        sender="jo.bloggs@meadows.example.sch.uk",
        subject="Child missing education referral",
        body="Please see attached form.\n\nThanks\nJo",
        attachments=[attachment],
    ).to_bytes()


def test_a_new_docx_form_with_other_labels():
    form = Attachment(
        "form.docx", docx_form("Notification of a Child Missing Education", ROWS), DOCX_TYPE
    )
    result = parser().parse_email(_email(form))
    assert result.kind == "cme_notification"
    assert result.fields == EXPECTED
    assert result.needs_review == []  # "Jo" signing is the form's "Jo Bloggs"


def test_the_same_form_as_a_pdf():
    form = Attachment(
        "form.pdf", pdf_form("Notification of a Child Missing Education", ROWS), "application/pdf"
    )
    assert parser().parse_email(_email(form)).fields == EXPECTED


def test_a_parent_letter_in_other_words():
    body = (
        "14 Orchard Lane\nBicester\nOX26 1AB\n\nDear Mrs Head,\n\n"
        "Re: Sam Jones (DOB 05/09/2015)\n\nI am writing to inform you that from 1st April "
        "2026 I will be electively home educating my son Sam. Please remove his name from "
        "the school roll at Bicester Park Primary School.\n\nYours sincerely,\n\nAnna Jones\n"
    )
    result = parser().parse_email(
        Email(
            sender="anna.jones@mail.example.org.uk", subject="Removal from school", body=body
        ).to_bytes()
    )
    assert result.kind == "ehe_notification"
    fields = result.fields
    assert (fields["child_forenames"], fields["child_surname"]) == ("Sam", "Jones")
    assert fields["child_dob"] == "2015-09-05" and fields["ehe_start_date"] == "2026-04-01"
    assert fields["parent_name"] == "Anna Jones" and fields["child_gender"] == "M"
    assert fields["school_name"] == "Bicester Park Primary School"
    assert fields["child_postcode"] == "OX26 1AB"


def test_an_agency_concern_in_prose():
    body = (
        "Hello,\n\nI'm a health visitor and wanted to flag a concern. Jamie Smith, born 12 "
        "March 2016, is not attending school since the family moved into temporary "
        "accommodation at 5 River Court, Didcot, OX11 7AA. Mum (Kerry Smith) can be reached "
        "on 07700 900777.\n\nBest wishes\n\nChris Patel\nHealth Visitor\n"
        "Didcot Health Centre\n"
    )
    result = parser().parse_email(
        Email(
            sender="chris.patel@didcot.example.nhs.uk", subject="Concern about a child", body=body
        ).to_bytes()
    )
    assert result.kind == "agency_referral"
    fields = result.fields
    assert (fields["child_forenames"], fields["child_surname"]) == ("Jamie", "Smith")
    assert fields["parent_name"] == "Kerry Smith" and fields["parent_phone"] == "07700900777"
    assert fields["child_address"] == "5 River Court, Didcot"
    assert fields["referrer_organisation"] == "Didcot Health Centre"


def test_a_worked_example_of_the_form_names_no_child():
    """A council's blank form sent round with a filled specimen: its values are
    invented to show how to fill it in, so the message is not about a child."""
    rows = [("Heading", "WORKED EXAMPLE (fictitious - for guidance only)"), *ROWS]
    form = Attachment("form.docx", docx_form("CME notification form", rows), DOCX_TYPE)
    result = parser().parse_email(_email(form))
    assert result.kind == "other"
    assert not any(name.startswith("child_") for name in result.fields)
    warnings = [w for d in result.documents for w in d.warnings]
    assert any("worked example or specimen" in w for w in warnings)

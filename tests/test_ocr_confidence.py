"""What OCR read is never acted on unchecked: every value from it goes to review."""

from __future__ import annotations

from dataclasses import replace

from cme.resources import SHIPPED_TEMPLATES
from parsers.document import Extract, Pair
from parsers.message import Parser

PAIRS = [Pair("Surname", "Hughes"), Pair("Forename(s)", "Sam"), Pair("Date of birth", "03/04/2015"),
         Pair("Child protection plan", "No")]


def read_as(extract: Extract):
    return lambda _format, _data: extract


def test_values_read_by_ocr_are_all_on_review():
    typed = Parser.from_folder(SHIPPED_TEMPLATES, read=read_as(Extract(pairs=list(PAIRS))))
    scanned = replace(typed, read=read_as(Extract(pairs=list(PAIRS), ocr=True)))
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    clear = typed.merge("form.pdf", typed.parse_document(pdf, "form.pdf"))
    ocr = scanned.merge("scan.pdf", scanned.parse_document(pdf, "scan.pdf"))
    assert clear.fields == ocr.fields and clear.fields["child_surname"] == "Hughes"
    assert not {"child_surname", "child_dob"} & set(clear.needs_review)
    assert set(ocr.fields) <= set(ocr.needs_review)

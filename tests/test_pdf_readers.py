"""PDF readers: text layouts (pdfplumber), fillable forms (pypdf), golden and hostile files.

Small PDFs are drawn here with reportlab, one per layout, so each test shows
the layout it is about; the golden emails' PDFs then check the readers against
what the generator says each form states.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from cme.resources import SAMPLES
from parsers.document import Extract, ReadError
from parsers.readers.acroform import read_acroform
from parsers.readers.pdf import read_pdf
from parsers.readers.pdf_words import DAMAGED, ENCRYPTED, MAX_PAGES, SCAN

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EMAILS = SAMPLES
BAD = FIXTURES / "bad"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def make_pdf(*pages: Callable[[Canvas], None], encrypt: StandardEncryption | None = None
             ) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, encrypt=encrypt)
    for draw in pages:
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def text(canvas: Canvas, x: float, y: float, words: str, font: str = "Helvetica",
         size: float = 10) -> None:
    canvas.setFont(font, size)
    canvas.drawString(x, y, words)


def pairs(extract: Extract) -> list[tuple[str, str]]:
    return [(p.label, p.value) for p in extract.pairs]


def read_any(data: bytes) -> Extract:
    """What the reader registry does with a PDF: fields if it has any, else the page."""
    return read_acroform(data) or read_pdf(data)


# Text layouts


def test_label_and_value_on_one_line_with_wrapped_value_and_colon() -> None:
    def page(c: Canvas) -> None:
        text(c, 50, 780, "PUPIL DETAILS", "Helvetica-Bold", 12)
        text(c, 50, 760, "Surname", "Helvetica-Bold")
        text(c, 230, 760, "Hughes")
        text(c, 50, 745, "Reason for concern", "Helvetica-Bold")
        text(c, 230, 745, "Two home visits found the house empty and the")
        text(c, 230, 732, "neighbours say the family left in January.")
        text(c, 50, 715, "Date of birth: 01/02/2015")
        text(c, 50, 700, "Seen at 10:30 by the attendance officer")

    extract = read_pdf(make_pdf(page))
    assert pairs(extract) == [
        ("Surname", "Hughes"),
        ("Reason for concern", "Two home visits found the house empty and the neighbours say "
                               "the family left in January."),
        ("Date of birth", "01/02/2015"),
    ]
    assert {p.section for p in extract.pairs} == {"PUPIL DETAILS"}
    assert extract.pairs[0].where == "page 1"
    assert extract.text.splitlines()[:2] == ["PUPIL DETAILS", "Surname Hughes"]


def test_label_above_its_value_and_headings_are_not_pairs() -> None:
    def page(c: Canvas) -> None:
        text(c, 50, 780, "Tell us about a child", "Helvetica-Bold", 14)
        text(c, 50, 755, "About the child", "Helvetica-Bold", 12)
        text(c, 50, 735, "Child's surname", "Helvetica-Bold", 8)
        text(c, 56, 722, "Mockridge", size=11)
        text(c, 50, 700, "Address", "Helvetica-Bold", 8)
        text(c, 56, 687, "70 Millrace Lane", size=11)
        text(c, 56, 673, "Wenlow", size=11)
        text(c, 50, 650, "Parent or carer", "Helvetica-Bold", 12)
        text(c, 50, 630, "Name", "Helvetica-Bold", 8)
        text(c, 56, 617, "Mark Mockridge", size=11)

    extract = read_pdf(make_pdf(page))
    assert pairs(extract) == [
        ("Child's surname", "Mockridge"),
        ("Address", "70 Millrace Lane, Wenlow"),
        ("Name", "Mark Mockridge"),
    ]
    assert [p.section for p in extract.pairs] == ["About the child", "About the child",
                                                  "Parent or carer"]


def grid(c: Canvas, top: float, rows: list[list[str]], widths: list[float], *,
         bold_first_row: bool = False, bold_first_column: bool = False) -> None:
    """A ruled table, one rectangle per cell; a one-item row spans the whole table."""
    y = top
    for r, row in enumerate(rows):
        x = 50.0
        spans = [sum(widths)] if len(row) == 1 else widths
        for k, (cell, width) in enumerate(zip(row, spans, strict=True)):
            c.rect(x, y - 20, width, 20)
            bold = (bold_first_row and r == 0) or (bold_first_column and k == 0) or len(row) == 1
            text(c, x + 4, y - 14, cell, "Helvetica-Bold" if bold else "Helvetica", 9)
            x += width
        y -= 20


def test_drawn_two_column_table_gives_each_pair_once() -> None:
    rows = [["PUPIL DETAILS"], ["SURNAME", "Thistlewood"], ["FORENAMES", "Zara"],
            ["SIBLINGS", ""], ["REFERRER"], ["NAME", "Sophie Hollowell"]]
    extract = read_pdf(make_pdf(lambda c: grid(c, 780, rows, [150, 300],
                                               bold_first_column=True)))
    assert pairs(extract) == [("SURNAME", "Thistlewood"), ("FORENAMES", "Zara"),
                              ("SIBLINGS", ""), ("NAME", "Sophie Hollowell")]
    assert max(Counter(pairs(extract)).values()) == 1
    assert [p.section for p in extract.pairs] == ["PUPIL DETAILS"] * 3 + ["REFERRER"]
    assert extract.pairs[0].where == "page 1 table 1 row 2"
    assert "SURNAME Thistlewood" in extract.text.splitlines()


def test_lines_broken_by_hand_keep_a_comma_and_wrapped_lines_do_not() -> None:
    reason = "The family left in January and no school has asked for the records since."
    # As a word processor wraps: each line as full as the cell (200pt less padding) allows.
    wrapped = simpleSplit(reason, "Helvetica", 9, 192)

    def page(c: Canvas) -> None:
        for top, label, lines in ((780, "Address", ["12 High Street", "Oxford"]),
                                  (740, "Reason", wrapped)):
            c.rect(50, top - 40, 150, 40)
            c.rect(200, top - 40, 200, 40)
            text(c, 54, top - 14, label, "Helvetica-Bold", 9)
            for n, line in enumerate(lines):
                text(c, 204, top - 14 - 13 * n, line, size=9)

    assert len(wrapped) == 2
    assert pairs(read_pdf(make_pdf(page))) == [("Address", "12 High Street, Oxford"),
                                               ("Reason", reason)]


def test_two_pairs_on_one_line_with_bold_labels() -> None:
    def page(c: Canvas) -> None:
        text(c, 50, 780, "Surname", "Helvetica-Bold")
        text(c, 150, 780, "Hughes")
        text(c, 300, 780, "Forename", "Helvetica-Bold")
        text(c, 400, 780, "Ella")

    assert pairs(read_pdf(make_pdf(page))) == [("Surname", "Hughes"), ("Forename", "Ella")]


def test_header_row_then_values_row_table() -> None:
    rows = [["Surname", "Forename", "Date of birth"], ["Hughes", "Ella", "03/04/2016"]]
    extract = read_pdf(make_pdf(lambda c: grid(c, 780, rows, [120, 120, 120],
                                               bold_first_row=True)))
    assert pairs(extract) == [("Surname", "Hughes"), ("Forename", "Ella"),
                              ("Date of birth", "03/04/2016")]


def test_tick_in_a_yes_no_column_becomes_the_heading() -> None:
    rows = [["Question", "Yes", "No"], ["Private fostering", "", "X"],
            ["Known to social care", "X", ""]]
    extract = read_pdf(make_pdf(lambda c: grid(c, 780, rows, [200, 50, 50],
                                               bold_first_row=True)))
    assert pairs(extract) == [("Private fostering", "No"), ("Known to social care", "Yes")]


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs a font with tick-box glyphs")
def test_tick_glyphs_stay_in_the_value() -> None:
    pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))

    def page(c: Canvas) -> None:
        text(c, 50, 780, "Known to social care")
        text(c, 230, 780, "Yes ☒  No ☐", "DejaVu")
        text(c, 50, 760, "Looked after")
        text(c, 230, 760, "✓", "DejaVu")

    assert pairs(read_pdf(make_pdf(page))) == [("Known to social care", "Yes ☒ No ☐"),
                                               ("Looked after", "☒")]


def test_pages_are_read_in_order() -> None:
    extract = read_pdf(make_pdf(lambda c: text(c, 50, 780, "Surname: Hughes"),
                                lambda c: text(c, 50, 780, "School: Kestrel Primary")))
    assert pairs(extract) == [("Surname", "Hughes"), ("School", "Kestrel Primary")]
    assert [p.where for p in extract.pairs] == ["page 1", "page 2"]
    assert extract.text == "Surname: Hughes\nSchool: Kestrel Primary"


def test_reading_stops_after_the_page_limit() -> None:
    pages = [lambda c, n=n: text(c, 50, 780, f"Page marker {n}") for n in range(1, 56)]
    extract = read_pdf(make_pdf(*pages))
    assert f"Page marker {MAX_PAGES}" in extract.text
    assert f"Page marker {MAX_PAGES + 1}" not in extract.text
    assert extract.warnings == [f"the PDF has 55 pages: only the first {MAX_PAGES} were read"]


def test_a_page_without_text_is_a_scan() -> None:
    extract = read_pdf(make_pdf(lambda c: c.rect(50, 50, 400, 600, fill=1)))
    assert extract.pairs == [] and extract.text == ""
    assert extract.warnings == [SCAN]


# Errors


def test_encrypted_pdf_is_refused_with_its_reason() -> None:
    data = make_pdf(lambda c: text(c, 50, 780, "Surname: Hughes"),
                    encrypt=StandardEncryption("secret"))
    for reader in (read_pdf, read_acroform):
        with pytest.raises(ReadError) as caught:
            reader(data)
        assert caught.value.reason == ENCRYPTED


def test_pdf_locked_only_against_editing_is_read() -> None:
    data = make_pdf(lambda c: text(c, 50, 780, "Surname: Hughes"),
                    encrypt=StandardEncryption("", ownerPassword="owner", canModify=0))
    assert read_acroform(data) is None
    assert pairs(read_pdf(data)) == [("Surname", "Hughes")]


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4\n garbage", b"not a pdf at all",
                                  make_pdf(lambda c: text(c, 50, 780, "Hi"))[:400]],
                         ids=["empty", "garbage", "not-pdf", "truncated"])
def test_damaged_pdf_is_refused_with_its_reason(data: bytes) -> None:
    for reader in (read_pdf, read_acroform):
        with pytest.raises(ReadError) as caught:
            reader(data)
        assert caught.value.reason == DAMAGED


# Fillable forms


def test_plain_pdf_has_no_fillable_fields() -> None:
    assert read_acroform(make_pdf(lambda c: text(c, 50, 780, "Surname: Hughes"))) is None


def test_tooltips_label_fields_and_yes_no_boxes_share_a_pair() -> None:
    def page(c: Canvas) -> None:
        text(c, 50, 800, "About the child", "Helvetica-Bold", 12)
        c.acroForm.textfield(name="Text1", tooltip="Child surname", value="Hughes",
                             x=50, y=760, width=300, height=18)
        c.acroForm.textfield(name="Text2", tooltip="Previous school", value="",
                             x=50, y=730, width=300, height=18)
        for n, (word, on) in enumerate((("Yes", False), ("No", True)), 3):
            c.acroForm.checkbox(name=f"Check Box{n}", tooltip=f"Looked after: {word}",
                                checked=on, x=50 + 60 * n, y=700, size=12)
        c.acroForm.checkbox(name="Check Box5", tooltip="Child has an EHCP", checked=True,
                            x=50, y=670, size=12)
        c.acroForm.textfield(name="Text6", tooltip="Address", value="12 High Street\nOxford",
                             x=50, y=600, width=300, height=30, fieldFlags="multiline")

    extract = read_acroform(make_pdf(page))
    assert extract is not None
    assert pairs(extract) == [("Child surname", "Hughes"), ("Previous school", ""),
                              ("Looked after", "Yes ☐ No ☒"), ("Child has an EHCP", "☒"),
                              ("Address", "12 High Street, Oxford")]
    assert extract.pairs[0].where == "field Text1"
    assert extract.pairs[0].section == "About the child"
    assert extract.pairs[2].where == "fields Check Box3, Check Box4"
    assert "About the child" in extract.text


def test_meaningless_names_take_the_printed_label_left_or_above() -> None:
    def page(c: Canvas) -> None:
        text(c, 50, 785, "Surname", size=9)
        c.acroForm.textfield(name="Text1", value="Hughes", x=220, y=780, width=200, height=18)
        text(c, 50, 755, "Known to social care", size=9)
        c.acroForm.checkbox(name="Check Box2", checked=True, x=220, y=752, size=12)
        text(c, 236, 755, "Yes", size=9)
        c.acroForm.checkbox(name="Check Box3", checked=False, x=280, y=752, size=12)
        text(c, 296, 755, "No", size=9)
        text(c, 50, 720, "Date last attended", size=9)
        c.acroForm.textfield(name="fill_4", value="19/01/2026", x=50, y=695, width=200,
                             height=18)
        c.acroForm.textfield(name="child_first_name", value="Ella", x=300, y=695, width=200,
                             height=18)

    extract = read_acroform(make_pdf(page))
    assert extract is not None
    assert pairs(extract) == [("Surname", "Hughes"), ("Known to social care", "Yes ☒ No ☐"),
                              ("Date last attended", "19/01/2026"),
                              ("child first name", "Ella")]
    assert extract.warnings == []


def test_radio_group_gives_the_chosen_export_value() -> None:
    def page(c: Canvas) -> None:
        text(c, 50, 785, "Gender", size=9)
        for n, (value, chosen) in enumerate((("Female", False), ("Male", True))):
            c.acroForm.radio(name="Radio1", value=value, selected=chosen, x=220 + 60 * n,
                             y=782, size=12)

    extract = read_acroform(make_pdf(page))
    assert extract is not None
    assert pairs(extract) == [("Gender", "Male")]


# Golden emails and hostile files

CHECKED = ("child_surname", "child_forenames", "child_address", "child_postcode", "child_upn",
           "parent_name", "parent_email", "school_name", "reason", "referrer_name",
           "referrer_role", "referrer_organisation", "referrer_email")
GOLDEN = sorted(EMAILS.glob("*pdf*.eml"))


def words(value: str) -> str:
    """Compared as words: dates, case and commas are the normalisers' business."""
    return " ".join(re.sub(r"[,;]", " ", value).casefold().split())


def attached_pdfs(path: Path) -> list[bytes]:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return [part.get_payload(decode=True) for part in message.walk()
            if part.get_content_type() == "application/pdf"]


def independent_text(data: bytes) -> str:
    """What the PDF says, read by pypdf alone: where a value must be found at all."""
    reader = PdfReader(io.BytesIO(data))
    fields = reader.get_fields() or {}
    said = [page.extract_text() or "" for page in reader.pages]
    return words(" ".join(said + [str(f.get("/V", "")) for f in fields.values()]))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_pdf_values_are_in_the_pairs(path: Path) -> None:
    expected = json.loads(path.with_name(f"{path.stem}.expected.json").read_text())["fields"]
    documents = attached_pdfs(path)
    assert documents
    prose = "letter" in path.stem or "invoice" in path.stem
    for data in documents:
        extract = read_any(data)
        assert extract.warnings == []
        said = independent_text(data)
        values = [words(p.value) for p in extract.pairs]
        stated = [name for name in CHECKED if isinstance(expected.get(name), str)
                  and words(expected[name]) in said]
        for name in stated:
            if prose:
                assert words(expected[name]) in words(extract.text), name
            else:
                assert any(words(expected[name]) in v for v in values), name
        assert prose or len(stated) >= 8


def test_golden_fillable_tick_boxes_read_as_yes_no() -> None:
    [data] = attached_pdfs(EMAILS / "cme-school-pdf-acroform-printed-01.eml")
    found = dict(pairs(read_any(data)))
    # expected.json: known_to_social_care true, cp_plan false
    assert found["Known to social care"] == "Yes ☒ No ☐"
    assert found["Child protection plan"] == "Yes ☐ No ☒"


@pytest.mark.parametrize(("name", "reason"), [("corrupt.pdf", DAMAGED),
                                              ("encrypted.pdf", ENCRYPTED)])
def test_hostile_pdf_is_refused_quickly_without_traceback(
        name: str, reason: str, capfd: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    with pytest.raises(ReadError) as caught:
        read_any((BAD / name).read_bytes())
    assert time.perf_counter() - started < 1.0
    assert caught.value.reason == reason
    assert "Traceback" not in capfd.readouterr().err


def test_pdf_under_a_docx_name_reads_as_a_pdf() -> None:
    started = time.perf_counter()
    extract = read_any((BAD / "lying-extension.docx").read_bytes())
    assert time.perf_counter() - started < 1.0
    assert ("Surname", "Sampleton") in pairs(extract)

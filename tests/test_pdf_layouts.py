"""PDF layouts councils draw: tables read in bands, sections over page breaks.

Each PDF is drawn here with reportlab, so the test shows the layout it is about.
"""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from parsers.readers.pdf import read_pdf
from parsers.readers.pdf_words import section_title
from tests.test_pdf_readers import make_pdf, pairs, text

Row = list[tuple[str, float]]  # (text, width) per cell


def table(c: Canvas, top: float, rows: list[Row], *, bold_rows: tuple[int, ...] = ()) -> None:
    """A ruled table whose rows have their own cells (a heading merged across,
    label | value rows, a question with Yes / No columns). Headings, Yes / No and
    labels are bold, and so are the rows in ``bold_rows``."""
    y = top
    for r, row in enumerate(rows):
        x = 50.0
        for k, (cell, width) in enumerate(row):
            c.rect(x, y - 18, width, 18)
            heading = (len(row) == 1 and len(cell) <= 60) or cell in ("Yes", "No")
            bold = heading or r in bold_rows or (k == 0 and len(row) == 2)
            text(c, x + 4, y - 13, cell, "Helvetica-Bold" if bold else "Helvetica", 9)
            x += width
        y -= 18


def test_a_table_of_headings_pairs_and_yes_no_columns_is_read_band_by_band() -> None:
    rows: list[Row] = [
        [("PART A Child", 450)],
        [("Surname", 150), ("Fenwick", 300)],
        [("Date of birth", 150), ("14/03/2016", 300)],
        [("", 350), ("Yes", 50), ("No", 50)],
        [("Is the child known to social care?", 350), ("X", 50), ("", 50)],
        [("Is the child looked after?", 350), ("", 50), ("X", 50)],
        [("Does the child have an EHCP?", 350), ("", 50), ("", 50)],
        [("PART B Parent / carer", 450)],
        [("Name", 150), ("Dana Fenwick", 300)],
    ]
    extract = read_pdf(make_pdf(lambda c: table(c, 780, rows)))
    assert pairs(extract) == [
        ("Surname", "Fenwick"),
        ("Date of birth", "14/03/2016"),
        ("Is the child known to social care?", "Yes"),
        ("Is the child looked after?", "No"),
        ("Does the child have an EHCP?", ""),  # nothing marked: says nothing
        ("Name", "Dana Fenwick"),
    ]
    assert [p.section for p in extract.pairs] == ["PART A Child"] * 5 + ["PART B Parent / carer"]


def test_a_full_width_label_row_over_its_answer_is_a_pair() -> None:
    reason = ("The family left the address in January; neighbours think they moved to "
              "Leeds. No school has asked for the records.")
    rows: list[Row] = [[("Reason for referral", 450)], [(reason[:87], 450)]]
    extract = read_pdf(make_pdf(lambda c: table(c, 780, rows)))
    assert pairs(extract) == [("Reason for referral", reason[:87])]


def test_columns_of_a_log_under_a_heading_pair_with_their_own_headings() -> None:
    rows: list[Row] = [
        [("Home visits", 450)],
        [("Date", 150), ("By", 100), ("Outcome", 200)],
        [("10/02/2026", 150), ("ESW", 100), ("No answer", 200)],
    ]
    extract = read_pdf(make_pdf(lambda c: table(c, 780, rows, bold_rows=(1,))))
    assert pairs(extract) == [
        ("Date", "10/02/2026"), ("By", "ESW"), ("Outcome", "No answer")
    ]


def _form_page(heading: str, label: str, value: str, number: int) -> object:
    def draw(c: Canvas) -> None:
        text(c, 50, 815, "Wenlow Council · OFFICIAL-SENSITIVE", "Helvetica-Bold", 8)
        if heading:
            text(c, 50, 760, heading, "Helvetica-Bold", 12)
        text(c, 50, 730, f"{label}:", size=10)
        text(c, 200, 730, value, size=10)
        text(c, 50, 30, f"Page {number} of 2", size=8)

    return draw


def test_a_section_that_runs_on_to_the_next_page_keeps_its_heading() -> None:
    data = make_pdf(
        _form_page("Parent / carer", "Name", "Dana Fenwick", 1),
        _form_page("Parent / carer (continued)", "Telephone", "07700 900123", 2),
    )
    extract = read_pdf(data)
    assert pairs(extract) == [("Name", "Dana Fenwick"), ("Telephone", "07700 900123")]
    assert [p.section for p in extract.pairs] == ["Parent / carer", "Parent / carer"]
    # The running header and footer stay in the text.
    assert extract.text.count("Wenlow Council · OFFICIAL-SENSITIVE") == 2


def test_a_running_header_on_the_next_page_is_not_a_new_section() -> None:
    data = make_pdf(
        _form_page("Parent / carer", "Name", "Dana Fenwick", 1),
        _form_page("", "Telephone", "07700 900123", 2),
    )
    assert [p.section for p in read_pdf(data).pairs] == ["Parent / carer", "Parent / carer"]


def test_continuation_marks_are_not_part_of_a_section_name() -> None:
    for heading in ("Parents (continued)", "Parents – continued", "Parents cont.",
                    "Parents (cont'd)"):
        assert section_title(heading) == "Parents"
    assert section_title("Continued") == "Continued"
    assert section_title("Contact details") == "Contact details"

"""RTF, ODT and XLSX: forms and returns sent in the other office formats.

Each document is built here (a hand-written RTF string, odfpy, openpyxl), with a
hostile or broken one per format, read through the sandbox as the daemon would.
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime

import pytest
from odf.opendocument import OpenDocumentText
from odf.style import Footer, Header, MasterPage, PageLayout
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, P
from openpyxl import Workbook

from parsers.document import ReadError
from parsers.formats import detect
from parsers.readers.odt import read_odt
from parsers.readers.rtf import read_rtf
from parsers.readers.xlsx import read_xlsx
from parsers.sandbox import Limits, Sandbox

# RTF -------------------------------------------------------------------------

ROW = r"\trowd\cellx3400\cellx9638 \pard\intbl {label}\cell\pard\intbl {value}\cell\row" "\n"
CHECKBOX = (r"{\field{\*\fldinst{ FORMCHECKBOX {\*\formfield{\fftype1\ffres{state}"
            r"\ffdefres0{\*\ffname Check1}}}}}{\fldrslt }}")


def rtf_form(*, close: bool = True) -> bytes:
    rows = [
        ROW.format(label="Surname", value=r"\'d3 Briain"),
        ROW.format(label="Date of birth", value="17/01/2016"),
        ROW.format(label="Looked after", value=r"[  ] Yes    [X] No"),
        ROW.format(label="Known to social care",
                   value=CHECKBOX.replace("{state}", "1") + " Yes "
                   + CHECKBOX.replace("{state}", "0") + " No"),
        ROW.format(label="Notes", value="see attached | page 2"),
    ]
    text = (
        r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
        "\n" r"{\header\pard St Brigid\u8217?s Primary School\par}"
        "\n" r"{\footer\pard Return to: Inclusion Service\par}"
        "\n" r"\pard\b CME Referral Form\b0\par"
        "\n" r"\pard School: St Brigid\u8217?s Primary School\par"
        "\n" r"\trowd\cellx9638 \pard\intbl CHILD\cell\row" "\n" + "".join(rows)
        + r"\pard Reason: left the area\par" + ("}" if close else "")
    )
    return text.encode("ascii")


def test_rtf_tables_boxes_and_headers_are_read() -> None:
    extract = read_rtf(rtf_form())
    found = [(p.label, p.value, p.where, p.section) for p in extract.pairs]
    assert ("School", "St Brigid’s Primary School", "paragraph 1", "") in found
    assert ("Surname", "Ó Briain", "table row 2", "CHILD") in found
    assert ("Date of birth", "17/01/2016", "table row 3", "CHILD") in found
    assert ("Looked after", "☐ Yes ☒ No", "table row 4", "CHILD") in found
    assert ("Known to social care", "☒ Yes ☐ No", "table row 5", "CHILD") in found
    assert ("Notes", "see attached | page 2", "table row 6", "CHILD") in found
    assert ("Return to", "Inclusion Service", "footer", "") in found
    lines = extract.text.splitlines()
    assert lines[0] == "St Brigid’s Primary School"  # the header, first
    assert "Surname | Ó Briain" in lines
    assert lines[-1] == "Return to: Inclusion Service"
    assert extract.warnings == []


def test_an_rtf_cut_short_is_read_with_a_warning() -> None:
    data = rtf_form(close=False)
    assert detect("form.rtf", "application/msword", data).format == "rtf"
    extract = read_rtf(data)
    assert ("Surname", "Ó Briain") in [(p.label, p.value) for p in extract.pairs]
    assert extract.warnings == [
        "the RTF document ends before it is complete (a closing brace is missing, "
        "cut short?): what is there was read"
    ]


# ODT -------------------------------------------------------------------------


def cell(text: str) -> TableCell:
    found = TableCell()
    found.addElement(P(text=text))
    return found


def row(*texts: str) -> TableRow:
    found = TableRow()
    for text in texts:
        found.addElement(cell(text))
    return found


def odt_form() -> bytes:
    document = OpenDocumentText()
    layout = PageLayout(name="Page")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    header, footer = Header(), Footer()
    header.addElement(P(text="Ravensby Brook Primary School"))
    footer.addElement(P(text="Form EHE-1"))
    master.addElement(header)
    master.addElement(footer)
    document.masterstyles.addElement(master)
    document.text.addElement(H(outlinelevel=1, text="Elective home education"))
    document.text.addElement(P(text="Date of letter: 6 January 2026"))
    table = Table(name="Child")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    table.addElement(row("Surname", "Whitlock"))
    table.addElement(row("Date of birth", "12/05/2019"))
    parents = row("Parents", "")
    inner = Table(name="Parents")
    inner.addElement(row("Name", "Aisha Whitlock"))
    inner.addElement(row("Phone", "07700 900275"))
    parents.childNodes[1].addElement(inner)
    table.addElement(parents)
    document.text.addElement(table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_odt_headings_paragraphs_tables_and_nested_tables_are_read() -> None:
    data = odt_form()
    assert detect("letter.odt", None, data).format == "odt"
    extract = read_odt(data)
    found = [(p.label, p.value, p.where, p.section) for p in extract.pairs]
    assert ("Date of letter", "6 January 2026", "paragraph 1", "Elective home education") in found
    assert ("Surname", "Whitlock", "table row 1", "Elective home education") in found
    assert ("Name", "Aisha Whitlock", "table row 1", "Parents") in found
    assert ("Phone", "07700 900275", "table row 2", "Parents") in found
    lines = extract.text.splitlines()
    assert lines[0] == "Ravensby Brook Primary School" and lines[-1] == "Form EHE-1"
    assert lines.index("Name | Aisha Whitlock") == lines.index("Parents") + 1


def test_a_truncated_odt_is_refused_as_damaged() -> None:
    data = odt_form()[:900]
    assert detect("letter.odt", None, data).format == "odt"
    with pytest.raises(ReadError, match="damaged or incomplete"):
        read_odt(data)


def test_an_odt_declaring_entities_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(odt_form()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "content.xml":
                content = content.replace(
                    b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', 1)
            package.writestr(info, content)
    with pytest.raises(ReadError, match="entities"):
        read_odt(out.getvalue())


# XLSX ------------------------------------------------------------------------


def workbook(*data_rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Deletions"
    sheet.append(["School Name", "Pupil Surname", "DOB", "NC Year", "EHCP", "Off roll"])
    for data_row in data_rows:
        sheet.append(data_row)
    form = book.create_sheet("Contact")
    form.append(["Completed by", "Daniel Okafor"])
    form.append(["Role", "Data Manager"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PUPIL = ["Kettleby Park Academy", "Mensah", datetime(2009, 10, 5), 11.0, False, date(2026, 1, 26)]


def test_a_deletion_return_maps_its_header_row_onto_each_data_row() -> None:
    data = workbook(PUPIL)
    assert detect("return.xlsx", None, data).format == "xlsx"
    extract = read_xlsx(data)
    found = [(p.label, p.value, p.where) for p in extract.pairs]
    assert found[:6] == [
        ("School Name", "Kettleby Park Academy", "sheet Deletions row 2"),
        ("Pupil Surname", "Mensah", "sheet Deletions row 2"),
        ("DOB", "05/10/2009", "sheet Deletions row 2"),
        ("NC Year", "11", "sheet Deletions row 2"),
        ("EHCP", "No", "sheet Deletions row 2"),
        ("Off roll", "26/01/2026", "sheet Deletions row 2"),
    ]
    assert ("Completed by", "Daniel Okafor", "sheet Contact row 1") in found  # the second sheet
    assert "Sheet: Contact" in extract.text.splitlines()
    assert extract.warnings == []


def test_several_data_rows_are_each_read_and_flagged() -> None:
    extract = read_xlsx(workbook(PUPIL, ["Kettleby Park Academy", "Osei", "03/04/2015"]))
    assert ("Pupil Surname", "Osei") in [(p.label, p.value) for p in extract.pairs]
    assert extract.warnings == [
        "the sheet 'Deletions' has 2 rows of data under its header: each was read; "
        "check they are about one child"
    ]


def test_a_return_with_a_title_above_its_header_and_an_example_row() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Return"
    sheet.append(["Kettleby County Council – pupils removed with no known destination"])
    sheet.append(["One row per pupil. Do not change the headings."])
    sheet.append(["School Name", "Pupil Surname", "DOB", "NC Year"])
    sheet.append(["EXAMPLE – delete this row", "SMITH", "01/01/2016", "5"])
    sheet.append(["Kettleby Park Academy", "Mensah", "05/10/2009", "11"])
    buffer = io.BytesIO()
    book.save(buffer)
    extract = read_xlsx(buffer.getvalue())
    found = [(p.label, p.value, p.where) for p in extract.pairs]
    assert found == [("School Name", "Kettleby Park Academy", "sheet Return row 5"),
                     ("Pupil Surname", "Mensah", "sheet Return row 5"),
                     ("DOB", "05/10/2009", "sheet Return row 5"),
                     ("NC Year", "11", "sheet Return row 5")]
    assert extract.warnings == ["the sheet 'Return' row 4 is an example row: not read"]
    assert "One row per pupil. Do not change the headings." in extract.text


def test_a_truncated_xlsx_is_refused_as_damaged() -> None:
    data = workbook(PUPIL)
    cut = data[: len(data) * 3 // 5]
    assert detect("return.xlsx", None, cut).format == "xlsx"
    with pytest.raises(ReadError, match="damaged or incomplete"):
        read_xlsx(cut)


def test_an_xlsx_zip_bomb_is_refused_before_unpacking() -> None:
    source = zipfile.ZipFile(io.BytesIO(workbook(PUPIL)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            package.writestr(info.filename, source.read(info.filename))
        package.writestr("xl/media/padding.bin", b"\0" * 40_000_000)
    with pytest.raises(ReadError, match="zip bomb"):
        read_xlsx(out.getvalue())


# Through the sandbox, as the daemon reads ----------------------------------------


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(Limits(timeout=20, memory_mb=512))
    yield box
    box.close()


@pytest.mark.parametrize(
    ("fmt", "data", "warning"),
    [
        ("xlsx", workbook(PUPIL)[:2000], "damaged"),
        ("odt", odt_form()[:900], "damaged"),
        ("rtf", rtf_form(close=False), "cut short"),
    ],
    ids=["truncated-xlsx", "truncated-odt", "unclosed-rtf"],
)
def test_hostile_office_files_fail_alone_with_a_clear_reason(sandbox, fmt, data, warning):
    started = time.monotonic()
    try:
        extract = sandbox(fmt, data)
        reasons = extract.warnings
    except ReadError as exc:
        reasons = [exc.reason]
    assert time.monotonic() - started < 20
    assert any(warning in r for r in reasons), reasons

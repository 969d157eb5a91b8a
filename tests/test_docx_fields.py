"""DOCX forms whose answers sit in fields: text boxes, legacy form fields, symbols,
headers and footers, tables inside cells.

Each document is built here with python-docx and a few raw XML edits, the way
Word writes these parts, so each test shows the markup it is about.
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import parse_xml
from docx.text.paragraph import Paragraph

from parsers.readers.docx import read_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pairs(data: bytes) -> list[tuple[str, str]]:
    return [(p.label, p.value) for p in read_docx(data).pairs]


def runs(paragraph: Paragraph, xml: str) -> None:
    """Append raw runs (``<w:r>...``) to a paragraph."""
    for element in parse_xml(f"<w:body {NS}>{xml}</w:body>"):
        paragraph._p.append(element)


def box_paragraphs(lines: list[str]) -> str:
    return "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)


def text_box(lines: list[str]) -> str:
    """A text box as Word 2010+ saves it: DrawingML, with the same box in VML as fallback."""
    content = f"<w:txbxContent>{box_paragraphs(lines)}</w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:inline>"
        '<wp:extent cx="3810000" cy="203200"/><wp:docPr id="1" name="Text Box 1"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        f'wordprocessingShape"><wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def vml_box(lines: list[str]) -> str:
    """A text box as older Word saves it: VML only."""
    content = f"<w:txbxContent>{box_paragraphs(lines)}</w:txbxContent>"
    return f"<w:r><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict></w:r>"


def labelled(document, label: str, xml: str) -> None:
    paragraph = document.add_paragraph()
    runs(paragraph, f"<w:r><w:t>{label}</w:t></w:r><w:r><w:tab/></w:r>{xml}")


def test_values_in_text_boxes_are_read_once_beside_their_labels() -> None:
    document = Document()
    document.add_paragraph().add_run("Young person").bold = True
    labelled(document, "Surname", text_box(["McAllister"]))
    labelled(document, "Address", text_box(["The Old Bakery", "1 Chantry Mews", "Causton"]))
    labelled(document, "Postcode", vml_box(["MD4 8LJ"]))
    extract = read_docx(saved(document))
    assert [(p.label, p.value) for p in extract.pairs] == [
        ("Surname", "McAllister"),
        ("Address", "The Old Bakery\n1 Chantry Mews\nCauston"),
        ("Postcode", "MD4 8LJ"),
    ]
    assert {p.section for p in extract.pairs} == {"Young person"}
    assert extract.text.count("McAllister") == 1  # the VML fallback is not read again


def form_text(value: str) -> str:
    """A legacy FORMTEXT field: its result sits between 'separate' and 'end'."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/>'
        "<w:enabled/><w:textInput/></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t xml:space="preserve">{value}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def form_checkbox(*, checked: bool | None, default: bool = False) -> str:
    """A legacy FORMCHECKBOX: ``w:checked`` when the user ticked, else ``w:default``."""
    state = "" if checked is None else f'<w:checked w:val="{int(checked)}"/>'
    return (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/>'
        f'<w:enabled/><w:checkBox><w:sizeAuto/><w:default w:val="{int(default)}"/>{state}'
        "</w:checkBox></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def form_dropdown(entries: list[str], chosen: int) -> str:
    items = "".join(f'<w:listEntry w:val="{e}"/>' for e in entries)
    return (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Dropdown1"/>'
        f'<w:enabled/><w:ddList><w:result w:val="{chosen}"/>{items}</w:ddList></w:ffData>'
        '</w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMDROPDOWN </w:instrText>'
        '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def test_legacy_form_fields_give_their_results_and_tick_states() -> None:
    document = Document()
    table = document.add_table(rows=4, cols=2)
    cells = [row.cells for row in table.rows]
    cells[0][0].text, cells[1][0].text = "Surname", "Email"
    cells[2][0].text, cells[3][0].text = "EHCP", "Year group"
    runs(cells[0][1].paragraphs[0], form_text("Briggs"))
    runs(cells[1][1].paragraphs[0], form_text("\u2002" * 5))  # a blank field shows en spaces
    runs(cells[2][1].paragraphs[0],
         form_checkbox(checked=True) + "<w:r><w:t xml:space=\"preserve\"> Yes </w:t></w:r>"
         + form_checkbox(checked=None, default=False) + "<w:r><w:t> No</w:t></w:r>")
    runs(cells[3][1].paragraphs[0], form_dropdown(["Reception", "Year 1", "Year 2"], 2))
    got = pairs(saved(document))
    assert ("Surname", "Briggs") in got
    assert ("Email", "") in got
    assert ("EHCP", "☒ Yes ☐ No") in got
    assert ("Year group", "Year 2") in got


def test_a_form_field_after_a_label_in_a_paragraph_is_a_pair() -> None:
    document = Document()
    labelled(document, "Date of birth:", form_text("09/12/2018"))
    paragraph = document.add_paragraph()
    runs(paragraph, "<w:r><w:t xml:space=\"preserve\">Surname </w:t></w:r>" + form_text("Briggs")
         + "<w:r><w:t xml:space=\"preserve\"> Forename </w:t></w:r>" + form_text("Arlo"))
    assert pairs(saved(document)) == [
        ("Date of birth", "09/12/2018"), ("Surname", "Briggs"), ("Forename", "Arlo")
    ]


def sym(font: str, char: str) -> str:
    return f'<w:r><w:sym w:font="{font}" w:char="{char}"/></w:r>'


def test_wingdings_symbols_are_tick_boxes() -> None:
    document = Document()
    table = document.add_table(rows=4, cols=2)
    answers = [
        ("Child protection plan?", sym("Wingdings", "F0A8"), sym("Wingdings", "F0FE")),
        ("EHCP?", sym("Wingdings", "F0FD"), sym("Wingdings", "F06F")),
        ("Traveller?", sym("Wingdings 2", "F0A3"), sym("Wingdings 2", "F054")),
        ("Looked after?", sym("Wingdings 2", "F052"), sym("Wingdings 2", "F0A3")),
    ]
    for row, (question, yes, no) in zip(table.rows, answers, strict=True):
        row.cells[0].text = question
        runs(row.cells[1].paragraphs[0],
             f'{yes}<w:r><w:t xml:space="preserve"> Yes  </w:t></w:r>{no}<w:r><w:t> No</w:t></w:r>')
    got = pairs(saved(document))
    assert ("Child protection plan?", "☐ Yes ☒ No") in got
    assert ("EHCP?", "☒ Yes ☐ No") in got
    assert ("Traveller?", "☐ Yes ☒ No") in got
    assert ("Looked after?", "☒ Yes ☐ No") in got


def test_a_symbol_that_is_not_a_box_is_left_out() -> None:
    document = Document()
    paragraph = document.add_paragraph()
    runs(paragraph, "<w:r><w:t xml:space=\"preserve\">Phone </w:t></w:r>"
         + sym("Wingdings", "F028") + "<w:r><w:t xml:space=\"preserve\"> 07700 900123</w:t></w:r>")
    assert read_docx(saved(document)).text == "Phone 07700 900123"


def test_page_header_and_footer_are_read_as_text_and_pairs() -> None:
    document = Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Kestrel Primary School"
    section.header.add_paragraph("School: Kestrel Primary School")
    section.footer.paragraphs[0].text = "Return to: CME Team, County Hall"
    document.add_paragraph("Surname: Hughes")
    extract = read_docx(saved(document))
    assert [(p.label, p.value, p.where) for p in extract.pairs] == [
        ("School", "Kestrel Primary School", "header"),
        ("Surname", "Hughes", "paragraph 0"),
        ("Return to", "CME Team, County Hall", "footer"),
    ]
    assert extract.text.splitlines() == [
        "Kestrel Primary School", "School: Kestrel Primary School", "Surname: Hughes",
        "Return to: CME Team, County Hall",
    ]


def test_a_table_inside_a_cell_is_read_under_the_outer_rows_label() -> None:
    document = Document()
    outer = document.add_table(rows=3, cols=2)
    outer.rows[0].cells[0].text = "1 Child"
    inner = outer.rows[0].cells[1].add_table(rows=2, cols=2)
    inner.rows[0].cells[0].text, inner.rows[0].cells[1].text = "Last name", "Ferreira"
    inner.rows[1].cells[0].text, inner.rows[1].cells[1].text = "Date of birth", "12/07/2011"
    merged = outer.rows[1].cells[0].merge(outer.rows[1].cells[1])
    merged.text = "2 Parent or carer"  # a heading row over the row that holds the table
    nested = outer.rows[2].cells[0].merge(outer.rows[2].cells[1]).add_table(rows=1, cols=2)
    nested.rows[0].cells[0].text, nested.rows[0].cells[1].text = "Full name", "Paulo Ferreira"
    extract = read_docx(saved(document))
    found = {(p.label, p.value): p.section for p in extract.pairs}
    assert found[("Last name", "Ferreira")] == "1 Child"
    assert found[("Date of birth", "12/07/2011")] == "1 Child"
    assert found[("Full name", "Paulo Ferreira")] == "2 Parent or carer"
    lines = extract.text.splitlines()
    assert lines.index("Last name | Ferreira") == lines.index("1 Child") + 1


def test_a_content_control_still_showing_its_placeholder_is_empty() -> None:
    document = Document()
    paragraph = document.add_paragraph()
    runs(paragraph, (
        '<w:r><w:t xml:space="preserve">Email </w:t></w:r>'
        "<w:sdt><w:sdtPr><w:showingPlcHdr/><w:text/></w:sdtPr><w:sdtContent>"
        "<w:r><w:t>Click or tap here to enter text.</w:t></w:r></w:sdtContent></w:sdt>"
    ))
    paragraph = document.add_paragraph()
    runs(paragraph, (
        '<w:r><w:t xml:space="preserve">Date of birth </w:t></w:r>'
        '<w:sdt><w:sdtPr><w:date w:fullDate="2015-04-03T00:00:00Z"/></w:sdtPr>'
        "<w:sdtContent><w:r><w:t>03/04/2015</w:t></w:r></w:sdtContent></w:sdt>"
    ))
    extract = read_docx(saved(document))
    assert [(p.label, p.value) for p in extract.pairs] == [
        ("Email", ""), ("Date of birth", "03/04/2015")
    ]
    assert "Click or tap" not in extract.text


def test_a_tab_between_a_label_and_its_value_is_a_pair() -> None:
    document = Document()
    paragraph = document.add_paragraph()
    runs(paragraph, "<w:r><w:t>Surname</w:t><w:tab/><w:tab/><w:t>Hughes</w:t></w:r>")
    assert pairs(saved(document)) == [("Surname", "Hughes")]

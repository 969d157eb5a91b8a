"""Build the shipped letter templates, templates/letters/STEM.docx, from letter_texts.py.

    .venv/bin/python templates/letters/build_templates.py           # add missing letters
    .venv/bin/python templates/letters/build_templates.py --force   # rebuild every letter
    .venv/bin/python templates/letters/build_templates.py --out DIR # build elsewhere

The .docx files are the real templates: administrators edit them in Word, and
this script only makes their first versions reproducible. So it never replaces a
letter that differs from what it would build (an administrator's edit) unless
given --force. The output is byte-stable: fixed document properties and fixed
timestamps inside the zip, so rebuilding an unchanged letter changes nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from letter_texts import LETTERS, Details, Letter

HERE = Path(__file__).resolve().parent
FIXED = datetime(2026, 1, 1)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
GREY = RGBColor(0x70, 0x70, 0x70)
Line = tuple[str, str | None]  # text, and the condition that shows it (None: always)


def build(letter: Letter) -> bytes:
    """The .docx bytes of one letter."""
    document = Document()
    _page(document)
    _letterhead(document)
    top: list[Line] = [("{{ today }}", None), ("Our reference: {{ case.reference }}", None)]
    if letter.clock:
        top.append(("Please reply by: {{ deadline.due }}", "deadline.due"))
    _lines(document.add_paragraph(), top)
    _lines(
        document.add_paragraph(),
        [
            ("{{ recipient.name }}", "recipient.name"),
            ("{{ recipient.role }}", "recipient.role"),
            ("{{ recipient.organisation }}", "recipient.organisation"),
            ("{{ recipient.address }}", "recipient.address"),
            ("By email: {{ recipient.email }}", "recipient.email"),
        ],
    )
    document.add_paragraph(f'Dear {{{{ recipient.salutation or "{letter.salutation}" }}}},')
    subject = document.add_paragraph().add_run(
        f"{letter.subject}: {{{{ child.full_name }}}}"
        "{% if child.dob %}, date of birth {{ child.dob }}{% endif %}"
    )
    subject.bold = True
    for block in letter.body:
        _block(document, block)
    document.add_paragraph(
        "If you have any questions, please contact me"
        "{% if team.phone %} on {{ team.phone }}{% endif %}"
        "{% if team.email %}{% if team.phone %} or{% endif %} at {{ team.email }}{% endif %}"
        ", quoting our reference."
    )
    document.add_paragraph("Yours sincerely")
    signature = document.add_paragraph()
    signature.paragraph_format.space_before = Pt(36)
    _lines(
        signature,
        [("{{ team.officer }}", "team.officer"), ("{{ team.role }}", "team.role"),
         ("{{ team.name }}", None)],
    )
    _footer(document)
    _properties(document, letter)
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    normal = document.styles["Normal"]
    normal.font.name = "Arial"  # type: ignore[attr-defined]
    normal.font.size = Pt(11)  # type: ignore[attr-defined]
    normal.paragraph_format.space_after = Pt(8)  # type: ignore[attr-defined]


def _letterhead(document: DocumentObject) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    texts = _lines(
        paragraph,
        [
            ("{{ team.council }}", "team.council"),
            ("{{ team.name }}", None),
            ("{{ team.address }}", "team.address"),
            ("Telephone: {{ team.phone }}", "team.phone"),
            ("Email: {{ team.email }}", "team.email"),
        ],
    )
    for run in texts[:2]:  # the council's and the team's names
        run.bold, run.font.size = True, Pt(14)
    paragraph.paragraph_format.space_after = Pt(18)


def _lines(paragraph: Paragraph, lines: list[Line]) -> list[Run]:
    """Lines separated by line breaks; returns the run of each line's text.

    A conditional line takes the break before it with it, and a break follows
    only a line that is shown: when every line before is conditional, the break
    waits for one of them.
    """
    paragraph.paragraph_format.space_after = Pt(12)
    before: list[str | None] = []
    texts: list[Run] = []
    for index, (text, condition) in enumerate(lines):
        if condition:
            paragraph.add_run(f"{{% if {condition} %}}")
        if index and None in before:
            paragraph.add_run().add_break()
        elif index:
            paragraph.add_run(f"{{% if {' or '.join(c for c in before if c)} %}}")
            paragraph.add_run().add_break()
            paragraph.add_run("{% endif %}")
        texts.append(paragraph.add_run(text))
        if condition:
            paragraph.add_run("{% endif %}")
        before.append(condition)
    return texts


def _text(paragraph: Paragraph, text: str) -> None:
    for index, piece in enumerate(text.split("\n")):
        if index:
            paragraph.add_run().add_break()
        paragraph.add_run(piece)


def _block(document: DocumentObject, block: str | Details) -> None:
    if isinstance(block, Details):
        _table(document, block)
    elif block.startswith("{%p"):
        _control(document.add_paragraph(), block)
    else:
        _text(document.add_paragraph(), block)


def _table(document: DocumentObject, block: Details) -> None:
    """Label and value; a row whose value may be unknown sits between ``{%tr if %}`` and
    ``{%tr endif %}`` rows, which docxtpl removes (the row holding the tag goes)."""
    rows: list[tuple[str, str, bool]] = []  # label, value, is a control row
    for label, value, condition in block.lines():
        if condition:
            rows.append((f"{{%tr if {condition} %}}", "", True))
        rows.append((label, value, False))
        if condition:
            rows.append(("{%tr endif %}", "", True))
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.autofit = False
    table.columns[0].width, table.columns[1].width = Cm(5), Cm(11.6)
    for row, (label, value, control) in zip(table.rows, rows, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(5), Cm(11.6)
        if control:
            _control(row.cells[0].paragraphs[0], label)
            continue
        row.cells[0].paragraphs[0].add_run(label).bold = True
        _text(row.cells[1].paragraphs[0], value)
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _control(paragraph: Paragraph, tag: str) -> None:
    # docxtpl removes these paragraphs and rows; grey italics tell the editor they are controls
    run = paragraph.add_run(tag)
    run.italic, run.font.color.rgb, run.font.size = True, GREY, Pt(9)


def _footer(document: DocumentObject) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(
        "OFFICIAL-SENSITIVE: contains personal information about a child. "
        "Our reference: {{ case.reference }}"
    )
    run.font.size, run.font.color.rgb = Pt(8), GREY


def _properties(document: DocumentObject, letter: Letter) -> None:
    properties = document.core_properties
    properties.title = letter.subject
    properties.subject = f"Children missing education letter: {letter.stem}"
    properties.author = properties.last_modified_by = "CME tracking team"
    properties.comments = "Edit in Word; templates/letters/README.md lists the variables."
    properties.keywords = "CME letter template"
    properties.created = properties.modified = properties.last_printed = FIXED
    properties.revision = 1


def _stable_zip(raw: bytes) -> bytes:
    """The same zip with fixed timestamps and order, so an unchanged build is byte-identical."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to")
    parser.add_argument("--force", action="store_true", help="overwrite edited letters")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    kept = 0
    for letter in LETTERS:
        path = options.out / f"{letter.stem}.docx"
        data = build(letter)
        if path.exists() and path.read_bytes() == data:
            print(f"unchanged {path}")
            continue
        if path.exists() and not options.force:
            print(f"kept {path} (differs from the built version; --force replaces it)")
            kept += 1
            continue
        path.write_bytes(data)
        print(f"wrote {path}")
    return 1 if kept else 0


if __name__ == "__main__":
    sys.exit(main())

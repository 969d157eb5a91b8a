"""DOCX forms: tables, "Label: value" paragraphs and tick boxes (python-docx).

Layouts seen on LA forms, and how each becomes pairs:

- label | value rows (two or four columns, cells merged across for headings);
- label and value in one cell ("Surname: Hughes");
- a row of labels with the values in the row below;
- tick boxes: glyphs (☒ ☐ ✓), an X in a Yes/No column, Word content-control
  check boxes and legacy form-field check boxes.

A table can often be read more than one way, and the reader cannot tell which
is meant without knowing the labels. It emits the candidate pairs of each
reading; the mapping keeps only pairs whose label is a known label and whose
value is not (a row of labels is not a value).
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.oxml.ns import qn

from parsers.document import TICKED, UNTICKED, Extract, ReadError, clean

MACRO_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
TICK_MARKS = {"x", "✓", "✔", "☒", "☑", "yes", "y", "[x]"}
OPTION_HEADINGS = {"yes", "no", "n/a", "not known", "unknown", "don't know", "y", "n"}


def read_docx(data: bytes) -> Extract:
    _check_package(data)
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on a damaged file
        raise ReadError(f"the Word document is damaged and cannot be read ({exc})") from None
    out = Extract()
    lines: list[str] = []
    section = ""
    body = document.element.body
    for number, child in enumerate(body.iterchildren()):
        if child.tag == qn("w:p"):
            text = _lines(_text(child))
            if not text:
                continue
            lines.append(text)
            if _is_heading(child, text):
                section = text
            _paragraph_pairs(out, text, f"paragraph {number}", section)
        elif child.tag == qn("w:tbl"):
            section = _table_pairs(out, child, lines, section)
    out.text = "\n".join(lines)
    return out


def _lines(text: str) -> str:
    """Each line cleaned, blank lines dropped, line breaks kept."""
    return "\n".join(filter(None, (clean(line) for line in text.split("\n"))))


def _check_package(data: bytes) -> None:
    """Refuse what is not a plain DOCX before python-docx unpacks anything."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
        unpacked = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members) or 1
        if unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
            raise ReadError(
                f"the Word document would unpack to {unpacked // (1024 * 1024)} MB "
                "(a zip bomb?): not opened"
            )
        types = (
            package.read("[Content_Types].xml")
            if "[Content_Types].xml" in {m.filename for m in members}
            else b""
        )
    except zipfile.BadZipFile:
        raise ReadError("the Word document is damaged or incomplete and cannot be read") from None
    if MACRO_TYPE.encode() in types:
        raise ReadError(
            "this is a macro-enabled Word document (.docm): not opened, for safety; "
            "ask the sender for a .docx or PDF"
        )


def _text(element) -> str:  # noqa: ANN001 - an lxml element
    """Text in document order, with check boxes rendered as ☒ / ☐.

    python-docx's ``.text`` skips content controls, where modern forms keep
    their check boxes, so walk the XML.
    """
    parts: list[str] = []
    skip: set[int] = set()
    for node in element.iter():
        tag = node.tag
        if tag == f"{{{W14}}}checkbox":
            checked = node.find(f"{{{W14}}}checked")
            on = checked is not None and checked.get(f"{{{W14}}}val") in ("1", "true")
            parts.append(f" {TICKED if on else UNTICKED} ")
            sdt = node.getparent().getparent()
            content = sdt.find(qn("w:sdtContent"))
            if content is not None:
                skip.update(id(t) for t in content.iter(qn("w:t")))
        elif tag == qn("w:checkBox"):  # legacy form field
            parts.append(f" {TICKED if _legacy_checked(node) else UNTICKED} ")
        elif tag == qn("w:t") and id(node) not in skip:
            parts.append(node.text or "")
        elif tag in (qn("w:tab"),):
            parts.append(" ")
        elif tag in (qn("w:br"), qn("w:cr")) or (tag == qn("w:p") and parts):
            parts.append("\n")
    return "".join(parts)


def _legacy_checked(node) -> bool:  # noqa: ANN001
    for name in ("w:checked", "w:default"):
        found = node.find(qn(name))
        if found is not None:
            return found.get(qn("w:val"), "1") not in ("0", "false")
    return False


def _is_heading(paragraph, text: str) -> bool:  # noqa: ANN001
    style = paragraph.find(qn("w:pPr"))
    style_name = ""
    if style is not None and style.find(qn("w:pStyle")) is not None:
        style_name = style.find(qn("w:pStyle")).get(qn("w:val"), "")
    if style_name.lower().startswith(("heading", "title")):
        return True
    short = len(text) <= 60 and ":" not in text and not text.endswith(".")
    bold = paragraph.find(f".//{qn('w:b')}") is not None
    return short and (bold or text.isupper())


LABEL_VALUE = re.compile(r"^(?P<label>[^:]{1,60}?)\s*:\s*(?P<value>.*)$")


QUESTION_TICKS = re.compile(
    r"^(?P<label>[^☒☐☑✓✔]+?)\s+(?P<value>(?:(?:yes|no|y|n)\s*)?[☒☐☑✓✔].*)$", re.IGNORECASE
)


def _paragraph_pairs(out: Extract, text: str, where: str, section: str) -> None:
    """``Label: value`` lines (a line without a label continues the value above)."""
    previous: tuple[str, list[str]] | None = None
    for line in text.split("\n"):
        line = clean(line)
        match = LABEL_VALUE.match(line)
        question = QUESTION_TICKS.match(line)
        if match and not _looks_like_time(match.group("label")):
            _flush(out, previous, where, section)
            previous = (match.group("label"), [match.group("value")])
        elif question and not _tick_options(line):
            _flush(out, previous, where, section)
            previous = None
            out.add(question.group("label"), question.group("value"), where, section)
        elif previous and line and not _tick_options(line):
            previous[1].append(line)
        else:
            _flush(out, previous, where, section)
            previous = None
        for option, mark in _tick_options(line):
            out.add(option, mark, where, section)
    _flush(out, previous, where, section)


def _flush(out: Extract, pending: tuple[str, list[str]] | None, where: str, section: str) -> None:
    if pending:
        out.add(pending[0], ", ".join(v for v in pending[1] if v), where, section)


def _tick_options(line: str) -> list[tuple[str, str]]:
    """``☒ Looked after ☐ SEN`` (glyph first) or ``Looked after ☒ SEN ☐`` (glyph after).

    Yes/No choices are left whole for the boolean normaliser: in "Yes ☒ No ☐"
    the glyph belongs to the word before it, which only the value as a whole shows.
    """
    marks = "☒☐☑✓✔"
    if not line or (line[0] not in marks and line[-1] not in marks):
        return []
    if line[0] in marks:
        found = [(o, m) for m, o in re.findall(rf"([{marks}])\s*([^{marks}]+)", line)]
    else:
        found = re.findall(rf"([^{marks}]+?)\s*([{marks}])", line)
    options = []
    for option, mark in found:
        option = clean(option)
        if option and option.lower() not in OPTION_HEADINGS:
            options.append((option, UNTICKED if mark == UNTICKED else TICKED))
    return options


def _looks_like_time(label: str) -> bool:
    return bool(re.fullmatch(r".*\d{1,2}", label.strip()))


def _rows(table) -> list[list[str]]:  # noqa: ANN001
    rows = []
    for tr in table.iterchildren(qn("w:tr")):
        # One w:tc is one cell however many grid columns it spans (python-docx's
        # row.cells would repeat a merged cell once per column).
        rows.append([_lines(_text(tc)) for tc in tr.iterchildren(qn("w:tc"))])
    return rows


def _table_pairs(out: Extract, table, lines: list[str], section: str) -> str:  # noqa: ANN001
    rows = _rows(table)
    for r, cells in enumerate(rows):
        lines.append(" | ".join(c.replace("\n", " ") for c in cells if c))
        where = f"table row {r + 1}"
        if (
            len(cells) == 1
            and cells[0]
            and len(cells[0]) <= 60
            and r + 1 < len(rows)
            and (len(rows[r + 1]) > 1)
        ):
            section = cells[0]  # a heading merged across the table
            continue
        for k in range(0, len(cells) - 1, 2):
            out.add(cells[k], cells[k + 1], where, section)
        for cell in cells:
            _paragraph_pairs(out, cell, where, section)
    _header_row_pairs(out, rows, section)
    _tick_column_pairs(out, rows, section)
    return section


def _header_row_pairs(out: Extract, rows: list[list[str]], section: str) -> None:
    """Labels in one row, values in the row below (same number of cells)."""
    for r in range(len(rows) - 1):
        labels, values = rows[r], rows[r + 1]
        if len(labels) != len(values) or not any(values):
            continue
        for label, value in zip(labels, values, strict=True):
            out.add(label, value, f"table rows {r + 1}-{r + 2}", section)


def _tick_column_pairs(out: Extract, rows: list[list[str]], section: str) -> None:
    """A header of Yes/No columns, and an X (or tick) under one of them per row."""
    headings: list[str] | None = None
    for r, cells in enumerate(rows):
        options = [c.strip().lower() for c in cells[1:]]
        if len(options) >= 2 and all(o in OPTION_HEADINGS for o in options):
            headings = cells[1:]
            continue
        if headings is None or len(cells) != len(headings) + 1:
            headings = None
            continue
        marked = [
            h for h, c in zip(headings, cells[1:], strict=True) if c.strip().lower() in TICK_MARKS
        ]
        if len(marked) == 1:
            out.add(cells[0], marked[0], f"table row {r + 1}", section)

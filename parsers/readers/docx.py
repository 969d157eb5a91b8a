"""DOCX forms: tables, "Label: value" paragraphs, fields and tick boxes (python-docx).

Layouts seen on LA forms, and how each becomes pairs:

- label | value rows (two or four columns, cells merged across for headings),
  label and value in one cell ("Surname: Hughes"), a row of labels with the
  values in the row below, an X in a Yes/No column (``layout.py``);
- a label followed by its answer in a form field, content control or text box
  ("Surname" + a box holding "Hughes", ``docx_text.py``), or after a tab;
- tables inside a cell: their rows are pairs too, under the outer row's label;
- page headers and footers: read as text and pairs, ``where="header"`` or
  ``"footer"`` (a school named only in the letterhead is still found).
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from parsers.document import Extract, Pair, ReadError, clean
from parsers.readers import docx_text
from parsers.readers.docx_text import blocks, field_pairs, joined, nearest_box, pieces, w
from parsers.readers.layout import MARKS, paragraph_pairs, table_pairs
from parsers.readers.packages import member, open_package

MACRO_TYPE = b"application/vnd.ms-word.document.macroEnabled.main+xml"
HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
MAX_NESTING = 5  # tables in cells in tables...: deeper is not a form
WHAT = "the Word document"

Element = Any  # an lxml element


def read_docx(data: bytes) -> Extract:
    _check_package(data)
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on a damaged file
        raise ReadError(f"the Word document is damaged and cannot be read ({exc})") from None
    out = Extract()
    lines: list[str] = []
    for part in _parts(document, HEADER):
        _furniture(out, part, lines, "header")
    _read_blocks(out, document.element.body, lines, "", "")
    for part in _parts(document, FOOTER):
        _furniture(out, part, lines, "footer")
    out.text = "\n".join(lines)
    out.pairs = list(dict.fromkeys(out.pairs))  # a field after "Label:" reads twice
    return out


def _check_package(data: bytes) -> None:
    """Refuse what is not a plain DOCX before python-docx unpacks anything."""
    package = open_package(data, WHAT)
    types = member(package, "[Content_Types].xml", WHAT) or b""
    if MACRO_TYPE in types:
        raise ReadError(
            "this is a macro-enabled Word document (.docm): not opened, for safety; "
            "ask the sender for a .docx or PDF"
        )


def _parts(document: Any, reltype: str) -> list[Any]:
    """The document's header (or footer) parts, each once, in their file order."""
    parts = {rel.target_part for rel in document.part.rels.values()
             if rel.reltype == reltype and not rel.is_external}
    return sorted(parts, key=lambda part: str(part.partname))


def _furniture(out: Extract, part: Any, lines: list[str], where: str) -> None:
    """A header or footer: its text in the text, its pairs tagged with ``where``."""
    found = Extract()
    _read_blocks(found, part.element, lines, where, "")
    out.pairs += [Pair(p.label, p.value, where, p.section) for p in found.pairs]


def _lines(text: str) -> str:
    """Each line cleaned, blank lines dropped, line breaks kept."""
    return "\n".join(filter(None, (clean(line) for line in text.split("\n"))))


def _read_blocks(out: Extract, parent: Element, lines: list[str], where: str, section: str
                 ) -> str:
    """Paragraphs and tables under ``parent``; returns the section read last."""
    at = f"{where} " if where else ""
    for number, block in enumerate(blocks(parent)):
        if block.tag == w("tbl"):
            section = _table(out, block, lines, f"{at}table", section, 0)
            continue
        found = pieces(block)
        raw = joined(found)
        text = _lines(raw)
        if not text:
            continue
        lines.append(text)
        if not any(piece.field for piece in found) and _is_heading(block, text):
            section = text
        _paragraph(out, found, raw, f"{at}paragraph {number}", section)
    return section


def _paragraph(out: Extract, found: list[docx_text.Piece], raw: str, where: str, section: str
               ) -> None:
    """A paragraph's pairs: its fields after their labels, else its "Label: value" lines."""
    answered = field_pairs(found)
    for label, value in answered:
        out.add(label, value, where, section)
    if not answered:
        paragraph_pairs(out, raw, where, section)


def _is_heading(paragraph: Element, text: str) -> bool:
    style = paragraph.find(w("pPr"))
    style_name = ""
    if style is not None and style.find(w("pStyle")) is not None:
        style_name = style.find(w("pStyle")).get(w("val"), "")
    if style_name.lower().startswith(("heading", "title")):
        return True
    short = (
        len(text) <= 60
        and ":" not in text
        and not text.endswith(".")
        and not any(mark in text for mark in MARKS)  # "☐ SEN" is an option, not a heading
    )
    return short and (_bold(paragraph) or text.isupper())


def _bold(paragraph: Element) -> bool:
    """Every run of the paragraph's own text is bold (text boxes in it aside)."""
    runs = [r for r in paragraph.iter(w("r"))
            if r.find(w("t")) is not None and nearest_box(r) is None]
    return bool(runs) and all(_run_bold(r) for r in runs)


def _run_bold(run: Element) -> bool:
    props = run.find(w("rPr"))
    bold = props.find(w("b")) if props is not None else None
    return bold is not None and bold.get(w("val"), "1") not in ("0", "false")


def _children(parent: Element, tag: str) -> list[Element]:
    """Rows of a table or cells of a row, inside row- or cell-level content controls too."""
    found = []
    for child in parent.iterchildren():
        if child.tag == w(tag):
            found.append(child)
        elif child.tag == w("sdt") and child.find(w("sdtContent")) is not None:
            found += _children(child.find(w("sdtContent")), tag)
    return found


def _table(out: Extract, table: Element, lines: list[str], where: str, section: str,
           depth: int) -> str:
    """A table's pairs, and its nested tables' under the label of the row holding them."""
    rows: list[list[str]] = []
    answers: list[list[tuple[str, str]]] = []  # field pairs in the row's cells
    nested: list[tuple[int, int, Element]] = []
    for r, tr in enumerate(_children(table, "tr")):
        cells, answered = [], []
        # One w:tc is one cell however many grid columns it spans (python-docx's
        # row.cells would repeat a merged cell once per column).
        for k, tc in enumerate(_children(tr, "tc")):
            texts = []
            for block in blocks(tc):
                if block.tag == w("tbl"):
                    nested.append((r, k, block))
                    continue
                found = pieces(block)
                texts.append(joined(found))
                answered += field_pairs(found)
            cells.append(_lines("\n".join(texts)))
        rows.append(cells)
        answers.append(answered)
    own: list[str] = []
    sections = table_pairs(out, rows, own, section, where)
    for r, answered in enumerate(answers):
        for label, value in answered:
            out.add(label, value, f"{where} row {r + 1}", sections[r])
    inner: dict[int, list[str]] = {}
    for r, k, block in nested:
        if depth >= MAX_NESTING:
            out.warnings.append("tables nested more than five deep: the innermost were not read")
            break
        label = next((c for j, c in enumerate(rows[r]) if j != k and c), "")
        if not label and r and len(rows[r - 1]) == 1:
            label = rows[r - 1][0]  # a heading row over the row that holds the table
        label = label.split("\n")[0] or sections[r]
        _table(out, block, inner.setdefault(r, []), where, label, depth + 1)
    for r, line in enumerate(own):
        lines.append(line)
        lines += inner.get(r, [])
    return sections[-1] if sections else section

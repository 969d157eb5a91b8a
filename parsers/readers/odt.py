"""OpenDocument text (ODT, LibreOffice's own format): paragraphs and tables (odfpy).

Headings (``text:h``), paragraphs, lists and tables are read in order, like a
Word document: tables as label/value rows (``layout.py``), with a table inside a
cell read under the outer row's label; paragraphs as "Label: value" lines; a
text box after a label (a frame in the paragraph) as that label's value. The
page header and footer (in the master page of styles.xml) are read too, tagged
``where="header"`` / ``"footer"``. Every XML part is checked with defusedxml
before odfpy parses it.
"""

from __future__ import annotations

import io
from typing import Any

from odf.opendocument import load

from parsers.document import Extract, Pair, ReadError, clean
from parsers.readers.layout import boxes, looks_like_heading, paragraph_pairs, table_pairs
from parsers.readers.packages import member, open_package, parse_xml

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
WHAT = "the OpenDocument file"
MAX_REPEAT = 20  # a cell repeated across columns: more is padding, not form
MAX_NESTING = 5
SKIPPED = {(OFFICE, "annotation"), (TEXT, "note"), (OFFICE, "forms"), (TEXT, "tracked-changes"),
           (TEXT, "sequence-decls"), (TABLE, "table-columns"), (TABLE, "table-column")}

Node = Any  # an odfpy Element


def read_odt(data: bytes) -> Extract:
    package = open_package(data, WHAT)
    names = set(package.namelist())
    if "content.xml" not in names or "META-INF/manifest.xml" not in names:
        raise ReadError(f"{WHAT} is damaged or incomplete and cannot be read")
    for name in sorted(n for n in names if n.endswith(".xml")):
        parse_xml(member(package, name, WHAT) or b"", WHAT)  # refuses entities and DTDs
    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises many types on a damaged file
        raise ReadError(f"{WHAT} is damaged and cannot be read ({type(exc).__name__})") from None
    out = Extract()
    lines: list[str] = []
    _furniture(out, document, lines, "header")
    _blocks(out, document.text, lines, "", "")
    _furniture(out, document, lines, "footer")
    out.text = "\n".join(lines)
    out.pairs = list(dict.fromkeys(out.pairs))
    return out


def _name(node: Node) -> tuple[str, str]:
    return node.qname if node.nodeType == node.ELEMENT_NODE else ("", "")


def _attribute(node: Node, namespace: str, name: str) -> str:
    return str(node.attributes.get((namespace, name), ""))


def _furniture(out: Extract, document: Any, lines: list[str], where: str) -> None:
    """The master pages' headers (or footers), each distinct one once."""
    seen: set[str] = set()
    for page in document.masterstyles.childNodes:
        for part in page.childNodes:
            namespace, local = _name(part)
            if namespace != STYLE or not local.startswith(where):
                continue
            found, own = Extract(), []
            _blocks(found, part, own, where, "")
            if "\n".join(own) in seen:
                continue
            seen.add("\n".join(own))
            lines += own
            out.pairs += [Pair(p.label, p.value, where, p.section) for p in found.pairs]


def inline(node: Node) -> str:
    """A paragraph's text: spaces, tabs and line breaks as written; a text box after a tab."""
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
            continue
        name = _name(child)
        if name in SKIPPED:
            continue
        if name == (TEXT, "s"):
            parts.append(" " * int(_attribute(child, TEXT, "c") or 1))
        elif name == (TEXT, "tab"):
            parts.append("\t")
        elif name == (TEXT, "line-break"):
            parts.append("\n")
        elif name == (DRAW, "text-box"):
            inner = [inline(p) for p in child.childNodes if _name(p)[1] in ("p", "h")]
            parts.append("\t" + ", ".join(clean(t) for t in inner if clean(t)))
        else:
            parts.append(inline(child))
    return "".join(parts)


def _blocks(out: Extract, parent: Node, lines: list[str], where: str, section: str) -> str:
    at = f"{where} " if where else ""
    for number, child in enumerate(parent.childNodes):
        name = _name(child)
        if name in SKIPPED or not name[0]:
            continue
        if name == (TABLE, "table"):
            section = _table(out, child, lines, f"{at}table", section, 0)
        elif name in ((TEXT, "p"), (TEXT, "h")):
            text = boxes(inline(child))
            shown = clean(text)
            if not shown:
                continue
            lines.append(shown)
            style = _attribute(child, TEXT, "style-name").lower()
            if name[1] == "h" or "heading" in style or "title" in style or looks_like_heading(
                shown
            ):
                section = shown
                continue
            paragraph_pairs(out, text, f"{at}paragraph {number}", section)
        else:  # lists, list items, sections: their paragraphs
            section = _blocks(out, child, lines, where, section)
    return section


def _rows(table: Node) -> list[Node]:
    rows = []
    for child in table.childNodes:
        name = _name(child)
        if name == (TABLE, "table-row"):
            rows.append(child)
        elif name[0] == TABLE and name[1] in ("table-header-rows", "table-rows", "table-row-group"):
            rows += _rows(child)
    return rows


def _cell(cell: Node, nested: list[Node]) -> str:
    texts = []
    for child in cell.childNodes:
        name = _name(child)
        if name == (TABLE, "table"):
            nested.append(child)
        elif name in ((TEXT, "p"), (TEXT, "h")):
            texts.append(boxes(inline(child)))
        elif name[0] == TEXT:  # a list in a cell
            texts.append(_cell(child, nested))
    return "\n".join(filter(None, (clean(t) for t in texts)))


def _table(out: Extract, table: Node, lines: list[str], where: str, section: str, depth: int
           ) -> str:
    rows: list[list[str]] = []
    nested: list[tuple[int, int, Node]] = []
    for r, row in enumerate(_rows(table)):
        cells: list[str] = []
        for cell in row.childNodes:
            if _name(cell) != (TABLE, "table-cell"):
                continue  # covered cells are the rest of a merged one
            inner: list[Node] = []
            text = _cell(cell, inner)
            nested += [(r, len(cells), t) for t in inner]
            repeat = int(_attribute(cell, TABLE, "number-columns-repeated") or 1)
            cells += [text] * max(1, min(repeat, MAX_REPEAT))
        rows.append(cells)
    own: list[str] = []
    sections = table_pairs(out, rows, own, section, where)
    below: dict[int, list[str]] = {}
    for r, k, inner_table in nested:
        if depth >= MAX_NESTING:
            out.warnings.append("tables nested more than five deep: the innermost were not read")
            break
        label = next((c for j, c in enumerate(rows[r]) if j != k and c), "")
        if not label and r and len(rows[r - 1]) == 1:
            label = rows[r - 1][0]
        label = label.split("\n")[0] or sections[r]
        _table(out, inner_table, below.setdefault(r, []), where, label, depth + 1)
    for r, line in enumerate(own):
        lines.append(line)
        lines += below.get(r, [])
    return sections[-1] if sections else section

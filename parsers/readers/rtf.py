"""RTF forms: tables and "Label: value" lines (striprtf), headers and footers.

striprtf turns RTF into plain text, a table cell ending in "|" and a row in a
line break; those rows and the lines between them are read like a Word
document's (``layout.py``). Before that, two things striprtf does not do are
done here: page headers and footers (destinations it drops) are read on their
own, and legacy check-box fields (``FORMCHECKBOX``, state in ``\\ffres`` or
else ``\\ffdefres``) become ☒ / ☐. A literal "|" in the text is kept apart
from the cell marks.
"""

from __future__ import annotations

import re

from striprtf.striprtf import rtf_to_text

from parsers.document import TICKED, UNTICKED, Extract, Pair, clean
from parsers.readers.layout import boxes, looks_like_heading, paragraph_pairs, table_pairs

MAX_RTF = 5_000_000
FURNITURE = re.compile(r"\{\\(header|footer)[lrf]?(?![a-z])")
FIELD = re.compile(r"\{\\field(?![a-z])")
CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")
BROKEN_BAR = "¦"


def read_rtf(data: bytes) -> Extract:
    out = Extract()
    if len(data) > MAX_RTF:
        out.warnings.append(f"the RTF document is over {MAX_RTF // 1_000_000} MB: only the start "
                            "was read")
        data = data[:MAX_RTF]
    found = CODE_PAGE.search(data[:2048])
    encoding = f"cp{found.group(1).decode()}" if found else "cp1252"
    source = data.decode("latin-1")  # RTF is 7-bit; \'xx escapes use the code page
    if _unclosed(source):
        out.warnings.append(
            "the RTF document ends before it is complete (a closing brace is missing, "
            "cut short?): what is there was read"
        )
    source = _check_boxes(source.replace("|", "\\'a6"))
    header, footer, body = _split_furniture(source)
    lines: list[str] = []
    for part, where in ((header, "header"), (body, ""), (footer, "footer")):
        for text in part:
            found = Extract() if where else out
            _read_text(found, _plain(text, encoding), lines, where)
            if where:  # a header's pairs are tagged as the header's, wherever they sat
                out.pairs += [Pair(p.label, p.value, where, p.section) for p in found.pairs]
    out.text = "\n".join(lines)
    out.pairs = list(dict.fromkeys(out.pairs))
    return out


def _plain(source: str, encoding: str) -> str:
    try:
        return rtf_to_text(source, encoding=encoding, errors="replace")
    except LookupError:  # a code page Python does not know
        return rtf_to_text(source, encoding="cp1252", errors="replace")


def _unclosed(source: str) -> bool:
    """More groups opened than closed (escaped braces aside)."""
    unescaped = re.sub(r"\\[\\{}]", "", source)
    return unescaped.count("{") > unescaped.count("}")


def _group_end(source: str, start: int) -> int:
    """The index just past the group opened at ``start`` (or the end of the text)."""
    depth, i = 0, start
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(source)


def _split_furniture(source: str) -> tuple[list[str], list[str], list[str]]:
    """(header groups, footer groups, the rest) as RTF text each striprtf can read."""
    headers: list[str] = []
    footers: list[str] = []
    body, last = [], 0
    for match in FURNITURE.finditer(source):
        if match.start() < last:
            continue  # inside a group already taken
        end = _group_end(source, match.start())
        inner = source[match.end() : end - 1]
        (headers if match.group(1) == "header" else footers).append("{\\rtf1 " + inner + "}")
        body.append(source[last : match.start()])
        last = end
    body.append(source[last:])
    return headers, footers, ["".join(body)]


def _check_boxes(source: str) -> str:
    """Each FORMCHECKBOX field replaced by ☒ / ☐ (striprtf drops the field's data)."""
    out, last = [], 0
    for match in FIELD.finditer(source):
        if match.start() < last:
            continue
        end = _group_end(source, match.start())
        group = source[match.start() : end]
        if "FORMCHECKBOX" not in group:
            continue
        result = re.search(r"\\ffres(\d+)", group)
        default = re.search(r"\\ffdefres(\d+)", group)
        state = result.group(1) if result and result.group(1) != "25" else None
        on = (state or (default.group(1) if default else "0")) == "1"
        out += [source[last : match.start()], f"\\u{ord(TICKED if on else UNTICKED)}? "]
        last = end
    out.append(source[last:])
    return "".join(out)


def _cells(row: str) -> list[str]:
    return [clean(c).replace(BROKEN_BAR, "|") for c in row.split("|")[:-1]]


def _read_text(out: Extract, text: str, lines: list[str], where: str) -> None:
    """striprtf's lines: runs of "cell|cell|" rows are tables, the rest paragraphs."""
    section = ""
    rows: list[list[str]] = []
    pending = ""  # a row whose cell holds a line break, not finished yet
    at = f"{where} " if where else ""
    for number, raw in enumerate(boxes(text).split("\n")):
        line = raw.strip()
        if pending or line.endswith("|") or (rows and "|" in line):
            pending = f"{pending}\n{line}" if pending else line
            if line.endswith("|"):
                rows.append(_cells(pending))
                pending = ""
            continue
        if rows:
            section = _table(out, rows, lines, section, f"{at}table")
            rows = []
        line = clean(line.replace(BROKEN_BAR, "|"))
        if not line:
            continue
        lines.append(line)
        if looks_like_heading(line):
            section = line
        paragraph_pairs(out, line, f"{at}paragraph {number}", section)
    if pending:
        rows.append(_cells(pending + "|"))
    if rows:
        _table(out, rows, lines, section, f"{at}table")


def _table(out: Extract, rows: list[list[str]], lines: list[str], section: str, where: str
           ) -> str:
    sections = table_pairs(out, rows, lines, section, where)
    return sections[-1] if sections else section

"""Spreadsheets (XLSX): deletion returns and forms laid out in cells (openpyxl).

A sheet is read one of two ways, by its shape (a title and instructions may
stand above a record list's header; a row marked as an example is skipped):

- a record list: a header row of three or more labels over rows of values
  (a school's deletion return); each data row gives one pair per column,
  ``where="sheet NAME row N"``; several data rows are several records, and the
  reader says so;
- otherwise a form laid out in cells: rows read as a Word table's are
  (label | value, a heading merged across, labels over values; ``layout.py``).

Cells read as a person sees them: a date as dd/mm/yyyy, a whole number without
".0", TRUE/FALSE as Yes/No, a formula as its last computed value. openpyxl reads
in read-only mode, through defusedxml; sizes are checked before it opens the zip.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from typing import Any

from parsers.document import Extract, ReadError, clean
from parsers.readers.layout import table_pairs
from parsers.readers.packages import open_package

WHAT = "the spreadsheet"
MAX_SHEETS = 20
MAX_ROWS = 500
MAX_COLUMNS = 60
MIN_HEADERS = 3


def read_xlsx(data: bytes) -> Extract:
    open_package(data, WHAT)  # sizes first: a zip bomb is refused here
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # openpyxl parses with defusedxml only when it is installed
        raise ReadError("the spreadsheet reader is not hardened (defusedxml missing): not read")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged file
        raise ReadError(f"{WHAT} is damaged and cannot be read ({type(exc).__name__})") from None
    out = Extract()
    lines: list[str] = []
    try:
        sheets = book.worksheets
        if len(sheets) > MAX_SHEETS:
            out.warnings.append(f"{WHAT} has {len(sheets)} sheets: only the first "
                                f"{MAX_SHEETS} were read")
        for sheet in sheets[:MAX_SHEETS]:
            _sheet(out, sheet, lines)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"{WHAT} is damaged and cannot be read ({type(exc).__name__})") from None
    finally:
        book.close()
    out.text = "\n".join(lines)
    return out


def cell_text(value: Any) -> str:
    """A cell's value as a person sees it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        shown = value.strftime("%d/%m/%Y")
        return shown if value.time() == time() else f"{shown} {value:%H:%M}"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value)) if not isinstance(value, str) else value.strip()


def _rows(out: Extract, sheet: Any) -> list[tuple[int, list[str]]]:
    """The sheet's non-empty rows (number, cell texts), within the limits."""
    rows = []
    for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
        if number > MAX_ROWS:
            out.warnings.append(f"the sheet {sheet.title!r} has more than {MAX_ROWS} rows: "
                                "only the first were read")
            break
        cells = [cell_text(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((number, cells))
    return rows


def _is_header(cells: list[str]) -> bool:
    """Three or more labels: words, not numbers or dates."""
    labels = [c for c in cells if c]
    return len(labels) >= MIN_HEADERS and all(
        not c.replace("/", "").replace(".", "").replace(" ", "").isdigit() for c in labels
    )


# A row a return ships with to show how to fill it in: "EXAMPLE – delete this row".
EXAMPLE_ROW = re.compile(
    r"^\W*(?:worked\s+)?(?:example|sample|dummy|specimen)\b.{0,40}$|\bdelete this row\b",
    re.IGNORECASE)
HEADER_SEARCH_ROWS = 10


def _header_at(rows: list[tuple[int, list[str]]]) -> int | None:
    """Where the record list's header row is: the first row of three or more labels
    with rows of values under it (a title and instructions may come first)."""
    for at, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        below = rows[at + 1:]
        if _is_header(cells) and below and max(len(c) for _, c in below) >= 2:
            return at
    return None


def _sheet(out: Extract, sheet: Any, lines: list[str]) -> None:
    rows = _rows(out, sheet)
    if not rows:
        return
    lines.append(f"Sheet: {sheet.title}")
    at = _header_at(rows)
    if at is not None:
        for _, cells in rows[:at]:
            lines.append(" | ".join(c for c in cells if c))
        header = rows[at][1]
        data = []
        for number, cells in rows[at + 1:]:
            if any(EXAMPLE_ROW.search(c) for c in cells if c):
                out.warnings.append(f"the sheet {sheet.title!r} row {number} is an example "
                                    "row: not read")
                continue
            data.append((number, cells))
        lines.append(" | ".join(c for c in header if c))
        for number, cells in data:
            lines.append(" | ".join(c for c in cells if c))
            where = f"sheet {sheet.title} row {number}"
            for label, value in zip(header, cells, strict=False):
                out.add(label, value, where)
        if len(data) > 1:
            out.warnings.append(
                f"the sheet {sheet.title!r} has {len(data)} rows of data under its header: "
                "each was read; check they are about one child"
            )
        return
    table_pairs(out, [cells for _, cells in rows], lines, "", f"sheet {sheet.title}")

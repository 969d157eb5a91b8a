"""Pairs from text laid out by a word processor: "Label: value" lines and table rows.

The DOCX, ODT and RTF readers each reduce their format to the same two shapes,
paragraph lines and rows of cell texts, and read both here, so a layout that
one format's reader learns to read, every format reads.

A table can often be read more than one way, and the reader cannot tell which
is meant without knowing the labels. It emits the candidate pairs of each
reading; the mapping keeps only pairs whose label is a known label and whose
value is not (a row of labels is not a value).
"""

from __future__ import annotations

import re

from parsers.document import TICKED, UNTICKED, Extract, clean

TICK_MARKS = {"x", "✓", "✔", "☒", "☑", "yes", "y", "[x]"}
OPTION_HEADINGS = {"yes", "no", "n/a", "not known", "unknown", "don't know", "y", "n"}
MARKS = "☒☐☑✓✔"
MAX_HEADING = 60
NUMBERING = re.compile(r"^(?:q(?:uestion)?\s*)?\(?(?:\d{1,2}(?:\.\d{1,2})?|[a-z]|[ivx]{1,4})[.)]?$",
                       re.IGNORECASE)

LABEL_VALUE = re.compile(r"^(?P<label>[^:]{1,60}?)\s*:\s*(?P<value>.*)$")
QUESTION_TICKS = re.compile(
    r"^(?P<label>[^☒☐☑✓✔]+?)\s+(?P<value>(?:(?:yes|no|y|n)\s*)?[☒☐☑✓✔].*)$", re.IGNORECASE
)
# "Surname<tab>Hughes": a short label, a tab, then the value.
TAB_PAIR = re.compile(r"^(?P<label>[^:\t]{1,60}?)\s*\t+\s*(?P<value>[^\t]+)$")
# Typed tick boxes: "[X] Yes [ ] No", "(x)", "[✓]".
BRACKET_TICKED = re.compile(r"[\[(]\s*[xX✓✔]\s*[\])]")
BRACKET_EMPTY = re.compile(r"\[\s*\]|\(\s{1,3}\)")


def boxes(text: str) -> str:
    """Typed boxes as the contract's glyphs: "[X] Yes [ ] No" is "☒ Yes ☐ No"."""
    return BRACKET_EMPTY.sub(UNTICKED, BRACKET_TICKED.sub(TICKED, text))


def looks_like_heading(text: str) -> bool:
    """A line set as a heading when there is no style to go by: short, capitals."""
    return (
        len(text) <= MAX_HEADING
        and ":" not in text
        and not any(mark in text for mark in MARKS)
        and text.isupper()
        and bool(re.search(r"[^\W\d_]{4}", text))  # a word, not a postcode or a reference
    )


def paragraph_pairs(out: Extract, text: str, where: str, section: str) -> None:
    """``Label: value`` lines (a line without a label continues the value above)."""
    previous: tuple[str, list[str]] | None = None
    for raw in text.split("\n"):
        tabbed = TAB_PAIR.match(raw.strip())
        line = clean(raw)
        match = LABEL_VALUE.match(line)
        question = QUESTION_TICKS.match(line)
        if match and not _looks_like_time(match.group("label")):
            _flush(out, previous, where, section)
            previous = (match.group("label"), [match.group("value")])
        elif question and not tick_options(line):
            _flush(out, previous, where, section)
            previous = None
            out.add(question.group("label"), question.group("value"), where, section)
        elif tabbed and not tick_options(line):
            _flush(out, previous, where, section)
            previous = None
            out.add(tabbed.group("label"), tabbed.group("value"), where, section)
        elif previous and line and not tick_options(line):
            previous[1].append(line)
        else:
            _flush(out, previous, where, section)
            previous = None
        for option, mark in tick_options(line):
            out.add(option, mark, where, section)
    _flush(out, previous, where, section)


def _flush(out: Extract, pending: tuple[str, list[str]] | None, where: str, section: str) -> None:
    if pending:
        out.add(pending[0], ", ".join(v for v in pending[1] if v), where, section)


def tick_options(line: str) -> list[tuple[str, str]]:
    """``☒ Looked after ☐ SEN`` (glyph first) or ``Looked after ☒ SEN ☐`` (glyph after).

    Yes/No choices are left whole for the boolean normaliser: in "Yes ☒ No ☐"
    the glyph belongs to the word before it, which only the value as a whole shows.
    """
    if not line or (line[0] not in MARKS and line[-1] not in MARKS):
        return []
    if line[0] in MARKS:
        found = [(o, m) for m, o in re.findall(rf"([{MARKS}])\s*([^{MARKS}]+)", line)]
    else:
        found = re.findall(rf"([^{MARKS}]+?)\s*([{MARKS}])", line)
    options = []
    for option, mark in found:
        option = clean(option)
        if option and option.lower() not in OPTION_HEADINGS:
            options.append((option, UNTICKED if mark == UNTICKED else TICKED))
    return options


def _looks_like_time(label: str) -> bool:
    return bool(re.fullmatch(r".*\d{1,2}", label.strip()))


def table_pairs(
    out: Extract, rows: list[list[str]], lines: list[str], section: str, where: str = "table"
) -> list[str]:
    """Pairs of one table's rows of cell texts; returns the section each row sits in.

    A one-cell row over a wider row is a heading merged across the table. Rows
    are also written to ``lines`` as "cell | cell", for the text.
    """
    sections = []
    for r, cells in enumerate(rows):
        lines.append(" | ".join(c.replace("\n", " ") for c in cells if c))
        at = f"{where} row {r + 1}"
        following = next((row for row in rows[r + 1 :] if any(row)), None)
        if len(cells) == 1 and cells[0] and len(cells[0]) <= MAX_HEADING and following:
            if len(following) == 1 and len(following[0]) > MAX_HEADING:
                # A full-width label row over its full-width answer ("Reason" / the reason).
                out.add(cells[0], following[0], at, section)
                section = cells[0]
            elif len(following) > 1:
                section = cells[0]  # a heading merged across the table
            sections.append(section)
            continue
        sections.append(section)
        # "12. | Brothers and sisters | Jade, 3/3/14": a numbered question's number
        # is not its label.
        paired = cells[1:] if len(cells) >= 3 and NUMBERING.match(cells[0].strip()) else cells
        for k in range(0, len(paired) - 1, 2):
            out.add(paired[k], paired[k + 1], at, section)
        for cell in cells:
            paragraph_pairs(out, cell, at, section)
    _header_row_pairs(out, rows, sections, where)
    _tick_column_pairs(out, rows, sections, where)
    return sections


# A household table ("Name | DOB | Relationship" over one row per person): the
# relationship column says whose each row is.
_RELATIONSHIP_HEADING = re.compile(r"relationship|relation to|role in (?:the )?household",
                                   re.IGNORECASE)
_CHILD_WORDS = re.compile(r"^\W*(?:son|daughter|child|pupil|subject|young person|referred child|"
                          r"the child|grandson|granddaughter|stepson|stepdaughter|foster child)"
                          r"\b(?!['’]s)", re.IGNORECASE)
_ADULT_WORDS = re.compile(r"^\W*(?:mother|mum|father|dad|parent|carer|"
                          r"step-?(?:mother|father|mum|dad)|guardian|"
                          r"grand(?:mother|father|ma|pa|parent)|foster (?:carer|mother|father)|"
                          r"kinship carer|aunt|uncle)\b", re.IGNORECASE)
_NAME_HEADING = re.compile(r"^\W*(?:full )?names?\b", re.IGNORECASE)


def _household_rows(out: Extract, rows: list[list[str]], sections: list[str], where: str
                    ) -> set[int]:
    """Each person's row of a household table as the child's details or a parent's
    name; a sibling's row gives nothing. Returns the rows read."""
    done: set[int] = set()
    for r, header in enumerate(rows):
        column = next((i for i, c in enumerate(header) if _RELATIONSHIP_HEADING.search(c)), None)
        if column is None or len(header) < 3:
            continue
        for d in range(r + 1, len(rows)):
            cells = rows[d]
            if len(cells) != len(header):
                break
            relationship = cells[column]
            at = f"{where} row {d + 1}"
            if _CHILD_WORDS.match(relationship):
                for label, value in zip(header, cells, strict=True):
                    if label != header[column]:
                        out.add(label, value, at, "Child")
            elif _ADULT_WORDS.match(relationship):
                for label, value in zip(header, cells, strict=True):
                    if _NAME_HEADING.match(label):
                        out.add("Parent/carer name", value, at, "Parent / carer")
            done.add(d)
        if done:
            done.add(r)
    return done


def _header_row_pairs(out: Extract, rows: list[list[str]], sections: list[str], where: str) -> None:
    """Labels in one row, values in the row below (same number of cells)."""
    household = _household_rows(out, rows, sections, where)
    for r in range(len(rows) - 1):
        if r in household or r + 1 in household:
            continue
        labels, values = rows[r], rows[r + 1]
        if len(labels) != len(values) or not any(values):
            continue
        for label, value in zip(labels, values, strict=True):
            out.add(label, value, f"{where} rows {r + 1}-{r + 2}", sections[r + 1])


def _tick_column_pairs(out: Extract, rows: list[list[str]], sections: list[str], where: str
                       ) -> None:
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
            out.add(cells[0], marked[0], f"{where} row {r + 1}", sections[r])

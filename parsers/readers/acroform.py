"""Fillable PDF forms (AcroForm): one pair per field, labelled as a person would (pypdf).

Acrobat names the fields it makes ``Text1``, ``Check Box2``, so the name is the
label of last resort. The label is, in order: the field's tooltip (``/TU``);
for a meaningless name, the text printed nearest to the left of the field's box
(or just above it), found with pdfplumber's word positions; else the name.

Tick boxes follow the contract: ``☒``/``☐`` next to their option, and the boxes
of one question become one pair, ``"Yes ☒ No ☐"``, whether the option comes
from the tooltip (``"Looked after: Yes"``) or is printed beside the box.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pypdf import PdfReader

from parsers.document import TICKED, UNTICKED, Extract, ReadError
from parsers.readers.pdf_words import (
    ENCRYPTED,
    MAX_PAGES,
    Box,
    Line,
    Word,
    group_lines,
    guard,
    is_heading,
    join_lines,
    label_text,
    segments,
    words_of,
)

# What Acrobat, Word and LibreOffice call fields nobody named: "Text1", "Check Box3",
# "fill_4", "undefined_2", "Dropdown1", "Group2"...
MEANINGLESS = re.compile(
    r"(text|text ?field|check ?box|checkbox|radio( ?button)?|button|fill|field|undefined|"
    r"untitled|dropdown|combo ?box|list ?box|group|choice|signature)?[\s_\-]*[\d_\s]*",
    re.IGNORECASE,
)
RADIO, PUSHBUTTON = 1 << 15, 1 << 16
MAX_PARENTS = 30  # a /Parent loop in a hostile file must not hang the reader
MAX_OPTIONS = 50
# Export values that name no option: Acrobat's "Choice1", LibreOffice's "0", "On".
MEANINGLESS_EXPORT = re.compile(
    r"(choice|option|opt|radio|button|btn|item|value|on|sel(ected)?|yes)?[\s_\-]*\d*",
    re.IGNORECASE,
)
CHECKED_STATES = {"yes", "on", "true", "checked", "x", "1", "ja", "oui"}


@dataclass
class _Field:
    name: str
    kind: str  # "text", "check", "radio" or "choice"
    value: str
    tooltip: str
    page: int
    box: Box
    # A radio group's (or check box's) widgets: its "on" state name and box each.
    widgets: list[tuple[str, Box]] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # the group's /Opt names, if any


@guard
def read_acroform(data: bytes) -> Extract | None:
    """The form's fields as pairs, or None when the PDF has no fillable fields."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # forms locked only against editing still open
        except Exception as exc:  # pypdf raises several types for unsupported ciphers
            raise ReadError(ENCRYPTED) from exc
        if not opened:
            raise ReadError(ENCRYPTED)
    fields = _fields(reader)
    if not fields:
        return None
    out = Extract()
    if len(reader.pages) > MAX_PAGES:
        out.warnings.append(
            f"the PDF has {len(reader.pages)} pages: only the fields of the "
            f"first {MAX_PAGES} were read"
        )
    pages: list[list[Word]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages[:MAX_PAGES]:
            pages.append(words_of(page))
            page.close()
    out.text = "\n".join(line.text for words in pages for line in group_lines(words))
    _add_pairs(fields, pages, out)
    return out


def _fields(reader: PdfReader) -> list[_Field]:
    """Fields in page and widget order, each once, with its first widget's box."""
    fields: list[_Field] = []
    seen: set[Any] = set()
    for number, page in enumerate(reader.pages[:MAX_PAGES]):
        height = float(page.mediabox.height)
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            node = widget if "/T" in widget else widget.get("/Parent")
            node = node.get_object() if node is not None else widget
            key = node.indirect_reference or id(node)
            if key in seen:
                continue
            seen.add(key)
            found = _field(node, widget, number, height)
            if found:
                fields.append(found)
    return fields


def _inherited(node: Any, key: str) -> Any:
    for _ in range(MAX_PARENTS):
        if key in node:
            return node[key]
        if node.get("/Parent") is None:
            return None
        node = node["/Parent"].get_object()
    return None


def _field(node: Any, widget: Any, page: int, height: float) -> _Field | None:
    kind = {"/Tx": "text", "/Btn": "check", "/Ch": "choice"}.get(str(_inherited(node, "/FT")))
    flags = int(_inherited(node, "/Ff") or 0)
    if kind is None or (kind == "check" and flags & PUSHBUTTON):
        return None  # signatures and push buttons hold no answer
    if kind == "check" and (flags & RADIO or len(node.get("/Kids") or []) > 1):
        kind = "radio"  # one check box field with several boxes answers like a radio group
    raw = _inherited(node, "/V")
    if kind == "check":
        state = raw if raw is not None else widget.get("/AS")
        value = UNTICKED if state is None or str(state) in ("/Off", "Off", "") else TICKED
    elif kind == "radio":
        value = _export(node, raw)
    elif isinstance(raw, list):
        value = ", ".join(str(v) for v in raw)
    else:  # lines typed into a multi-line box were each ended by hand
        lines = ("" if raw is None else str(raw)).splitlines()
        value = join_lines(lines, [True] * (len(lines) - 1))
    names = []
    part = node
    for _ in range(MAX_PARENTS):
        if part is None:
            break
        part = part.get_object()
        if "/T" in part:
            names.insert(0, str(part["/T"]))
        part = part.get("/Parent")
    tooltip = str(_inherited(node, "/TU") or "")
    found = _Field(".".join(names), kind, value, tooltip, page, _box(widget, height))
    if kind in ("radio", "check"):
        kids = [k.get_object() for k in node.get("/Kids") or []] or [widget]
        found.widgets = [(_on_state(k), _box(k, height)) for k in kids[:MAX_OPTIONS]]
        found.options = [str(o) for o in _inherited(node, "/Opt") or []][:MAX_OPTIONS]
    return found


def _on_state(widget: Any) -> str:
    """The name a widget's "on" appearance goes by (/Choice2, /Male, /Yes), without the slash."""
    try:
        states = [str(name) for name in widget["/AP"]["/N"]]
    except (KeyError, TypeError, AttributeError):
        return ""
    return next((n.lstrip("/") for n in states if n not in ("/Off", "Off")), "")


def _box(widget: Any, height: float) -> Box:
    """The widget's rectangle in pdfplumber's terms (pypdf's origin is bottom left)."""
    try:
        x0, y0, x1, y1 = (float(v.get_object()) for v in widget["/Rect"])
    except (KeyError, TypeError, ValueError):
        return 0.0, 0.0, 0.0, 0.0  # no usable box: the field keeps its name as label
    return min(x0, x1), height - max(y0, y1), max(x0, x1), height - min(y0, y1)


def _export(node: Any, raw: Any) -> str:
    """A radio group's chosen export value; "/0" means the first of its /Opt names."""
    if raw is None or str(raw) in ("/Off", "Off"):
        return ""
    value = str(raw).lstrip("/")
    options = _inherited(node, "/Opt")
    if options and value.isdigit() and int(value) < len(options):
        return str(options[int(value)])
    return value


def readable(name: str) -> str:
    """A field name as a label: its last part, without indexes, underscores or camel case."""
    last = re.sub(r"\[\d+\]", "", name).split(".")[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", last.replace("_", " ")).strip()


def _add_pairs(fields: list[_Field], pages: list[list[Word]], out: Extract) -> None:
    """Add one pair per field, or per question for the tick boxes of one question."""
    on_page = [pages[f.page] if f.page < len(pages) else [] for f in fields]
    taken = {
        id(w)
        for f, words in zip(fields, on_page, strict=True)
        if not f.tooltip
        for w in _option_words(f, words)
    }
    for f, words in zip(fields, on_page, strict=True):
        if f.kind == "radio":
            f.value, used_words = _radio_label(f, words)
            taken |= {id(w) for w in used_words}
    described = [_describe(f, words, taken) for f, words in zip(fields, on_page, strict=True)]
    used = taken | {id(w) for _, _, words in described for w in words}
    headings = {
        p: _headings(p, fields, pages[p], used) for p in {f.page for f in fields} if p < len(pages)
    }
    groups: list[tuple[str, str, list[_Field], list[str]]] = []
    for f, (label, option, _) in zip(fields, described, strict=True):
        if not label:
            out.warnings.append(
                f"the fillable field {f.name!r} has no label: its name is used instead"
            )
            label = readable(f.name) or f.name
        # The section is the nearest heading printed above the field.
        section = next(
            (n.text for n in reversed(headings.get(f.page, [])) if n.bottom <= f.box[1] + 2), ""
        )
        last = groups[-1] if groups else None
        if (
            f.kind == "check"
            and last
            and last[2][-1].kind == "check"
            and (last[0], last[1], last[2][-1].page) == (label, section, f.page)
        ):
            last[2].append(f)
            last[3].append(option)
        else:
            groups.append((label, section, [f], [option]))
    for label, section, members, options in groups:
        value = " ".join(f"{o} {f.value}".strip() for f, o in zip(members, options, strict=True))
        names = ", ".join(f.name for f in members)
        out.add(label, value, f"field{'s' if len(members) > 1 else ''} {names}", section)


def _describe(f: _Field, words: list[Word], taken: set[int]) -> tuple[str, str, list[Word]]:
    """The field's label, for a tick box the option it stands for, and the words used."""
    if f.tooltip:
        question, colon, option = f.tooltip.rpartition(": ")
        if f.kind == "check" and colon:
            return question, option, []
        return f.tooltip, "", []
    if not MEANINGLESS.fullmatch(readable(f.name)):
        return readable(f.name), _state_option(f), []
    option = " ".join(w.text for w in _option_words(f, words)) or _state_option(f)
    label = _printed_label(f.box, [w for w in words if id(w) not in taken])
    return label_text(label), option, label


def _state_option(f: _Field) -> str:
    """A check box's option from its "on" state's name, when that names one (/Male)."""
    if f.kind != "check" or len(f.widgets) != 1:
        return ""
    state = f.widgets[0][0]
    meaningless = MEANINGLESS_EXPORT.fullmatch(state) or state.lower() in CHECKED_STATES
    return "" if meaningless else readable(state)


def _radio_label(f: _Field, words: list[Word]) -> tuple[str, list[Word]]:
    """A radio group's answer as its option's label, and the printed words used.

    An export value that names its option ("Male", "Yes") is the answer. One
    that does not ("Choice2", "0", "On") is looked up: the group's /Opt name
    for that button, else the words printed just right of the chosen button,
    else the value as it is."""
    value = f.value
    if not value or not MEANINGLESS_EXPORT.fullmatch(value) or value.lower() == "yes":
        return value, []
    states = [state for state, _ in f.widgets]
    if value in states:
        index = states.index(value)
    elif value.isdigit() and int(value) < len(f.widgets):
        index = int(value)  # LibreOffice numbers the buttons
    else:
        return value, []
    if index < len(f.options):
        return f.options[index], []
    beside = _words_right(f.widgets[index][1], words)
    return (" ".join(w.text for w in beside) or value), beside


def _words_right(box: Box, words: list[Word]) -> list[Word]:
    """The run of words printed just right of a box, on its row."""
    _, top, x1, bottom = box
    right = [w for w in words if w.x0 >= x1 - 2 and top - 3 <= w.middle <= bottom + 3]
    runs = segments(sorted(right, key=lambda w: w.x0))
    return runs[0] if runs and runs[0][0].x0 <= x1 + 15 else []


def _option_words(f: _Field, words: list[Word]) -> list[Word]:
    """The words printed just right of a tick box: its option ("Yes", "Looked after")."""
    if f.kind != "check" or MEANINGLESS.fullmatch(readable(f.name)) is None:
        return []
    return _words_right(f.box, words)


def _printed_label(box: Box, words: list[Word]) -> list[Word]:
    """The words nearest to the left of the box on its row, else the line just above it."""
    x0, top, x1, bottom = box
    left = [w for w in words if w.x1 <= x0 + 2 and top - 2 <= w.middle <= bottom + 2]
    if left:
        # On each line, only the run of words nearest the box: text further left
        # on the row belongs to something else (another field's label).
        return [w for line in group_lines(left) for w in segments(line.words)[-1]]
    above = [w for w in words if top - 20 <= w.bottom <= top + 2 and w.x0 < x1 and w.x1 > x0 - 10]
    lines = group_lines(above)
    return lines[-1].words if lines else []


def _headings(page: int, fields: list[_Field], words: list[Word], used: set[int]) -> list[Line]:
    """Bold headings on a page ("Part 2 - the school") that are no field's label."""
    rows = [(g.box[1], g.box[3]) for g in fields if g.page == page]
    return [
        n
        for n in group_lines(words)
        if is_heading(n, None)
        and all(w.bold and id(w) not in used for w in n.words)
        and not any(top <= (n.top + n.bottom) / 2 <= bottom for top, bottom in rows)
    ]

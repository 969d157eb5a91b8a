"""The text of a Word document's XML, as a person sees it on the page.

python-docx's ``.text`` misses most of what forms are made of, so the XML is
walked here, in document order:

- check boxes: Word 2010 content controls (``w14:checkbox``), legacy form
  fields (``FORMCHECKBOX``: ``w:ffData/w:checkBox``, its ``w:checked`` or else
  ``w:default``) and symbols (``w:sym``, Wingdings boxes) become ☒ / ☐;
- answers typed into fields are *field* pieces: legacy ``FORMTEXT`` (the result
  between the field's ``separate`` and ``end``), ``FORMDROPDOWN`` (its chosen
  entry), typed content controls (text, date, drop-down; a control still
  showing its placeholder is empty), and text boxes (``w:txbxContent``, in
  DrawingML or VML);
- ``mc:AlternateContent`` holds the same text box twice (DrawingML, and VML for
  older Word): one branch is read, never both;
- deleted revisions and field instructions are not text.

A paragraph becomes a list of pieces; a field after a short label is a pair
("Surname" + the box holding "Hughes").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from parsers.document import TICKED, UNTICKED, clean
from parsers.readers.symbols import symbol_glyph

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MAX_LABEL = 80

Element = Any  # an lxml element


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


SKIPPED = {w("pPr"), w("rPr"), w("sdtPr"), w("sdtEndPr"), w("del"), w("moveFrom"),
           w("instrText"), w("delText"), w("delInstrText"), w("proofErr"), w("bookmarkStart")}
BOXES = {w("drawing"), w("pict"), w("object"), f"{{{MC}}}AlternateContent"}
TYPED_CONTROLS = {w("text"), w("date"), w("dropDownList"), w("comboBox")}


@dataclass
class Piece:
    text: str
    field: bool = False  # the answer in a form field, content control or text box


@dataclass
class _Field:
    """A complex field (fldChar begin ... separate ... end) being read."""

    kind: str | None  # "text", "drop" or None (not a form field: PAGE, HYPERLINK...)
    entry: str = ""  # a drop-down's chosen entry
    result: bool = False  # past "separate": text now is the field's result
    parts: list[str] = field(default_factory=list)


def blocks(parent: Element) -> Iterator[Element]:
    """Paragraphs and tables in order, inside block-level content controls too."""
    for child in parent.iterchildren():
        if child.tag in (w("p"), w("tbl")):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                yield from blocks(content)


def pieces(paragraph: Element) -> list[Piece]:
    """A paragraph's text and fields, in order."""
    walker = _Walker()
    walker.inline(paragraph)
    return walker.out


def joined(found: list[Piece]) -> str:
    """Pieces as one text; a space where a field meets text with none."""
    text = ""
    for piece in found:
        if text and piece.text and not text[-1].isspace() and not piece.text[0].isspace():
            text += " "
        text += piece.text
    return text


def field_pairs(found: list[Piece]) -> list[tuple[str, str]]:
    """(label, answer) for each field that follows a short label in the paragraph."""
    out: list[tuple[str, str]] = []
    label = ""
    for piece in found:
        if not piece.field:
            label += piece.text
            continue
        name = clean(label).rstrip(":").strip()
        if name and len(name) <= MAX_LABEL:
            out.append((name, piece.text))
        label = ""
    return out


def legacy_checked(box: Element) -> bool:
    """A FORMCHECKBOX's state: ``w:checked`` if set, else its ``w:default``."""
    for name in ("checked", "default"):
        found = box.find(w(name))
        if found is not None:
            return found.get(w("val"), "1") not in ("0", "false", "off")
    return False


def _mark(on: bool) -> str:
    return f" {TICKED if on else UNTICKED} "


class _Walker:
    def __init__(self) -> None:
        self.out: list[Piece] = []
        self.fields: list[_Field] = []

    def emit(self, text: str, *, is_field: bool = False) -> None:
        if is_field or not self.out or self.out[-1].field:
            self.out.append(Piece(text, is_field))
        else:
            self.out[-1].text += text

    def text(self, text: str) -> None:
        if any(not f.result for f in self.fields):
            return  # inside a field's instruction
        form = next((f for f in reversed(self.fields) if f.kind), None)
        if form is not None:
            form.parts.append(text)
        else:
            self.emit(text)

    def inline(self, node: Element) -> None:
        for child in node.iterchildren():
            tag = child.tag
            if tag in SKIPPED or not isinstance(tag, str):
                continue
            if tag == w("r"):
                self.run(child)
            elif tag == w("sdt"):
                self.control(child)
            else:  # hyperlinks, insertions, smart tags, simple fields: their runs
                self.inline(child)

    def run(self, run: Element) -> None:
        for child in run.iterchildren():
            tag = child.tag
            if tag == w("t"):
                self.text(child.text or "")
            elif tag in (w("tab"), w("ptab")):
                self.text("\t")
            elif tag in (w("br"), w("cr")):
                self.text("\n")
            elif tag == w("noBreakHyphen"):
                self.text("-")
            elif tag == w("sym"):
                self.symbol(child)
            elif tag == w("fldChar"):
                self.field_char(child)
            elif tag in BOXES:
                self.boxes(child)

    def symbol(self, sym: Element) -> None:
        try:
            code = int(sym.get(w("char"), ""), 16)
        except ValueError:
            return
        glyph = symbol_glyph(sym.get(w("font"), ""), code)
        if glyph:
            self.text(f" {glyph} ")

    def field_char(self, node: Element) -> None:
        kind = node.get(w("fldCharType"))
        if kind == "begin":
            data = node.find(w("ffData"))
            form = _Field(None)
            if data is not None and data.find(w("checkBox")) is not None:
                self.text(_mark(legacy_checked(data.find(w("checkBox")))))
            elif data is not None and data.find(w("ddList")) is not None:
                form = _Field("drop", entry=_drop_down_entry(data.find(w("ddList"))))
            elif data is not None and data.find(w("textInput")) is not None:
                form = _Field("text")
            self.fields.append(form)
        elif kind == "separate" and self.fields:
            self.fields[-1].result = True
        elif kind == "end" and self.fields:
            done = self.fields.pop()
            if done.kind == "text":
                self.emit("".join(done.parts), is_field=True)
            elif done.kind == "drop":
                self.emit(done.entry, is_field=True)

    def control(self, sdt: Element) -> None:
        """An inline content control: a check box, a typed field, or plain text."""
        props = sdt.find(w("sdtPr"))
        content = sdt.find(w("sdtContent"))
        checkbox = props.find(f"{{{W14}}}checkbox") if props is not None else None
        if checkbox is not None:
            checked = checkbox.find(f"{{{W14}}}checked")
            self.text(_mark(checked is not None and checked.get(f"{{{W14}}}val") in ("1", "true")))
            return
        typed = props is not None and any(props.find(t) is not None for t in TYPED_CONTROLS)
        placeholder = props is not None and props.find(w("showingPlcHdr")) is not None
        if placeholder:  # "Click or tap here to enter text." is not an answer
            if typed or props.find(w("richText")) is not None:
                self.emit("", is_field=True)
            return
        if content is None:
            return
        if not typed:
            self.inline(content)
            return
        inner = _Walker()
        inner.inline(content)
        self.emit(joined(inner.out), is_field=True)

    def boxes(self, node: Element) -> None:
        """Text boxes in a drawing or picture; of alternate content, one branch."""
        if node.tag == f"{{{MC}}}AlternateContent":
            node = _branch(node)
            if node is None:
                return
        for box in _outer_boxes(node):
            lines = [joined(pieces(p)) for p in box.iter(w("p")) if nearest_box(p) is box]
            self.emit("\n".join(filter(None, (clean(line) for line in lines))), is_field=True)


def _branch(alternate: Element) -> Element | None:
    """The Choice if it holds any text (Word's DrawingML), else the Fallback (VML)."""
    choice = alternate.find(f"{{{MC}}}Choice")
    if choice is not None and next(choice.iter(w("t")), None) is not None:
        return choice
    return alternate.find(f"{{{MC}}}Fallback")


def _outer_boxes(node: Element) -> list[Element]:
    """Text boxes under ``node`` not inside another one there (grouped shapes nest them)."""
    return [
        box for box in node.iter(w("txbxContent")) if nearest_box(box.getparent(), node) is None
    ]


def nearest_box(node: Element | None, stop: Element | None = None) -> Element | None:
    while node is not None and node is not stop:
        if node.tag == w("txbxContent"):
            return node
        node = node.getparent()
    return None


def _drop_down_entry(options: Element) -> str:
    """A FORMDROPDOWN's chosen entry: its result index, else its default, else the first."""
    entries = [e.get(w("val"), "") for e in options.iterfind(w("listEntry"))]
    for name in ("result", "default"):
        found = options.find(w(name))
        if found is not None:
            try:
                return entries[int(found.get(w("val"), "0"))]
            except (ValueError, IndexError):
                return ""
    return entries[0] if entries else ""

"""Fillable PDFs whose radio buttons and check boxes export meaningless values.

Acrobat names a radio group's buttons "Choice1", "Choice2"; LibreOffice numbers
them "0", "1". The answer is then the option's label: the group's /Opt name, or
the words printed beside the chosen button. A check box's own state name says
its option when it names one (/Male). Forms are drawn with reportlab, and the
parts reportlab cannot write (/Opt, state names) set with pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject, TextStringObject
from reportlab.pdfgen.canvas import Canvas

from parsers.readers.acroform import read_acroform
from tests.test_pdf_readers import make_pdf, pairs, text


def radio_page(options: list[tuple[str, str]], chosen: str, *, printed: bool = True
               ) -> Callable[[Canvas], None]:
    """ "Gender" and a radio group, one button per (export value, printed label)."""

    def page(c: Canvas) -> None:
        text(c, 50, 785, "Gender", size=9)
        for n, (value, label) in enumerate(options):
            x = 220 + 90 * n
            c.acroForm.radio(name="Group1", value=value, selected=value == chosen, x=x, y=782,
                             size=10)
            if printed:
                text(c, x + 14, 784, label, size=9)

    return page


def edited(data: bytes, edit: Callable[[dict], None]) -> bytes:
    """The PDF with ``edit`` applied to each field's dictionary."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for annotation in writer.pages[0]["/Annots"]:
        widget = annotation.get_object()
        edit(widget.get("/Parent", widget).get_object() if "/Parent" in widget else widget)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_radio_exporting_choice_numbers_reads_as_the_printed_label() -> None:
    data = make_pdf(radio_page([("Choice1", "Male"), ("Choice2", "Female"),
                                ("Choice3", "Other")], "Choice2"))
    extract = read_acroform(data)
    assert extract is not None
    assert pairs(extract) == [("Gender", "Female")]


def test_a_radio_exporting_positions_reads_as_its_opt_names() -> None:
    data = make_pdf(radio_page([("0", ""), ("1", "")], "1", printed=False))

    def add_options(field: dict) -> None:
        if field.get("/T") == "Group1":
            field[NameObject("/Opt")] = ArrayObject(
                [TextStringObject("Yes"), TextStringObject("No")])

    extract = read_acroform(edited(data, add_options))
    assert extract is not None
    assert pairs(extract) == [("Gender", "No")]


def test_a_radio_with_meaningful_exports_keeps_them() -> None:
    data = make_pdf(radio_page([("Male", "M"), ("Female", "F")], "Male"))
    extract = read_acroform(data)
    assert extract is not None
    assert pairs(extract) == [("Gender", "Male")]


def test_nothing_chosen_is_an_empty_answer() -> None:
    data = make_pdf(radio_page([("Choice1", "Yes"), ("Choice2", "No")], ""))
    extract = read_acroform(data)
    assert extract is not None
    assert pairs(extract) == [("Gender", "")]


def test_check_boxes_named_by_their_state_give_the_option() -> None:
    def page(c: Canvas) -> None:
        text(c, 50, 785, "Gender", size=9)
        c.acroForm.checkbox(name="Check Box1", checked=False, x=220, y=782, size=10)
        c.acroForm.checkbox(name="Check Box2", checked=True, x=260, y=782, size=10)

    def rename(field: dict) -> None:
        state = {"Check Box1": "/Male", "Check Box2": "/Female"}.get(field.get("/T"))
        if state is None:
            return
        normal = field["/AP"]["/N"]
        normal[NameObject(state)] = normal.pop("/Yes")
        if field.get("/V") == "/Yes":
            field[NameObject("/V")] = field[NameObject("/AS")] = NameObject(state)

    extract = read_acroform(edited(make_pdf(page), rename))
    assert extract is not None
    assert pairs(extract) == [("Gender", "Male ☐ Female ☒")]

"""Readers: one small module per document format, one signature each.

``READERS[format](data) -> Extract``. The format comes from the bytes (magic
numbers), not from the name the sender gave the file: a name that lies is
warned about, a dangerous format is refused with its reason.
"""

from __future__ import annotations

from collections.abc import Callable

from parsers.document import Extract


def _docx(data: bytes) -> Extract:
    from parsers.readers.docx import read_docx

    return read_docx(data)


def _pdf(data: bytes) -> Extract:
    from parsers.readers.acroform import read_acroform
    from parsers.readers.pdf import read_pdf

    return read_acroform(data) or read_pdf(data)


def _email(data: bytes) -> Extract:
    from parsers.readers.email import read_eml

    return read_eml(data)


def _msg(data: bytes) -> Extract:
    from parsers.readers.msg import read_msg

    return read_msg(data)


def _ctf(data: bytes) -> Extract:
    from parsers.readers.ctf import read_ctf

    return read_ctf(data)


def _text(data: bytes) -> Extract:
    from parsers.readers.text import read_text

    return read_text(data)


def _rtf(data: bytes) -> Extract:
    from parsers.readers.rtf import read_rtf

    return read_rtf(data)


def _odt(data: bytes) -> Extract:
    from parsers.readers.odt import read_odt

    return read_odt(data)


def _xlsx(data: bytes) -> Extract:
    from parsers.readers.xlsx import read_xlsx

    return read_xlsx(data)


def _image(data: bytes) -> Extract:
    from parsers.readers.image import read_image

    return read_image(data)


def _html(data: bytes) -> Extract:
    from parsers.readers.text import read_html

    return read_html(data)


# Imports are deferred so that reading a plain email never loads pdfplumber.
READERS: dict[str, Callable[[bytes], Extract]] = {
    "docx": _docx,
    "pdf": _pdf,
    "eml": _email,
    "msg": _msg,
    "ctf": _ctf,
    "text": _text,
    "html": _html,
    "rtf": _rtf,
    "odt": _odt,
    "xlsx": _xlsx,
    "image": _image,
}

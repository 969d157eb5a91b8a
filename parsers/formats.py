"""Which reader a document needs, decided by its bytes rather than its name."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import filetype

WORD_MAIN = b"wordprocessingml.document.main+xml"
WORD_MACRO = b"ms-word.document.macroEnabled"
SHEET_MAIN = b"spreadsheetml.sheet.main+xml"
SHEET_MACRO = b"ms-excel.sheet.macroEnabled"
ODF_TEXT = (b"application/vnd.oasis.opendocument.text",
            b"application/vnd.oasis.opendocument.text-template")
ODF = b"application/vnd.oasis.opendocument."
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Photos and scans that OCR reads (Pillow, with pillow-heif for iPhone photos).
IMAGES = {"jpg", "png", "tif", "bmp", "webp", "heic"}

EXTENSIONS = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "docm": (".docm",),
    "msg": (".msg",),
    "ctf": (".xml", ".ctf"),
    "eml": (".eml",),
    "text": (".txt", ".text", ".csv", ".ics", ".vcs"),
    "html": (".html", ".htm"),
    "rtf": (".rtf", ".doc"),  # Word saves RTF under .doc as often as not
    "odt": (".odt", ".ott"),
    "xlsx": (".xlsx", ".xltx"),
    "image": (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".heif"),
}


@dataclass
class Detected:
    format: str | None  # a key of READERS, or None: not read
    warnings: list[str] = field(default_factory=list)
    refusal: str | None = None  # why it is not read, when format is None


def detect(filename: str | None, declared: str | None, data: bytes) -> Detected:
    """The format the bytes show; a warning when the file's name says otherwise."""
    fmt, refusal = _by_content(declared or "", data)
    found = Detected(fmt, refusal=refusal)
    name = (filename or "").lower()
    if fmt and name and "." in name:
        extension = "." + name.rsplit(".", 1)[-1]
        expected = EXTENSIONS.get(fmt, ())
        if expected and extension not in expected and not (fmt == "text" and declared):
            found.warnings.append(
                f"the file is named {filename!r} but its content is {fmt.upper()}: "
                f"read as {fmt.upper()}"
            )
    return found


def _by_content(declared: str, data: bytes) -> tuple[str | None, str | None]:
    if not data.strip():
        return None, "the file is empty"
    head = data[:2048].lstrip()
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf", None
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"{\\rtf"):
        return "rtf", None
    if data.startswith(OLE_MAGIC):
        if b"_\x00_\x00s\x00u\x00b\x00s\x00t\x00g\x00" in data or b"__substg1.0_" in data:
            return "msg", None
        return None, "an old binary Office file (.doc/.xls): not read; ask for .docx or PDF"
    if head.startswith(b"<?xml") or head.startswith(b"<CTfile"):
        if b"<CTfile" in data[:4096]:
            return "ctf", None
        return "text", None
    if declared == "message/rfc822":
        return "eml", None
    if declared == "text/html" or head[:200].lower().startswith((b"<!doctype html", b"<html")):
        return "html", None
    guess = filetype.guess(data)
    if guess is not None:
        if guess.extension in IMAGES:
            return "image", None
        if guess.mime.startswith("image/"):
            return None, f"an image ({guess.extension}): a scan needs reading by a person"
        return None, f"a {guess.extension} file: not a format cme reads"
    if b"\x00" in data[:4096]:
        return None, "binary data of an unknown kind: not read"
    return "text", None


def _zip_kind(data: bytes) -> tuple[str | None, str | None]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            types = package.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            mimetype = package.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
        # A damaged package is still what its first entries say it is: let its
        # reader say what is wrong.
        return _damaged_zip_kind(data)
    if WORD_MACRO in types:
        return "docx", None  # the DOCX reader refuses it with its reason
    if WORD_MAIN in types or "word/document.xml" in names:
        return "docx", None
    if SHEET_MACRO in types:
        return None, "a macro-enabled spreadsheet (.xlsm): not opened, for safety"
    if SHEET_MAIN in types or "xl/workbook.xml" in names:
        return "xlsx", None
    if mimetype.strip() in ODF_TEXT:
        return "odt", None
    if mimetype.startswith(ODF):
        kind = mimetype[len(ODF):].decode("ascii", "replace")
        return None, f"an OpenDocument {kind} file: not read; ask for a text document or PDF"
    return None, "a zip archive: not opened"


def _damaged_zip_kind(data: bytes) -> tuple[str | None, str | None]:
    """A cut-short package by the names in its local headers (the directory is at the end).

    An OpenDocument file starts with its uncompressed ``mimetype`` entry."""
    start = data[:4096]
    if start[30:38] == b"mimetype" and any(t in start[38:140] for t in ODF_TEXT):
        return "odt", None
    if b"xl/workbook.xml" in data or b"xl/worksheets/" in data:
        return "xlsx", None
    return "docx", None

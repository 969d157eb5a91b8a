"""Zip packages (DOCX, XLSX, ODT), checked before any library unpacks them.

A zip states what each member unpacks to; a zip bomb states it honestly (or
lies, and is stopped when a member runs past its stated size). Either way the
total is checked against a limit, and against the packed size, before anything
is read, and the XML a reader parses itself goes through defusedxml.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from parsers.document import ReadError

MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 10_000


def open_package(data: bytes, what: str) -> zipfile.ZipFile:
    """The zip, once its sizes are safe; ``what`` names it for the team ("the spreadsheet")."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ReadError(f"{what} is damaged or incomplete and cannot be read") from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
        raise ReadError(
            f"{what} would unpack to {unpacked // (1024 * 1024)} MB "
            f"in {len(members)} parts (a zip bomb?): not opened"
        )
    return package


def member(package: zipfile.ZipFile, name: str, what: str) -> bytes | None:
    """One member's bytes (None if absent); a damaged member is a ReadError."""
    try:
        return package.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ReadError(f"{what} is damaged or incomplete and cannot be read") from None


def parse_xml(data: bytes, what: str) -> Element:
    """XML from inside a package, refusing DTDs, entities and external references."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ReadError(
            f"{what} declares XML entities or a DTD (a known attack): not read"
        ) from None
    except (ParseError, ValueError) as exc:
        raise ReadError(f"{what} is damaged and cannot be read ({exc})") from None

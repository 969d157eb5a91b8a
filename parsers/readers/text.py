"""Plain text and HTML: "Label: value" lines, sign-off blocks and free text.

Used for email bodies, ``.txt`` attachments and HTML bodies alike. The body's
structure comes from ``thread.split_body``: text a writer quotes from an
earlier email (``On ... wrote:``, ``> ...``, an Outlook header block under a
reply) is kept apart from their own; each forwarded original is the content of
the email, so it stays readable and is read, label lines and signature alike.
The writer's signature (``parsers/signature.py``) becomes pairs in the section
"sign-off" (labels Signed, Role, Organisation, Telephone, Email); a forwarded
original's, in "forwarded sign-off", so that the merge can choose whose.
"""

from __future__ import annotations

import re
from typing import Any

from parsers.document import Extract, clean
from parsers.readers.thread import Forwarded, split_body
from parsers.signature import find_signature
from parsers.signature_words import SignatureVocabulary

LABEL_LINE = re.compile(r"^(?P<label>[A-Za-z][^:]{0,60}?)\s*[:\-–]\s+(?P<value>\S.*)$")
MAX_TEXT = 2_000_000


def read_text(data: bytes) -> Extract:
    return read_lines(decode(data))


def read_html(data: bytes) -> Extract:
    return read_lines(html_to_text(decode(data)))


def decode(data: bytes) -> str:
    data = data[:MAX_TEXT]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def html_to_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head"]):
        tag.decompose()
    # A quoted reply in HTML is a <blockquote>: its lines become "> " lines, as
    # in a plain-text reply, innermost first so that nested quotes nest.
    for quote in reversed(soup.find_all("blockquote")):
        lines = _soup_lines(quote).split("\n")
        quote.replace_with("\n" + "\n".join(f"> {line}" for line in lines) + "\n")
    return _soup_lines(soup)


LABEL_CELL_WORDS = 6


def _soup_lines(node: Any) -> str:
    # A value cell beside its label holds one value: its lines ("18 Kestrel
    # Rise<br>Ravensmoor") are an address's lines, joined with ", " (FIELDS.md).
    for cell in node.find_all(["td", "th"]):
        label = cell.find_previous_sibling(["td", "th"])
        label_text = label.get_text(" ", strip=True) if label is not None else ""
        if label_text and len(label_text.split()) <= LABEL_CELL_WORDS:
            for br in cell.find_all("br"):
                br.replace_with(", ")
    for cell in node.find_all(["td", "th"]):
        cell.append(" : " if cell.find_next_sibling(["td", "th"]) else "")
    for block in node.find_all(["br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4"]):
        block.insert_before("\n")
    return "\n".join(clean(line) for line in node.get_text().split("\n"))


def split_quoted(text: str) -> tuple[str, str, str]:
    """(own text, forwarded originals, quoted reply) of an email body, as text.

    The forwarded originals keep their header lines ("From: ...") above their text.
    """
    body = split_body(text)
    forwarded = "\n\n".join(_with_headers(f) for f in body.forwarded)
    return body.own, forwarded, body.quoted


def read_lines(
    text: str, *, subject: str = "", vocabulary: SignatureVocabulary | None = None
) -> Extract:
    """Label lines and the signature of the writer's text and of each forwarded original.

    ``subject`` (the email's) tells a forward from a reply where an Outlook header
    block alone does not; ``vocabulary`` is the site's signature words.
    """
    body = split_body(text, subject=subject)
    out = Extract(new_text=body.own.strip(), quoted=body.quoted)
    _read_part(out, body.own, "body", "sign-off", vocabulary)
    for n, original in enumerate(body.forwarded, 1):
        _read_part(out, original.text, f"forwarded {n}", "forwarded sign-off", vocabulary)
    out.forwarded_from = [f.headers.get("from", "") for f in body.forwarded]
    forwarded = (_with_headers(f) for f in body.forwarded)
    out.text = "\n".join(filter(None, (body.own.strip(), *forwarded)))
    return out


def _with_headers(original: Forwarded) -> str:
    heads = [f"{name.capitalize()}: {value}" for name, value in original.headers.items()]
    return "\n".join([*heads, original.text.strip()]).strip()


def _read_part(
    out: Extract, text: str, where: str, section: str, vocabulary: SignatureVocabulary | None
) -> None:
    """One part: its label lines, then its writer's signature as sign-off pairs."""
    signature = find_signature(text, vocabulary)
    skip = range(signature.first_line, signature.end_line) if signature else range(0)
    _label_lines(out, text, where, skip)
    if signature is None:
        return
    place = f"{where} signature" + (" (first name only)" if signature.partial_name else "")
    for label, value in signature.labelled():
        out.add(label, value, place, section)


def _label_lines(out: Extract, text: str, where: str, skip: range) -> None:
    """"Label: value" lines (also "Label ...... value" and "Label<tab>value"); an
    indented line under one continues its value ("Address: Flat 6" / "    Mill
    Road"); "Label:" alone takes the line below when that is no label itself."""
    section = ""
    raw = text.replace("\r\n", "\n").split("\n")
    lines = [clean(line) for line in raw]
    last: tuple[str, list[str], int] | None = None  # label, value lines, line number
    for n, line in enumerate(lines):
        if n in skip:
            continue
        match = _label_match(raw[n])
        if match is None and last is not None and line and CONTINUES.match(raw[n]):
            last[1].append(line)
            continue
        if last is not None:
            out.add(last[0], "\n".join(last[1]), f"{where} line {last[2] + 1}", section)
            last = None
        if match is not None:
            last = (match[0], [match[1]], n)
        elif line and len(line) <= 50 and line.endswith(":") and n + 1 < len(lines):
            below = lines[n + 1]
            if below and _label_match(raw[n + 1]) is None and not below.endswith(":"):
                out.add(line.rstrip(":"), below, f"{where} line {n + 1}", section)
            section = line.rstrip(":")
    if last is not None:
        out.add(last[0], "\n".join(last[1]), f"{where} line {last[2] + 1}", section)


# A value's next line, indented under it (an aligned label block).
CONTINUES = re.compile(r"^(?:\s{4,}|\t+)\S")
LEADER = re.compile(r"^(?P<label>[A-Za-z][^:.…\t]{0,60}?)\s*(?:\.{3,}|…+|\t+|\s{3,})\s*"
                    r"(?P<value>\S.*)$")


def _label_match(raw: str) -> tuple[str, str] | None:
    """(label, value) of one line as written, or None."""
    line = clean(raw)
    match = LABEL_LINE.match(line)
    if match and len(match.group("label").split()) <= 8:
        return match.group("label"), match.group("value")
    leader = LEADER.match(raw.strip())
    if leader and len(leader.group("label").split()) <= 6:
        return clean(leader.group("label")), clean(leader.group("value"))
    return None

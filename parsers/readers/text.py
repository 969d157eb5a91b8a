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


def _soup_lines(node: Any) -> str:
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
    section = ""
    lines = [clean(line) for line in text.replace("\r\n", "\n").split("\n")]
    for n, line in enumerate(lines):
        if n in skip:
            continue
        match = LABEL_LINE.match(line)
        if match and len(match.group("label").split()) <= 8:
            out.add(match.group("label"), match.group("value"), f"{where} line {n + 1}", section)
        elif line and len(line) <= 50 and line.endswith(":") and n + 1 < len(lines):
            section = line.rstrip(":")

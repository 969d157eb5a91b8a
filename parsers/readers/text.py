"""Plain text and HTML: "Label: value" lines, sign-off blocks and free text.

Used for email bodies, ``.txt`` attachments and HTML bodies alike. Text a
writer quotes from an earlier email (``On ... wrote:``, ``> ...``, an Outlook
``From: ... Sent:`` block) is kept apart from their own; a forwarded original
is the content of the email, so it stays readable and is read.
"""

from __future__ import annotations

import re

from parsers.document import Extract, clean

SIGN_OFFS = re.compile(
    r"^(kind regards|best regards|warm regards|regards|best wishes|many thanks|thanks|"
    r"thank you|yours sincerely|yours faithfully|yours truly|with thanks|cheers|sincerely|"
    r"yours)[,.!]?$",
    re.IGNORECASE,
)
REPLY_HEADER = re.compile(
    r"^(on .{5,200}wrote:|-{2,}\s*original message\s*-{2,}|from:\s.+\s+sent:\s.+)$",
    re.IGNORECASE,
)
OUTLOOK_FROM = re.compile(r"^from:\s", re.IGNORECASE)
OUTLOOK_SENT = re.compile(r"^(sent|date):\s", re.IGNORECASE)
FORWARD_MARK = re.compile(
    r"^-{3,}\s*forwarded message\s*-{3,}$|^begin forwarded message:$", re.IGNORECASE
)
LABEL_LINE = re.compile(r"^(?P<label>[A-Za-z][^:]{0,60}?)\s*[:\-–]\s+(?P<value>\S.*)$")
ORGANISATION_END = re.compile(
    r"\b(school|academy|college|council|service|services|team|nhs|police|trust|centre|center|"
    r"surgery|practice|housing|association|department|hospital|clinic|federation|"
    r"authority|partnership|charity|project|constabulary|agency|options|group)$",
    re.IGNORECASE,
)
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
    for cell in soup.find_all(["td", "th"]):
        cell.append(" : " if cell.find_next_sibling(["td", "th"]) else "")
    for block in soup.find_all(["br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4"]):
        block.insert_before("\n")
    return "\n".join(clean(line) for line in soup.get_text().split("\n"))


def split_quoted(text: str) -> tuple[str, str, str]:
    """(own text, forwarded original, quoted reply) of an email body."""
    lines = text.replace("\r\n", "\n").split("\n")
    for n, line in enumerate(lines):
        stripped = line.strip()
        if FORWARD_MARK.match(stripped):
            return "\n".join(lines[:n]), "\n".join(lines[n + 1 :]), ""
        if REPLY_HEADER.match(stripped) or (
            OUTLOOK_FROM.match(stripped)
            and n + 1 < len(lines)
            and OUTLOOK_SENT.match(lines[n + 1].strip())
        ):
            return "\n".join(lines[:n]), "", "\n".join(lines[n:])
    own = [line for line in lines if not line.lstrip().startswith(">")]
    quoted = [line for line in lines if line.lstrip().startswith(">")]
    return "\n".join(own), "", "\n".join(quoted)


def read_lines(text: str) -> Extract:
    own, forwarded, quoted = split_quoted(text)
    out = Extract(new_text=own.strip(), quoted=quoted)
    _label_lines(out, own, "body")
    if forwarded:
        _label_lines(out, forwarded, "forwarded")
    out.text = "\n".join(filter(None, (own.strip(), forwarded.strip())))
    return out


def _label_lines(out: Extract, text: str, where: str) -> None:
    section = ""
    lines = [clean(line) for line in text.split("\n")]
    n = 0
    while n < len(lines):
        line = lines[n]
        if SIGN_OFFS.match(line):
            n = _signature(out, lines, n + 1, where)
            section = "sign-off"
            continue
        match = LABEL_LINE.match(line)
        if match and len(match.group("label").split()) <= 8:
            out.add(match.group("label"), match.group("value"), f"{where} line {n + 1}", section)
        elif line and len(line) <= 50 and line.endswith(":") and n + 1 < len(lines):
            section = line.rstrip(":")
        n += 1


def _signature(out: Extract, lines: list[str], start: int, where: str) -> int:
    """Name, then role and organisation lines, after a sign-off: the writer's details."""
    n = start
    while n < len(lines) and not lines[n]:
        n += 1
    if n >= len(lines) or LABEL_LINE.match(lines[n]) or len(lines[n].split()) > 5:
        return n
    out.add("Signed", lines[n], f"{where} signature", "sign-off")
    n += 1
    block: list[str] = []
    while n < len(lines) and lines[n] and not LABEL_LINE.match(lines[n]):
        block.append(lines[n])
        n += 1
    # A job title comes straight after the name, the organisation after it;
    # a single line is the organisation only when it is named like one.
    if len(block) == 1 and ORGANISATION_END.search(block[0]):
        out.add("Organisation", block[0], f"{where} signature", "sign-off")
    elif block:
        out.add("Role", block[0], f"{where} signature", "sign-off")
        if len(block) > 1:
            out.add("Organisation", block[1], f"{where} signature", "sign-off")
    return n

"""Is this file an email at all? A strict look at the header block, before MIME.

The stdlib ``email`` parser accepts anything: a PDF dropped into the Maildir
parses as a message with no headers and a binary body, and would be read and
applied as mail. Intake first checks what RFC 5322 requires at the start of a
message, and quarantines whatever fails, with the reason:

- the file starts with a header block: lines of ``Name: value``, where the name
  is printable ASCII without ``:`` (RFC 5322 2.2; white space before the colon
  is the obsolete syntax of 4.5, still met), folded lines starting with white
  space, and the block ends at the first empty line or at the end of the file;
- at least one of the fields every mail system writes (From, Date, Message-ID,
  Subject, Received...), so that a note that happens to start "Note: ..." is
  not mail;
- no NUL byte in the block.

One leading mbox ``From `` line, which some delivery agents leave, is allowed.
The reason says what the content looks like (``filetype``), never what it says.
"""

from __future__ import annotations

import re

import filetype

# Where a header block must have ended: past this, the file is not mail
# (real blocks are a few kB; a long Received chain perhaps 100 kB).
MAX_HEADER_BYTES = 1024 * 1024

_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")
ORIGIN_FIELDS = frozenset({
    b"from", b"sender", b"reply-to", b"to", b"cc", b"date", b"message-id", b"subject",
    b"received", b"return-path", b"delivered-to", b"x-original-to", b"in-reply-to",
    b"references", b"resent-from", b"resent-date",
})


def not_mail_reason(raw: bytes) -> str | None:
    """None when ``raw`` starts with a sound RFC 5322 header block; else why it does not."""
    problem = _header_problem(raw)
    if problem is None:
        return None
    looks = filetype.guess_mime(raw[:8192])
    return f"not an email: {problem}" + (f" (the content is {looks})" if looks else "")


def _header_problem(raw: bytes) -> str | None:
    head, ended = _header_block(raw)
    lines = head.split(b"\n")
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]  # an mbox separator line
    names: set[bytes] = set()
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix(b"\r")
        if b"\x00" in line:
            return f"a NUL byte in the header block (line {number})"
        if line[:1] in (b" ", b"\t") and names:
            continue  # a folded line continues the field above
        found = _FIELD.match(line)
        if found is None:
            if number == 1:
                return "no header block at the start (line 1 is not 'Name: value')"
            return f"line {number} of the header block is not 'Name: value'"
        names.add(found.group(1).lower())
    if not ended:
        return f"no end to the header block in the first {MAX_HEADER_BYTES // 1024} kB"
    if not names & ORIGIN_FIELDS:
        return "the header block has none of From, Date, Message-ID, Subject or Received"
    return None


def _header_block(raw: bytes) -> tuple[bytes, bool]:
    """The bytes before the first empty line, and whether the block ended in bounds."""
    window = raw[:MAX_HEADER_BYTES]
    found = re.search(rb"\r?\n\r?\n", window)
    if found is not None:
        return window[: found.start()], True
    if len(raw) <= MAX_HEADER_BYTES:
        return window.rstrip(b"\r\n"), True  # a message of headers alone
    cut = window.rfind(b"\n")
    return (window[:cut] if cut > 0 else window), False  # not the line the window cut

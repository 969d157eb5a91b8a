"""The structure of an email body: the writer's text, forwarded originals, quotes.

``split_body`` finds where the writer's own text ends and what follows it is:

- a **forwarded original** (Gmail's "---------- Forwarded message ---------",
  Apple's "Begin forwarded message:", an Outlook header block under a forward):
  the content of the email, kept readable with its own From/Sent/To/Subject,
  and read in turn, so that a forward of a forward gives two originals;
- a **quoted reply** ("On ... wrote:", "> " lines, an Outlook header block
  under a reply): what the writer answered, usually the LA's own words.

quotequail finds the intro lines it knows ("On ... wrote:", forward markers,
wrapped over two lines); ``mail_words`` adds the header words of Outlook
blocks and the intro lines of the languages quotequail lacks. An Outlook
header block looks the same under a reply and a forward: the subject prefix
says which (``FW:``/``WG:``/``TR:`` or ``RE:``/``AW:``/``ATB:``), and without a
subject, the writer's own words ("please see below", "forwarding").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import quotequail

from parsers.readers.mail_words import ANSWER_CUES, FORWARD_CUES, header, marker, subject_says

MAX_LINES = 5000  # structure is looked for in the first lines only
MAX_DEPTH = 8
MAX_FALSE_INTROS = 50
SEPARATOR = re.compile(r"^\s*(?:_{8,}|-{8,}|={8,})\s*$")
CONTINUATION = re.compile(r"[@;,]")


@dataclass(frozen=True)
class Forwarded:
    """One forwarded original: its header values as written, and its text."""

    headers: dict[str, str]  # "from", "sent", "to", "cc", "subject", when present
    text: str


@dataclass(frozen=True)
class Body:
    own: str
    forwarded: tuple[Forwarded, ...] = ()
    quoted: str = ""


@dataclass
class _Boundary:
    kind: str  # "forward", "wrote", "block" (reply or forward: undecided), "quote"
    line: int  # first line of the intro or header block
    body: int  # first line after the intro and its header block
    headers: dict[str, str] = field(default_factory=dict)


def split_body(text: str, *, subject: str = "") -> Body:
    """The writer's own text, each forwarded original in order, and the quoted text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    head, tail = lines[:MAX_LINES], lines[MAX_LINES:]
    own, forwarded, quoted = _split(head, subject_says(subject), 0)
    return Body(
        "\n".join(own + tail),
        tuple(forwarded),
        "\n".join(quoted),
    )


def _split(
    lines: list[str], hint: str | None, depth: int
) -> tuple[list[str], list[Forwarded], list[str]]:
    found = _next_boundary(lines) if depth < MAX_DEPTH else None
    if found is None:
        return lines, [], []
    own = lines[: found.line]
    kind = found.kind
    if kind == "block":
        kind = hint or _cue(own)
    if kind == "reply":
        return own, [], lines[found.line :]
    if kind in ("wrote", "quote"):
        rest = lines[found.body :] if kind == "wrote" else lines[found.line :]
        if kind == "wrote" and not _starts_quoted(rest):
            return own, [], lines[found.line :]  # top-posted: all below is quoted
        # Bottom-posted or interleaved: only the "> " lines are the quote.
        intro = lines[found.line : found.body]
        quoted = intro + [line for line in rest if _is_quoted(line)]
        return own + [line for line in rest if not _is_quoted(line)], [], quoted
    inner, after = _forwarded_lines(lines, found)
    headers, inner = _take_headers(inner, found.headers)
    inner_own, inner_forwarded, inner_quoted = _split(
        inner, subject_says(headers.get("subject", "")) or "forward", depth + 1
    )
    original = Forwarded(headers, "\n".join(inner_own).strip("\n"))
    return own + after, [original, *inner_forwarded], inner_quoted


def _cue(own: list[str]) -> str:
    """Forward or reply, from the writer's own words above a header block."""
    text = " ".join(own)
    return "forward" if FORWARD_CUES.search(text) and not ANSWER_CUES.search(text) else "reply"


def _next_boundary(lines: list[str]) -> _Boundary | None:
    false_intros = 0
    for n in range(len(lines)):
        found = _boundary_at(lines, n)
        if found:
            return found
        intro = _quotequail_intro(lines, n)
        if intro is None:
            continue
        found = _intro_boundary(lines, *intro)
        if found:
            return found
        false_intros += 1
        if false_intros > MAX_FALSE_INTROS:
            return None  # many lines that look like an intro and are none: no structure
    return None


def _boundary_at(lines: list[str], n: int) -> _Boundary | None:
    """A boundary our own tables see on line ``n``."""
    line = lines[n]
    if _is_quoted(line):
        return _Boundary("quote", n, n)
    kind = marker(line)
    if kind == "wrote":
        return _Boundary("wrote", n, n + 1)
    if kind in ("forward", "original") or SEPARATOR.match(line):
        block = _header_block(lines, _skip_blank(lines, n + 1))
        if kind == "forward":
            return _Boundary("forward", n, n + 1)
        if block:
            return _Boundary("block", n, n + 1)
        return None
    if _header_block(lines, n):
        return _Boundary("block", n, n)
    return None


def _intro_boundary(lines: list[str], begin: int, end: int) -> _Boundary | None:
    """The intro line quotequail found: a reply's "wrote:" or a forward marker."""
    ours = _boundary_at(lines, begin)
    if ours or SEPARATOR.match(lines[begin]):
        return ours
    unwrapped = quotequail.unwrap("\n".join(lines[begin:]))
    if not unwrapped or unwrapped.get("type") not in ("reply", "forward"):
        return None
    if unwrapped["type"] == "reply":
        return _Boundary("wrote", begin, end + 1)
    return _Boundary("forward", begin, end + 1)


def _quotequail_intro(lines: list[str], n: int) -> tuple[int, int] | None:
    """(first, last) line of an intro line quotequail knows starting on line ``n``.

    quotequail's patterns all end a line with ":" or ">" or are a rule of dashes
    or underscores, so only such lines (or the line above one, for an intro
    wrapped over two) are handed to it, two lines at a time.
    """
    if not (_may_be_intro(lines[n]) or (n + 1 < len(lines) and _may_be_intro(lines[n + 1]))):
        return None
    window = lines[n : n + 2]
    parts = quotequail.quote("\n".join(window), quote_intro_line=True, limit=3)
    if len(parts) < 2 or parts[1][1].count("\n") + 1 < len(window):
        return None  # no intro, or one starting on the next line
    after = quotequail.quote("\n".join(window), quote_intro_line=False, limit=3)
    end = n + _count_lines(after[0][1]) - 1 if len(after) == 2 else n
    return n, max(n, end)


def _may_be_intro(line: str) -> bool:
    bare = line.strip()
    return bare.endswith((":", ">")) or bare.startswith(("-", "_"))


def _count_lines(text: str) -> int:
    return text.count("\n") + 1 if text else 0


def _forwarded_lines(lines: list[str], found: _Boundary) -> tuple[list[str], list[str]]:
    """The original's lines (unquoted when Apple quotes it), and any own text after."""
    start = _skip_blank(lines, found.body)
    if start < len(lines) and _is_quoted(lines[start]):
        end = start
        while end < len(lines) and (_is_quoted(lines[end]) or not lines[end].strip()):
            end += 1
        return [_unquote(line) for line in lines[start:end]], lines[end:]
    return lines[found.body :], []


def _take_headers(lines: list[str], known: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    start = _skip_blank(lines, 0)
    block = _header_block(lines, start)
    if not block:
        return dict(known), lines
    headers, end = block
    return {**known, **headers}, lines[end:]


def _header_block(lines: list[str], n: int) -> tuple[dict[str, str], int] | None:
    """The header values of an Outlook/webmail block starting on line ``n``, and its end."""
    if n >= len(lines):
        return None
    first = header(lines[n])
    if first is None or first[0] != "from" or not first[1]:
        return None
    headers = {"from": first[1]}
    last, end = "from", n + 1
    while end < len(lines):
        found = header(lines[end])
        if found and found[0] not in headers:
            last = found[0]
            if last != "other":
                headers[last] = found[1]
        elif lines[end].strip() and last in ("to", "cc") and CONTINUATION.search(lines[end]):
            headers[last] = f"{headers[last]} {lines[end].strip()}"
        else:
            break
        end += 1
    if "sent" in headers or {"to", "subject"} <= headers.keys():
        return headers, end
    return None


def _skip_blank(lines: list[str], n: int) -> int:
    while n < len(lines) and not lines[n].strip(" >\t\u00a0"):
        n += 1
    return n


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _starts_quoted(lines: list[str]) -> bool:
    start = _skip_blank(lines, 0)
    return start < len(lines) and _is_quoted(lines[start])


def _unquote(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(">"):
        stripped = stripped[1:]
        return stripped[1:] if stripped.startswith(" ") else stripped
    return line

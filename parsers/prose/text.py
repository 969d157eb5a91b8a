"""An email's text as the prose reader sees it: segments, paragraphs, sentences.

A body holds the writer's own words and, below them, any message forwarded
with it, each under its header block (``From:``, ``Sent:``, ``Subject:``, in
English or in the languages mail clients write them). Each such part is a
``Segment``: its header, the greeting's addressee, the paragraphs, and the
signature after the sign-off. Quote marks (``> ``) are taken off; curly quotes
are read as straight ones (same length, so positions still hold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from parsers.prose.dates import find_dates, first_date

MAX_CHARS = 60_000
MAX_SENTENCE = 2_000

_FROM_KEYS = r"from|de|von|van|oddi wrth|da|från|od|fra"
_OTHER_KEYS = (
    r"sent|date|datum|envoyé|gesendet|anfonwyd|enviado|data|verzonden|skickat|sendt|"
    r"to|à|a|an|at|para|aan|till|do|til|cc|bcc|subject|objet|betreff|pwnc|asunto|oggetto|"
    r"onderwerp|ämne|temat|emne|reply-to|importance"
)
HEADER_FROM = re.compile(rf"^(?:{_FROM_KEYS})\s?:\s*(?P<v>.+)$", re.IGNORECASE)
HEADER_OTHER = re.compile(rf"^(?P<k>{_OTHER_KEYS})\s?:\s*(?P<v>.*)$", re.IGNORECASE)
FORWARD_MARK = re.compile(
    r"^(?:-{2,}\s*(?:forwarded message|original message|message transféré|"
    r"weitergeleitete nachricht|mensaje reenviado)\s*-{2,}|begin forwarded message:|"
    r"start of forwarded message:?)$",
    re.IGNORECASE,
)
WROTE = re.compile(r"^on .{5,200}(?:wrote|a écrit|schrieb|escribió)\s*:$", re.IGNORECASE)
RULE = re.compile(r"^[_\-=*~]{8,}$")
GREETING = re.compile(
    r"^(?:dear|hi|hello|hey|hiya|good (?:morning|afternoon|evening)|morning|afternoon|"
    r"to whom it may concern|greetings)\b(?P<rest>[^,!:\n]*)[,!:]?\s*(?P<after>.*)$",
    re.IGNORECASE,
)
# A first line that is only a name and a comma greets that person ("Helen,").
NAME_GREETING = re.compile(r"^(?P<rest>[A-Z][\w'\-]+(?: [A-Z][\w'\-]+)?),(?P<after>)$")
SIGN_OFF = re.compile(
    r"^(?:[^/\n]{2,40}/\s*)?(?:kind regards|best regards|warm regards|warmest regards|"
    r"regards|best wishes|many thanks|thanks|thank you|thanks again|yours sincerely|"
    r"yours faithfully|yours truly|yours|with thanks|with best wishes|cheers|sincerely|"
    r"best|all the best|take care|speak soon|respectfully|love)[,.!]*"
    r"(?:\s+(?P<name>(?-i:[A-Z])[\w'’\-]+))?\s*$",
    re.IGNORECASE,
)
SENT_FROM = re.compile(r"^(?:sent from|get outlook for|download outlook)\b", re.IGNORECASE)
SIG_MARK = re.compile(r"^--\s*$")
BULLET = re.compile(r"^(?:[•◦▪‣·*\-–—]|\d{1,2}[.)])\s+")
LABEL = re.compile(r"^(?P<label>[A-Za-z][^:]{0,50}?)\s*:\s+(?P<value>\S.*)$")
SUBJECT_LINE = re.compile(r"^(?:subject|objet|betreff|pwnc|asunto|oggetto|onderwerp)\s?:\s*(\S.*)$",
                          re.IGNORECASE)
FORWARD_PREFIX = re.compile(r"^\s*(?:fw|fwd|tr|wg|rv|doorst|vs|i)\s*:", re.IGNORECASE)
REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|atb|sv|antw|odp|r|réf|ynt)\s*:", re.IGNORECASE)
REPLY_PREFIXES = re.compile(
    r"^\s*(?:(?:re|aw|atb|sv|vs|wg|tr|fw|fwd|rv|réf|antw|odp|r|automatic reply|"
    r"undeliverable|auto)\s*:\s*)+",
    re.IGNORECASE,
)
_QUOTE_MARKS = re.compile(r"^\s*(?:>\s?)+")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "\u2007": " ",
                       "\u202f": " ", "\u2013": "–"})
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "nos", "eg", "e.g", "ie", "i.e", "etc",
                  "approx", "ref", "tel", "vs", "jr", "sr", "prof", "rev", "ext", "d.o.b",
                  "dob", "a.k.a", "sgt", "insp", "mt", "ft", "co", "ltd", "dept", "fig", "im",
                  "nr", "ul", "pl", "av", "sra", "mme"}


@dataclass(frozen=True)
class Header:
    """A forwarded message's header block: who wrote it, when, about what."""

    sender_name: str = ""
    sender_email: str = ""
    sent: date | None = None
    subject: str = ""


@dataclass(frozen=True)
class Sentence:
    """One sentence, or one line of a list, with where it sits."""

    text: str
    segment: int
    paragraph: int  # -1 for a subject line, -2 for the signature, -3 for the top block
    kind: str  # "prose", "line" (a bullet, a label line, a short line), "cells", "subject"
    bullet: bool = False


@dataclass
class Segment:
    header: Header
    forwarded: bool
    top: list[str] = field(default_factory=list)
    addressee: str = ""
    paragraphs: list[list[str]] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)

    @property
    def sent(self) -> date | None:
        return self.header.sent


def fold(text: str) -> str:
    """Curly quotes straight, odd spaces plain: the same length, so offsets hold."""
    return text.translate(_FOLD)


def is_forward(subject: str) -> bool:
    """Does the subject's first prefix say the email forwards another ("Fwd:", "TR:")?"""
    return bool(FORWARD_PREFIX.match(subject))


def is_reply(subject: str) -> bool:
    """Does the subject's first prefix say the email replies to another ("Re:", "AW:")?"""
    return bool(REPLY_PREFIX.match(subject))


def bare_subject(subject: str) -> str:
    """A subject without its ``Re:``/``Fwd:``/``AW:`` prefixes."""
    return REPLY_PREFIXES.sub("", subject).strip()


def split_segments(text: str, sent: date | None = None) -> list[Segment]:
    """The writer's part first, then each forwarded message under its header."""
    lines = [_QUOTE_MARKS.sub("", fold(line)).rstrip() for line in text[:MAX_CHARS].split("\n")]
    segments: list[Segment] = []
    current: list[str] = []
    header = Header(sent=sent)
    forwarded = False
    n = 0
    while n < len(lines):
        block = _header_block(lines, n)
        if block is not None:
            end, found = block
            segments.append(_segment(current, header, forwarded=forwarded))
            header = Header(found.sender_name, found.sender_email, found.sent or sent,
                            found.subject)
            forwarded, current, n = True, [], end
            continue
        current.append(lines[n])
        n += 1
    segments.append(_segment(current, header, forwarded=forwarded))
    return [s for s in segments if s.paragraphs or s.signature or s.top or s.header.subject]


def _header_block(lines: list[str], n: int) -> tuple[int, Header] | None:
    """(the line after the block, its header) when a header block starts at line ``n``."""
    line = lines[n].strip()
    start = n
    if FORWARD_MARK.match(line) or WROTE.match(line):
        sender = line
        n += 1
        while n < len(lines) and not lines[n].strip():
            n += 1
        if n >= len(lines) or not HEADER_FROM.match(lines[n].strip()):
            return n, Header(*_sender(sender), sent=first_date(sender))
        line = lines[n].strip()
    found = HEADER_FROM.match(line)
    if not found:
        return None
    values = {"from": found.group("v")}
    m = n + 1
    while m < len(lines) and (other := HEADER_OTHER.match(lines[m].strip())):
        values.setdefault(other.group("k").lower(), other.group("v"))
        m += 1
    if m - n < 2 and start == n:
        return None
    name, email = _sender(values["from"])
    when = next((v for k, v in values.items() if k not in ("from", "to", "cc", "bcc")
                 and first_date(v)), "")
    subject = next((v for k, v in values.items() if k in (
        "subject", "objet", "betreff", "pwnc", "asunto", "oggetto", "onderwerp", "ämne",
        "temat", "emne")), "")
    return m, Header(name, email, first_date(when) if when else None, subject.strip())


def _sender(text: str) -> tuple[str, str]:
    email = re.search(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", text)
    name = re.sub(r"<[^>]*>|\[[^\]]*\]|mailto:\S+|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", " ", text)
    name = re.sub(r"^on\s+|\s*(?:wrote|a écrit|schrieb)\s*:?\s*$", "", name.strip(),
                  flags=re.IGNORECASE)
    name = " ".join(name.replace('"', " ").split()).strip(" ,")
    return (name if len(name.split()) <= 5 and not re.search(r"\d", name) else "",
            email.group(0).lower() if email else "")


def _segment(lines: list[str], header: Header, *, forwarded: bool) -> Segment:
    segment = Segment(header, forwarded)
    body = [line for line in lines if not RULE.match(line.strip())]
    while body and not body[0].strip():
        body.pop(0)
    filled = [i for i, line in enumerate(body) if line.strip()][:20]
    greeting, found = next(((i, m) for i in filled
                            if (m := GREETING.match(body[i].strip()) or NAME_GREETING.match(
                                body[i].strip()))), (0, None))
    if found is not None and all(len(line.split()) <= 12 for line in body[:greeting]):
        segment.top = [line.strip() for line in body[:greeting] if line.strip()]
        if len(found.group("rest").split()) <= 4:
            segment.addressee = found.group("rest").strip()
            body = [found.group("after"), *body[greeting + 1 :]]
        else:
            body = body[greeting:]
    body, segment.signature = _split_signature(body)
    segment.paragraphs = _paragraphs(body)
    return segment


def _split_signature(body: list[str]) -> tuple[list[str], list[str]]:
    """(the body, the signature): what follows the sign-off, or a last block of short lines."""
    for i, line in enumerate(body):
        stripped = line.strip()
        signed = SIGN_OFF.match(stripped)
        if i and (signed or SIG_MARK.match(stripped)):
            rest = [x.strip() for x in body[i + 1 :] if not SENT_FROM.match(x.strip())]
            if signed and signed.group("name"):
                rest.insert(0, signed.group("name"))
            return body[:i], rest
    while body and (not body[-1].strip() or SENT_FROM.match(body[-1].strip())):
        body = body[:-1]
    starts = [i for i, line in enumerate(body)
              if line.strip() and (i == 0 or not body[i - 1].strip())]
    if len(starts) > 1:
        last = [x.strip() for x in body[starts[-1] :] if x.strip()]
        if _is_signature(last):
            return body[: starts[-1]], last
    return body, []


def _is_signature(lines: list[str]) -> bool:
    """Short lines without full stops or dates, the first a name: a signature, not details."""
    if not lines or len(lines) > 8 or not _looks_like_name(lines[0]):
        return False
    return all(len(line.split()) <= 7 and not line.endswith((".", "?", ":"))
               and not find_dates(line) for line in lines[:3])


def _looks_like_name(line: str) -> bool:
    words = [w for w in re.split(r"[\s|,]+", line.strip()) if w][:3]
    return bool(words) and len(words) <= 3 and all(w[:1].isupper() for w in words[:2])


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _paragraphs(body: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for block in _blocks(body):
        lines = [line for line in block if not SENT_FROM.match(line)]
        if not lines:
            continue
        if _unwrapped(lines):
            out.extend([line] for line in lines)
        else:
            out.extend(_wrapped_paragraphs(lines))
    return out


def _unwrapped(lines: list[str]) -> bool:
    """Lines that each end a sentence: a document's paragraphs, one a line, not wrapped text."""
    long = [line for line in lines if len(line) >= 60]
    ended = [line for line in long if line.rstrip().endswith((".", "!", "?", ":", '"'))]
    return len(lines) >= 3 and len(long) >= 2 and len(ended) * 5 >= len(long) * 4


def _wrapped_paragraphs(lines: list[str]) -> list[list[str]]:
    """Wrapped text without blank lines: a paragraph ends at a short line that ends a sentence.

    Typesetting leaves the last line of a paragraph shorter than the others, so
    in a block of lines about as wide as each other (a PDF's text, say) a line
    well short of the width that ends with a full stop closes its paragraph.
    """
    if len(lines) < 4:
        return [lines]
    widths = sorted(len(line) for line in lines)
    width = widths[len(widths) * 4 // 5]
    if width < 50:
        return [lines]
    out: list[list[str]] = [[]]
    for line in lines:
        out[-1].append(line)
        if len(line) < width * 0.8 and line.rstrip().endswith((".", "!", "?", ":", ",")):
            out.append([])
    return [p for p in out if p]


def line_kind(line: str) -> str:
    """``"cells"`` (a table row), ``"line"`` (a bullet or a short label line) or ``"prose"``."""
    if "\t" in line:
        return "cells"
    if BULLET.match(line) and len(line.split()) <= 12:
        return "line"
    label = LABEL.match(line)
    if label and len(label.group("label").split()) <= 6:
        value = label.group("value")
        # "Good news: Mia's father phoned us ...": a sentence, not a label's value.
        if len(value.split()) <= 12 and not re.search(r"[.!?]\s+[A-Z]", value):
            return "line"
    return "prose"


def units(paragraph: list[str]) -> list[tuple[str, str, bool]]:
    """A paragraph's lines joined where a sentence wraps: (text, kind, bullet) per unit."""
    out: list[tuple[str, str, bool]] = []
    for line in paragraph:
        kind = line_kind(line)
        bullet = bool(BULLET.match(line))
        text = BULLET.sub("", line) if bullet else line
        if (out and kind == "prose" and out[-1][1] == "prose" and len(previous := out[-1][0]) >= 40
                and not previous.endswith(":")):
            out[-1] = (f"{previous} {text}", "prose", out[-1][2])
        else:
            out.append((text, kind if kind != "prose" or len(text) >= 40 else "line", bullet))
    return out


_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9À-Ý])")


def split_sentences(text: str) -> list[str]:
    """``text`` cut after each full stop, question or exclamation mark that ends a sentence."""
    out: list[str] = []
    start = 0
    for match in _END.finditer(text):
        before = text[start : match.start()].rstrip(".!?\"')]")
        word = re.split(r"[\s(]", before)[-1].lower() if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        out.append(text[start : match.start()].strip())
        start = match.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def sentences(segments: list[Segment], subjects: list[str]) -> list[Sentence]:
    """Every sentence of every segment's paragraphs, and each subject line, in order."""
    out = [Sentence(fold(s), -1, -1, "subject") for s in subjects if s.strip()]
    for i, segment in enumerate(segments):
        if segment.header.subject:
            out.append(Sentence(segment.header.subject, i, -1, "subject"))
        for p, paragraph in enumerate(segment.paragraphs):
            for text, kind, bullet in units(paragraph):
                if kind == "line" and (subject := SUBJECT_LINE.match(text)):
                    # An attached email's subject, written below its text by the reader.
                    out.append(Sentence(subject.group(1), i, -1, "subject"))
                    continue
                pieces = split_sentences(text) if kind == "prose" else [text]
                # A "sentence" of thousands of characters is no one's writing.
                out.extend(Sentence(piece, i, p, kind, bullet) for piece in pieces
                           if len(piece) <= MAX_SENTENCE)
    return out

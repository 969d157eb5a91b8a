"""The writer's signature block: name, job title, organisation, phone, email.

``find_signature`` reads one part of a message (the writer's own text, one
forwarded original, one attached email): never a quoted reply, where the LA's
own signature sits. The block starts at a sign-off ("Kind regards",
"Viele Grüße / Kind regards", "... Thanks, Priti") or, where there is none, at
a name line near the end above job-title and contact lines. It ends before
what mail programs add below it ("Sent from my iPhone", disclaimers,
protective markings, mottos), which is cut first.

Each line of the block is read piece by piece (``signature_pieces.py``) by
the vocabularies in ``templates/signature.toml``. The strongest organisation
wins (a school or council over a team within it), and so does a known job title
over a line with a job word; a first name alone is a name, flagged
``partial_name``, unless the writer gives their surname elsewhere in the part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.document import clean
from parsers.signature_pieces import PIECES, Reading, person_name, piece_kind, read_piece
from parsers.signature_words import SignatureVocabulary

SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
# Words after a first name that are no surname ("Jo Thanks", "Sam Year 7").
FULL_NAME_STOPS = {"thanks", "thank", "regards", "and", "is", "has", "was", "will", "in",
                   "year", "from", "the", "to", "at", "on", "mum", "dad", "said", "says"}
MAX_BLOCK_LINES = 15
MAX_DISCLAIMER_LINES = 30  # lines of a disclaimer skipped between a sign-off and its signature
MAX_LINE_WORDS = 12
LOOK_BACK = 60  # lines above the end searched for a sign-off


@dataclass(frozen=True)
class Signature:
    """A signature block; ``first_line``/``end_line`` say where it sat (0-based, end
    exclusive, lines of the text read)."""

    name: str | None = None
    role: str | None = None
    organisation: str | None = None
    phone: str | None = None
    email: str | None = None
    partial_name: bool = False  # a first name only ("Dee")
    title: str | None = None  # "Dr", "Mrs": never part of the name
    sign_off: str | None = None
    first_line: int = 0
    end_line: int = 0

    def labelled(self) -> list[tuple[str, str]]:
        """The block as label/value pairs, in the labels the generic template maps."""
        values = (("Signed", self.name), ("Role", self.role),
                  ("Organisation", self.organisation), ("Telephone", self.phone),
                  ("Email", self.email))
        return [(label, value) for label, value in values if value]


def find_signature(text: str, vocabulary: SignatureVocabulary | None = None) -> Signature | None:
    """The writer's signature at the end of ``text``, or None when there is none."""
    words = vocabulary or SignatureVocabulary.shipped()
    lines = [clean(line) for line in text.replace("\r\n", "\n").split("\n")]
    end = _content_end(lines, words)
    for n in range(end - 1, max(-1, end - 1 - LOOK_BACK), -1):
        sign_off, inline = _sign_off(lines[n], words)
        if sign_off is None:
            continue
        found = _read_block(lines, n + 1, end, words, inline)
        if found is not None:
            return _signature(found[0], n, found[1], sign_off, text)
    # No sign-off: a name line in the run of short lines at the end, above the
    # lines a signature holds (a job title, an organisation, contacts), or alone.
    for n in range(_final_run(lines, end, words), end):
        if not lines[n] or not person_name(PIECES.split(lines[n])[0], words, lowercase=False):
            continue
        found = _read_block(lines, n, end, words, None, strict=True)
        if found is None or not found[0].names:
            continue
        reading, stop = found
        # A name alone counts where a mail program's line below ends the typed text
        # ("Dee" above "Sent from my iPhone"); at the very end it may be anything.
        alone = not any(lines[stop:end]) and any(lines[end:])
        if alone or reading.roles or reading.organisations or reading.phone or reading.email:
            return _signature(reading, n, stop, None, text)
    return None


def _signature(
    reading: Reading, start: int, end: int, sign_off: str | None, text: str
) -> Signature:
    name, title = _bestperson_name(reading.names)
    if name and len(name.split()) == 1:
        name = _fullperson_name(name, text) or name
    return Signature(
        name=name,
        role=max(reading.roles, key=lambda r: r[0])[1] if reading.roles else None,
        organisation=(max(reading.organisations, key=lambda o: o[0])[1]
                      if reading.organisations else None),
        phone=reading.phone,
        email=reading.email,
        partial_name=bool(name) and len(name.split()) == 1,
        title=title,
        sign_off=sign_off,
        first_line=start,
        end_line=end,
    )


def _fullperson_name(first: str, text: str) -> str | None:
    """The writer's full name where they wrote it in the text ("my name is Marcus Reid")."""
    surname = r"(?P<surname>[A-Z][\w'’]+(?:-[A-Z][\w'’]+)?)(?![\w-])"
    found = re.search(rf"(?<![\w-]){re.escape(first)}[ \u00a0]+{surname}", text)
    if found is None or found.group("surname").lower() in FULL_NAME_STOPS:
        return None
    return f"{first} {found.group('surname')}"


def _bestperson_name(names: list[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """The first name read; a first name alone gives way to the full name below it
    that starts with it ("Kate" and "Kate Ferris", "Dev" and "Devinder Sahota"),
    and so does an initial and surname."""
    if not names:
        return None, None
    first = names[0][0].lower()
    if len(first.split()) == 1:
        for name in names[1:]:
            words = name[0].lower().split()
            if len(words) > 1 and words[0].startswith(first):
                return name
    # A signed initial gives way to the typed name below it with the same surname
    # ("P. Vance-Hartley" over "Philippa Vance-Hartley").
    initial = re.fullmatch(r"([a-z])\.?\s+(\S+)", first)
    if initial:
        for name in names[1:]:
            words = name[0].lower().split()
            if (len(words) > 1 and words[-1] == initial.group(2)
                    and words[0].startswith(initial.group(1)) and len(words[0]) > 1):
                return name
    return names[0]


def _content_end(lines: list[str], words: SignatureVocabulary) -> int:
    """The end of the text once what mail programs add below a signature is cut:
    from the first noise line of the last paragraph, as often as there is one."""
    end = len(lines)
    while end > 0:
        while end > 0 and not lines[end - 1]:
            end -= 1
        start = end
        while start > 0 and lines[start - 1]:
            start -= 1
        noise = [n for n in range(start, end) if _is_noise(lines[n], words)]
        if not noise:
            return end
        end = noise[0]
    return 0


def _is_noise(line: str, words: SignatureVocabulary) -> bool:
    bare = line.strip(" *_-=~")
    if not bare:
        return len(line) > 3  # a line of stars or dashes, not the "-- " above a signature
    if words.patterns["noise"].match(bare) or words.patterns["disclaimer"].search(bare):
        return True
    # A motto in quotation marks ("‘Let your light shine’").
    return bare[0] in "'\"‘“«" and bare[-1] in "'\"’”»" and len(bare.split()) <= 10


def _sign_off(line: str, words: SignatureVocabulary) -> tuple[str | None, str | None]:
    """(the sign-off, a name written on the same line) when ``line`` closes the message."""
    if not line or len(line) > 200:
        return None, None
    last = SENTENCE_END.split(line)[-1].strip()  # "Can you chase? Thanks, Priti"
    for candidate in {line, last}:
        bare = candidate.rstrip(" ,.!-–")
        pieces = [p.strip() for p in re.split(r"\s+[/|]\s+", bare)]
        for piece in pieces:
            if words.patterns["sign_off"].match(piece):
                return bare, None
        inline = words.patterns["sign_off_name"].match(bare)
        if inline and person_name(inline.group("name"), words, lowercase=False):
            return bare, inline.group("name")
    return None, None


def _final_run(lines: list[str], end: int, words: SignatureVocabulary) -> int:
    """Where the run of short lines at the end starts (no sign-off: a name line there)."""
    n = end
    while n > 0:
        line = lines[n - 1]
        if line and (_is_prose(line) or _is_noise(line, words)):
            break
        n -= 1
    return n


def _is_prose(line: str) -> bool:
    """A sentence, not a signature line ("Jo Bloggs | Attendance Officer | ..." is one)."""
    count = max(len(piece.split()) for piece in PIECES.split(line))
    return (count > MAX_LINE_WORDS or (count > 3 and line.endswith((".", "?", "!")))
            or (count > 6 and line.endswith(":")))


def _past_disclaimer(lines: list[str], n: int, end: int, words: SignatureVocabulary) -> int:
    """Where the block goes on after a disclaimer that began on the line before ``n``:
    past its paragraphs and rules, bounded by ``MAX_DISCLAIMER_LINES``."""
    limit = min(end, n + MAX_DISCLAIMER_LINES)
    while n < limit and (not lines[n].strip(" -_") or _is_prose(lines[n])
                         or _is_noise(lines[n], words)):
        n += 1
    return n


def _read_block(
    lines: list[str], start: int, end: int, words: SignatureVocabulary, inline: str | None,
    *, strict: bool = False,
) -> tuple[Reading, int] | None:
    """Read the block from ``start``: the reading and where it ended; None when it
    holds no detail at all. ``strict``: the block ends at a line no signature holds."""
    reading = Reading([], [], [])
    if inline:
        reading.names.append(person_name(inline, words, lowercase=False) or (inline, None))
    n, read = start, 0
    while n < end and read < MAX_BLOCK_LINES:
        line = lines[n]
        n += 1
        if not line.strip("-_ "):  # blank, or the "-- " above a signature
            continue
        if read == 0 and not strict and _is_noise(line, words):
            # "Kind regards," then the organisation's disclaimer, then the signature
            # (mail systems put the disclaimer where the writer's sign-off ends).
            n = _past_disclaimer(lines, n, end, words)
            continue
        if _is_prose(line) or _is_noise(line, words):
            n -= 1
            break
        lowercase = read == 0 and inline is None
        pieces = PIECES.split(line)
        if strict and any(piece_kind(p, words) == "other" for p in pieces):
            n -= 1
            break
        for piece in pieces:
            read_piece(piece, reading, words, lowercase=lowercase)
        read += 1
    if not (reading.names or reading.roles or reading.organisations or reading.phone
            or reading.email):
        return None
    return reading, n



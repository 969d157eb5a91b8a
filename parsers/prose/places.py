"""Where the child lives and which school: addresses and school names in sentences.

An address is the words between a cue ("lives at", "address is", "moved to",
"of") and a UK postcode, or a line that starts with a house number and ends
with one. A school, a council or an office's address is nobody's home, nor
is an address in a professional's signature; a parent's letter is written
from home, so its top block and signature give the child's address. A school
name ends with a school word ("Brunel Fields Primary Academy") or starts with
one in another language ("Ysgol Gynradd Bryn Eithin"); the words before it
say whether the child was on roll there or has started there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.mapping import Candidate
from parsers.prose.context import OTHERS, Context, owner_before
from parsers.prose.names import Token, runs, tokens
from parsers.validate import POSTCODE_SHAPE

POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})(?![A-Za-z0-9])"
)
_CUE = re.compile(
    r"(?:\baddress(?:\s+(?:is|was|as|here is|on (?:her|his|their|the) \w+))?\s*[:(]?|"
    r"\blive[sd]?\s+at|\bliving\s+at|\bstaying\s+(?:\w+\s+){0,4}?at|\bmoved\s+to|"
    r"\bmoving\s+to|\bof|\bat|\bis|:)\s+",
    re.IGNORECASE,
)
_NOT_HOME = re.compile(
    r"\b(?:school|academy|college|council|county hall|civic centre|registered office|office|"
    r"headquarters|police station|surgery|clinic|hospital|diocese|trust)\b",
    re.IGNORECASE,
)
# "We admitted Lena (date of birth ...) to Ashcombe School": the writer's own school.
_ADMITTED = re.compile(r"\b(?:we|i)\s+(?:have\s+)?admitted\b.{0,80}\b(?:to|into)\s+$",
                       re.IGNORECASE)
_PREVIOUS = re.compile(r"\b(?:previous|old|former|earlier)\s+address\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^(?:\d+[A-Za-z]?\b|(?:flat|room|plot|apartment|unit|house|no\.?)\s*\d)",
                       re.IGNORECASE)
# "Szkoła Podstawowa nr 12 im. Jana Pawła II": numbered names abroad.
_NUMBERED_NAME = {"nr", "no", "n°", "nº", "im", "num", "núm"}
_SCHOOL_INSIDE = {"st", "st.", "saint", "ce", "rc", "c", "of", "e", "the", "and", "&", "'s",
                  "de", "la", "le", "les", "des", "du", "y", "von", "der"}


def postcodes(text: str) -> list[re.Match[str]]:
    return [m for m in POSTCODE.finditer(text)
            if POSTCODE_SHAPE.fullmatch((m.group(1) + m.group(2)).upper())]


def address_candidates(context: Context) -> Iterator[Candidate]:
    for sentence in context.sentences:
        if sentence.kind not in ("prose", "line"):
            continue
        for match in postcodes(sentence.text):
            address = _address_before(sentence.text, match.start(), line=sentence.kind == "line")
            if address:
                yield from _home(address, match, 0.7, "address in a sentence")
    for n, segment in enumerate(context.segments):
        if context.parent_wrote(n):
            yield from _block(segment.top, signed=False, context=context)
            yield from _block([x for x in segment.signature if x.strip()], signed=True,
                              context=context)
        for k, lines in enumerate(segment.paragraphs):
            above = segment.paragraphs[k - 1][-1] if k and segment.paragraphs[k - 1] else ""
            yield from _labelled_block(lines, above, context)


# What introduces an address written as lines: "Home address", "They are currently at:".
_BLOCK_CUE = re.compile(
    r"(?:\baddress(?:es)?|\b(?:live[sd]?|living|staying|currently|now|placed)\s+(?:\w+\s+){0,3}?at)"
    r"\s*:?\s*$",
    re.IGNORECASE,
)


def _labelled_block(lines: list[str], above: str, context: Context) -> Iterator[Candidate]:
    """Address lines down to a postcode, under a line (or a paragraph) that introduces them."""
    for i, line in enumerate(lines):
        found = postcodes(line)
        if not found or len(line[: found[-1].start()].split()) > 6:
            continue
        parts = [line[: found[-1].start()].strip(" ,")]
        k = i - 1
        while k >= 0 and len(lines[k].split()) <= 6 and not _BLOCK_CUE.search(lines[k]) \
                and not lines[k].rstrip().endswith((".", "?", "!")) \
                and not _is_people(lines[k], context, first=False):
            parts.append(lines[k].strip(" ,"))
            k -= 1
        cue = lines[k] if k >= 0 else above
        if len(parts) >= 2 and _BLOCK_CUE.search(cue) and not _NOT_HOME.search(cue[-40:]):
            address = ", ".join(p for p in reversed(parts) if p)
            if not _NOT_HOME.search(address):
                yield from _home(address, found[-1], 0.65, "address lines under a cue")
        return


def _home(address: str, postcode: re.Match[str], score: float, cue: str) -> Iterator[Candidate]:
    yield Candidate("child_address", address, score, "prose", cue)
    written = f"{postcode.group(1)} {postcode.group(2)}"
    yield Candidate("child_postcode", written, score, "prose", cue)


def _address_before(text: str, end: int, *, line: bool) -> str:
    """The address written just before a postcode, from the nearest cue that fits."""
    before = text[:end]
    if _PREVIOUS.search(before):
        return ""
    bodies = [before.strip(" ,")] if line else []
    bodies += [before[cue.end() :].strip(" ,") for cue in _CUE.finditer(before)]
    fitting = [b for b in bodies if 2 <= len(b.split()) <= 12 and not re.search(r"[.;!?]\s", b)]
    numbered = [b for b in fitting if _NUMBERED.match(b)]
    named = [b for b in fitting if b[:1].isupper() and "," in b]
    best = numbered[-1] if numbered else named[-1] if named and not line else ""
    best = re.sub(r"\s*\($", "", best).strip(" ,")
    # "the school's address", "our office at": the words just before say whose it is.
    lead = before[: len(before) - len(before.lstrip()) + before.rfind(best)][-30:] if best else ""
    return best if best and not _NOT_HOME.search(best) and not _NOT_HOME.search(lead) else ""


def _block(lines: list[str], *, signed: bool, context: Context) -> Iterator[Candidate]:
    """A letter's address block: lines ending with a postcode line, or one line with it."""
    for n, line in enumerate(lines):
        found = postcodes(line)
        if not found:
            continue
        match = found[-1]
        parts = [line[: match.start()].strip(" ,")]
        k = n - 1
        # Lines above belong to the address until one is a house number's, or the
        # postcode's line holds the whole address; the first line of a signature
        # is the writer's name.
        while k >= int(signed) and len(parts) < 6 and lines[k] and "," not in parts[0] \
                and not re.search(r"\d{5,}|@", lines[k]) and len(lines[k].split()) <= 6 \
                and not _is_people(lines[k], context, first=k == 0) \
                and not (parts[-1][:1].isdigit() and lines[k][:1].isdigit()):
            parts.append(lines[k].strip(" ,"))
            k -= 1
        address = ", ".join(p for p in reversed(parts) if p)
        if address and address[:1].isalnum() and not _NOT_HOME.search(address):
            yield from _home(address, match, 0.65, "the parent's address block")
        return


def _is_people(line: str, context: Context, *, first: bool) -> bool:
    """"Rebecca & Stuart Thackeray" above an address: who lives there, not where.

    A place ("Collingford", "Lower Hamble") looks like a name too, so only a couple,
    a titled name, or a full name heading the block counts as people.
    """
    found = runs(tokens(line), context.vocab)
    covered = sum(len(run.text.replace(" ", "")) for run in found)
    if not found or covered < len(re.sub(r"[\s&,.]|\band\b", "", line)) * 0.8:
        return False
    titled = line.split()[0].lower().rstrip(".") in context.vocab.titles
    couple = len(found) >= 2 and re.search(r"&|\band\b", line) is not None
    return titled or couple or (first and len(found[0].words) >= 2)


def school_names(text: str, context: Context) -> list[tuple[int, int, str]]:
    """(start, end, name) of every school named in ``text``."""
    vocab = context.vocab
    toks = tokens(text)
    out: list[tuple[int, int, str]] = []
    n = 0
    while n < len(toks):
        token = toks[n]
        lowered = token.lower
        if token.text[:1].isupper() and lowered in vocab.school_foreign:
            last = _extend(toks, n + 1, forward=True)
            if last > n + 1:
                out.append(_span(text, toks, _extend(toks, n - 1, forward=False), last))
                n = last
                continue
        if token.text[:1].isupper() and lowered in vocab.school_ends:
            last = n + 1
            while last < len(toks) and toks[last].text[:1].isupper() \
                    and toks[last].lower in vocab.school_ends:
                last += 1  # "Primary School", "High School"
            first = _extend(toks, n - 1, forward=False)
            if first < n and any(toks[k].lower not in vocab.not_names for k in range(first, n)):
                out.append(_span(text, toks, first, last))
            n = last
            continue
        n += 1
    return out


def _extend(toks: list[Token], n: int, *, forward: bool) -> int:
    step = 1 if forward else -1
    while 0 <= n < len(toks):
        word = toks[n]
        inside = word.text[:1].isupper() or word.lower in _SCHOOL_INSIDE or (
            forward and (word.text.isdigit() or word.lower in _NUMBERED_NAME
                         or (word.text == "." and toks[n - 1].lower in _NUMBERED_NAME)))
        if not inside or word.text in ("(", ","):
            break
        n += step
    if forward:
        while n > 0 and toks[n - 1].lower in _SCHOOL_INSIDE:
            n -= 1
        return n
    n += 1
    while n < len(toks) and toks[n].lower in _SCHOOL_INSIDE - {"st", "st.", "saint"}:
        n += 1
    return n


def _span(text: str, toks: list[Token], first: int, last: int) -> tuple[int, int, str]:
    start, end = toks[first].start, toks[last - 1].end
    return start, end, text[start:end]


def school_candidates(context: Context) -> Iterator[Candidate]:
    """The school the child was on roll at, and the one they have started at."""
    vocab = context.vocab
    for n, segment in enumerate(context.segments):
        if context.parent_wrote(n):
            # A parent's letter is addressed to the child's school ("The Headteacher",
            # then the school's name).
            for line in segment.top:
                found = school_names(line, context)
                if found and found[0][2] == line.strip(" ,"):
                    yield Candidate("school_name", found[0][2], 0.65, "prose", "letter to it")
                    break
    for sentence in context.sentences:
        if sentence.kind not in ("prose", "line"):
            continue
        text = sentence.text
        for start, _end, name in school_names(text, context):
            before = text[:start]
            if owner_before(context, text, start) in OTHERS:
                continue  # "his brother attends Marlowe Park Primary"
            if vocab.destination.last_before(before, 1) and not re.search(
                    r"\b(?:we|i)\s+(?:have\s+)?admitted\b", before, re.IGNORECASE):
                yield Candidate("destination_school", name, 0.65, "prose", "started at")
            elif vocab.school_origin.last_before(before, 1) or _ADMITTED.search(before):
                yield Candidate("school_name", name, 0.6, "prose", "on roll at")
            elif re.search(r"\bat\s+(?:the\s+)?$", before) and context.names_child(before):
                yield Candidate("school_name", name, 0.55, "prose", "the child ... at")

"""The child's dates, year group, gender and UPN, read from sentences.

Every value is found by its shape first, then given to its owner: a date is
a date of birth after "born"/"DOB" and the child's only when the nearest
person named before the cue is the child (or nobody); "Tyler's sister Kaycee
(DOB ...)" and "Mum's DOB" are someone else's. A date without a year takes
the email's year; "aged 9" is an age, never a date of birth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.mapping import Candidate
from parsers.prose.context import OTHERS, Context, owner_before
from parsers.prose.dates import find_dates
from parsers.prose.names import Token, runs, tokens
from parsers.prose.text import Sentence
from parsers.prose.vocabulary import DATE_FIELDS

# Words allowed between a cue and its date: "last attended on", "born on the".
GAP_WORDS = {"child_dob": 8, "date_last_attended": 4, "date_removed_from_roll": 4,
             "ehe_start_date": 3}
_YEAR = re.compile(r"(?<![\w-])(?:year|yr|y)\s?(\d{1,2})(?![\d\w])", re.IGNORECASE)
_RECEPTION = re.compile(r"(?:\bin\s+|\(|\b)reception(?:\)|\s+(?:child|pupil|class|place|starter|"
                        r"year|intake))?", re.IGNORECASE)
_CHILD_AFTER = re.compile(r"\s*(?:boy|girl|pupil|student|child|learner|son|daughter)\b",
                          re.IGNORECASE)
_FROM = re.compile(r"\b(?:from|with effect from|as of|starting)\s+(?:the\s+)?$", re.IGNORECASE)
_UPN = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z](?![A-Za-z0-9])")


def _candidate(field: str, value: str, score: float, cue: str) -> Candidate:
    return Candidate(field, value, round(score, 2), "prose", cue)


def date_candidates(context: Context) -> Iterator[Candidate]:
    # Paragraphs about home education: "please remove his name ... with effect from
    # Monday 2nd February" there is also when home education starts.
    ehe_paragraphs = {(s.segment, s.paragraph) for s in context.sentences
                      if context.vocab.ehe_sentence.search(s.text)}
    for sentence in context.sentences:
        if sentence.kind in ("prose", "line"):
            yield from _sentence_dates(
                context, sentence, ehe_paragraph=(sentence.segment, sentence.paragraph)
                in ehe_paragraphs)
        elif sentence.kind == "cells":
            yield from _row(context, sentence)


def _sentence_dates(context: Context, sentence: Sentence, *,
                    ehe_paragraph: bool) -> Iterator[Candidate]:
    vocab, text = context.vocab, sentence.text
    sent = context.sent_of(sentence)
    ehe = bool(vocab.ehe_sentence.search(text))
    previous = 0
    for written in find_dates(text):
        offset, window = previous, text[previous : written.start]
        previous = written.end
        if vocab.date_not_before.last_before(window, 0):
            continue
        field, cue = _field(context, window, ehe=ehe)
        resolved = written.resolve(sent)
        if field is None or cue is None or resolved is None:
            continue
        owner = owner_before(context, text, offset + cue.start())
        if field == "child_dob":
            score = _dob_score(context, owner, resolved.year, sent.year if sent else None)
            if score:
                yield _candidate(field, resolved.isoformat(), score, cue.group(0))
        elif owner not in OTHERS:
            # "last attended on" says it; "absent since" dates the first day away.
            since = field == "date_last_attended" and "since" in cue.group(0).lower()
            yield _candidate(field, resolved.isoformat(), 0.65 if since else 0.7, cue.group(0))
            if field == "date_removed_from_roll" and ehe_paragraph and _FROM.search(window):
                yield _candidate("ehe_start_date", resolved.isoformat(), 0.55,
                                 "removed from, about home education")


def _field(context: Context, window: str, *, ehe: bool) -> tuple[str | None, re.Match[str] | None]:
    """The field whose cue ends closest to the date (the longer cue on a tie)."""
    best: tuple[int, int, str, re.Match[str]] | None = None
    for field in DATE_FIELDS:
        if field == "ehe_start_date" and not ehe:
            continue
        cue = context.vocab.dates[field].last_before(window, GAP_WORDS[field])
        if cue is not None:
            rank = (cue.end(), len(cue.group(0)))
            if best is None or rank > best[:2]:
                best = (*rank, field, cue)
    return (best[2], best[3]) if best else (None, None)


def _dob_score(context: Context, owner: str, year: int, now: int | None) -> float:
    if now is not None and not now - 25 <= year <= now:
        return 0.0
    if owner == "child" or (owner == "" and context.child is not None):
        return 0.75
    if owner in ("", "name") and context.child is None:
        return 0.6
    return 0.0


def _row(context: Context, sentence: Sentence) -> Iterator[Candidate]:
    """A household table's row that names the child: its date of birth and its gender."""
    child = context.child
    cells = [c.strip() for c in sentence.text.split("\t") if c.strip()]
    if child is None or not cells:
        return
    named = runs(tokens(cells[0]), context.vocab)
    if not named or not all(child.named_by(w) for w in named[0].words):
        return
    found = [d for cell in cells[1:] for d in find_dates(cell)]
    resolved = found[0].resolve(context.sent_of(sentence)) if len(found) == 1 else None
    if resolved is not None:
        yield _candidate("child_dob", resolved.isoformat(), 0.65, "household row")
    for cell in cells[1:]:
        gender = _gender_word(cell.lower(), context)
        if gender:
            yield _candidate("child_gender", gender, 0.65, "household row")


def _gender_word(word: str, context: Context) -> str:
    if word in context.vocab.male:
        return "M"
    if word in context.vocab.female:
        return "F"
    return ""


def year_candidates(context: Context) -> Iterator[Candidate]:
    """"a Year 6 boy", "in Y10", "yr 7", "Reception"; a class such as "5H" is not a year."""
    for sentence in context.sentences:
        if sentence.kind == "cells":
            continue
        text = sentence.text
        found = [(m.start(), m.group(1), m.group(0)) for m in _YEAR.finditer(text)]
        found += [(m.start(), "R", m.group(0)) for m in _RECEPTION.finditer(text)
                  if m.group(0).lower() != "reception" or sentence.kind == "subject"]
        for start, value, written in found:
            if sentence.kind != "subject" and value != "R" and written[:1].islower() \
                    and not written.lower().startswith(("year", "yr")):
                continue
            if value != "R" and not 1 <= int(value) <= 14:
                continue
            if context.vocab.year_not_after.last_before(text[:start], 0):
                continue
            owner = owner_before(context, text, start)
            if owner in OTHERS or (context.child is None and not _CHILD_AFTER.match(
                    text[start + len(written):])):
                continue  # "Year 7 will visit the museum": a year, but no child's
            score = 0.75 if sentence.kind == "subject" and context.names_child(text) else (
                0.7 if owner == "child" or sentence.kind == "subject" else 0.65)
            yield _candidate("child_year_group", value, score, written)


def gender_candidates(context: Context) -> Iterator[Candidate]:
    """Gender from a word (boy, girl, son, daughter, male, female), never from a pronoun."""
    found: list[Candidate] = []
    for sentence in context.sentences:
        if sentence.kind == "cells":
            continue
        toks = tokens(sentence.text)
        for n, token in enumerate(toks):
            gender = _gender_word(token.lower, context)
            if not gender and token.text in ("M", "F") and 0 < n < len(toks) - 1 \
                    and toks[n - 1].text in ("(", ",") and toks[n + 1].text in (")", ","):
                gender = token.text
            if not gender:
                continue
            if token.lower in ("son", "daughter") and toks[n + 1 : n + 2] and \
                    toks[n + 1].text == "'s":
                continue  # "her son's school" says nothing of the child's gender
            score = _gender_score(context, sentence, toks, n)
            if score:
                found.append(_candidate("child_gender", gender, score, token.text))
    if len({c.raw for c in found}) == 1:
        yield from found


def _gender_score(context: Context, sentence: Sentence, toks: list[Token], n: int) -> float:
    word = toks[n].lower
    previous = toks[n - 1].lower if n else ""
    if word in ("son", "daughter", "grandson", "granddaughter", "stepson", "stepdaughter"):
        following = toks[n + 1].text if n + 1 < len(toks) else ""
        child = context.child
        if child is not None and child.named_by(following):
            return 0.75
        if previous in ("my", "our") or (previous in ("her", "his", "their") and child is None):
            return 0.7
        return 0.0
    owner = owner_before(context, sentence.text, toks[n].start)
    if owner in OTHERS or (owner == "name" and context.child is not None):
        return 0.0
    if n + 1 < len(toks) and toks[n + 1].lower in ("toilets", "changing", "group", "school"):
        return 0.0
    return 0.7 if owner == "child" or sentence.kind == "subject" else 0.65


def upn_candidates(context: Context) -> Iterator[Candidate]:
    """A UPN written in a sentence or a list line, unless it is a sibling's."""
    for sentence in context.sentences:
        if sentence.kind not in ("prose", "line"):
            continue
        for match in _UPN.finditer(sentence.text):
            if owner_before(context, sentence.text, match.start()) not in OTHERS:
                yield _candidate("child_upn", match.group(0), 0.7, "UPN")

"""The parent or carer: their name, phone and email, from sentences.

A name is a parent's when a parent word stands next to it ("Mum (Rachel
Hartley)", "her mother, Jo Bloggs,", "Mrs Jo Bloggs (mother)"); a phone or an
email is a parent's when the nearest person before it in its sentence is a
parent ("Mum's mobile is ..."). A writer who speaks as the parent ("our son",
"my daughter") signs as the parent: their signature, their "my number is" and
the address they write from are the parent's. An adult sharing the child's
surname who is called or seen with the child is taken as a parent, less surely.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.clean import Found, find_emails, find_phones
from parsers.mapping import Candidate
from parsers.prose.context import Context, owner_before
from parsers.prose.names import Run, runs, tokens, without_title
from parsers.prose.text import Segment

# "social worker Leah Morgan", "her social worker, Jo Bloggs", "Jo Bloggs (social worker)".
_WORKER = r"(?:allocated\s+)?(?:social\s+worker|key\s*worker|keyworker|sw)"
_WORKER_BEFORE = re.compile(rf"\b{_WORKER}(?:\s+is)?\s*[,:\-–]?\s*$", re.IGNORECASE)
_WORKER_AFTER = re.compile(rf"\s*[(,]\s*(?:the\s+)?(?:family's\s+|allocated\s+)?{_WORKER}\b",
                           re.IGNORECASE)
# A parent's letter gives its contacts as "Tel: ...", "Mobile: ...", "Email: ...".
_CONTACT_LABEL = re.compile(r"^\s*(?:tel|telephone|phone|mobile|mob|home|contact(?: number)?|"
                            r"e-?mail)\b[^:]{0,12}:", re.IGNORECASE)
_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr)\.?\s+", re.IGNORECASE)
_MY_CONTACT = re.compile(
    r"\b(?:my|our)\s+(?:mobile|phone|number|telephone|tel|contact number|mobile number|"
    r"phone number|email|email address|e-mail)\s*(?:is|:)?\s*$|\b(?:call|ring|contact|text|email|"
    r"reach)\s+(?:me|us)\b[^.!?]{0,60}?\b(?:on|at)\s*$",
    re.IGNORECASE,
)


def _candidate(field: str, value: str, score: float, cue: str) -> Candidate:
    return Candidate(field, value, score, "prose", cue)


def parent_candidates(context: Context) -> Iterator[Candidate]:
    """Parent fields in the order the text gives them: the first parent named wins."""
    for sentence in context.sentences:
        if sentence.kind == "cells":
            yield from _household_row(context, sentence.text)
        if sentence.kind not in ("prose", "line"):
            continue
        text = sentence.text
        contacts = find_phones(text)
        for run in runs(tokens(text), context.vocab):
            name = without_title(run.text, context.vocab)
            if run.role == "parent":
                yield _candidate("parent_name", name, 0.7 if len(name.split()) > 1 else 0.45,
                                 "parent word by a name")
            elif _family_contact(context, text, run, contacts):
                yield _candidate("parent_name", name, 0.6, "the child's surname, with a contact")
            elif len(name.split()) > 1 and (_WORKER_BEFORE.search(text[: run.start])
                                            or _WORKER_AFTER.match(text[run.end :])):
                yield _candidate("social_worker", name, 0.65, "social worker NAME")
        for match in contacts:
            owner = owner_before(context, text, match.start, pronouns=False)
            if owner in ("parent", "family"):
                yield _candidate("parent_phone", match.value, 0.7 if owner == "parent" else 0.6,
                                 f"{owner}'s phone")
            elif context.parent_wrote(sentence.segment) and _MY_CONTACT.search(
                    text[: match.start]):
                yield _candidate("parent_phone", match.value, 0.7, "my number is")
        for match in find_emails(text):
            owner = owner_before(context, text, match.start, pronouns=False)
            if owner == "parent" or (_MY_CONTACT.search(text[: match.start])
                                     and context.parent_wrote(sentence.segment)):
                yield _candidate("parent_email", match.value, 0.7, "parent's email")
    for n, segment in enumerate(context.segments):
        if context.parent_wrote(n):
            yield from parent_writer(context, n, segment)


def _household_row(context: Context, row: str) -> Iterator[Candidate]:
    """A table row "Precious Ndlovu | Mother | 14/05/1991": a parent named in a household list."""
    cells = [c.strip() for c in row.split("\t") if c.strip()]
    if len(cells) < 2 or not any(context.vocab.role(c.lower()) == "parent" for c in cells[1:3]):
        return
    named = runs(tokens(cells[0]), context.vocab)
    if named and named[0].text == cells[0] and len(named[0].words) > 1:
        yield _candidate("parent_name", named[0].text, 0.65, "household row")


def _family_contact(context: Context, text: str, run: Run, contacts: list[Found]) -> bool:
    """"Mark Quillfeather has not answered calls on 07700 ...", "seen with Jo Quillfeather"."""
    if context.people.get(run.text.lower()) != "family":
        return False
    near_phone = any(0 <= m.start - run.end <= 80 for m in contacts)
    seen_with = bool(re.search(r"\bwith\s+$", text[: run.start]))
    return near_phone or seen_with


def parent_writer(context: Context, n: int, segment: Segment) -> Iterator[Candidate]:
    """The writer of segment ``n`` is the parent: their name, phone and email."""
    signed = _signed_name(segment)
    header = segment.header.sender_name
    name = signed
    if header and (not signed or header.split()[0].lower() == signed.split()[0].lower()):
        name = header if len(header.split()) > len(signed.split()) else signed or header
    for sentence in context.sentences:
        if sentence.segment == n:
            found = re.search(r"\bmy name is\s+(.+?)(?:\s+and\b|[,.]|$)", sentence.text, re.I)
            if found and len(found.group(1).split()) <= 4:
                name = found.group(1)
                break
    if name and not (context.child and context.child.is_child(name.split())):
        yield _candidate("parent_name", name, 0.7 if len(name.split()) > 1 else 0.45,
                         "the parent writes")
    lines = [*segment.signature[:8], *segment.top,
             *(line for p in segment.paragraphs for line in p if _CONTACT_LABEL.match(line))]
    for line in lines:
        for found in find_phones(line):
            yield _candidate("parent_phone", found.value, 0.65, "the parent's signature")
        for found in find_emails(line):
            yield _candidate("parent_email", found.value, 0.65, "the parent's signature")
    email = segment.header.sender_email or (context.sender if n == 0 and not segment.forwarded
                                            else "")
    if email:
        yield _candidate("parent_email", email, 0.6, "the parent's address")


def _signed_name(segment: Segment) -> str:
    for line in [line for line in segment.signature if line.strip()][:3]:
        name = re.sub(r"\s*\(.*$", "", line).strip()
        couple = re.match(r"(.+?)\s+(?:and|&)\s+(.+)$", name)
        if couple:  # "Mr Gareth Rees and Mrs Helen Rees": the first named
            name = couple.group(1)
            if len(name.split()) == 1:
                name = f"{name} {couple.group(2).split()[-1]}"
        name = _TITLE.sub("", name).strip()
        words = name.split()
        if 1 <= len(words) <= 4 and all(w[:1].isalpha() for w in words) and not find_phones(line):
            return name
    return ""

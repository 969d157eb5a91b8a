"""Safeguarding flags from clear sentences (FIELDS.md, "Reading conventions").

"not subject to a child protection plan" is ``cp_plan`` false, "known to CSC"
and "CiN, closed" are ``known_to_social_care`` true, "has an EHCP" and "SEN
support" are ``sen`` true, "Irish Travellers" is ``traveller`` true. The
phrases are in ``prose.toml``; "no" phrases are read and taken out first, so
"not known to social care" is never read as "known to social care". A weak
phrase ("no EHCP") gives way to a strong one ("on SEN support"); yes and no at
the same strength leave the flag out, as does "Not known".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.mapping import Candidate
from parsers.prose.context import Context, owner_before
from parsers.prose.text import LABEL, Sentence
from parsers.prose.vocabulary import FLAGS, FlagPhrases, Phrases

# Flags about the child alone: a sibling's EHCP is not the child's. Social
# care and travelling are the family's, so a parent's counts for them.
CHILD_ONLY = {"cp_plan", "looked_after", "sen"}
STRONG, WEAK = 0.7, 0.6


def flag_candidates(context: Context) -> Iterator[Candidate]:
    evidence: dict[str, list[tuple[bool, float]]] = {flag: [] for flag in FLAGS}
    for sentence in context.sentences:
        text = _readable(sentence)
        if not text:
            continue
        for flag in FLAGS:
            evidence[flag] += _read(context, sentence, text, flag)
    for flag, found in evidence.items():
        value = _decide(found)
        if value is not None:
            yield Candidate(flag, "Yes" if value[0] else "No", value[1], "prose", "sentence")


# A form's layout, not a sentence: tick boxes, dotted answer lines, " : " columns.
_FORM_LAYOUT = re.compile(r"[☐☒☑□■✓✔✗✘]|\.{4,}|_{4,}|\s:\s.*\s:\s|=")


def _readable(sentence: Sentence) -> str:
    """The part of a sentence a flag may be read from: a label line's value only."""
    if sentence.kind not in ("prose", "line") or _FORM_LAYOUT.search(sentence.text):
        return ""
    if sentence.text.rstrip().endswith("?"):
        return ""  # a question states nothing
    label = LABEL.match(sentence.text)
    if label and len(label.group("label").split()) <= 6:
        value = label.group("value")
        if len(value.split()) < 3:
            return ""  # "Known to CSC: Not known", "SEN: No": the form's answer, not a sentence
        return " " * label.start("value") + value
    return sentence.text


def _read(context: Context, sentence: Sentence, text: str, flag: str) -> list[tuple[bool, float]]:
    vocab = context.vocab
    phrases: FlagPhrases = vocab.flags[flag]
    out: list[tuple[bool, float]] = []
    for answer, strength, found in ((False, STRONG, phrases.no), (False, WEAK, phrases.weak_no),
                                    (True, STRONG, phrases.yes), (True, WEAK, phrases.weak_yes)):
        for match in list(found.finditer(text)):
            after = text[match.end() : match.end() + 40].lstrip()
            if _starts_with(vocab.flag_not_before, after) or (
                    answer and _starts_with(phrases.not_before, after)):
                continue
            if vocab.flag_uncertain.search(text[: match.start()]):
                continue  # "whether the family are known to social care"
            if answer and sentence.kind == "line" and not sentence.bullet and not any(
                    w in vocab.flag_verbs for w in re.findall(r"[\w']+", text.lower())):
                continue  # "Subject to CP plan" alone on a line: a form's label
            if flag in CHILD_ONLY and owner_before(context, sentence.text, match.start()) in (
                    "sibling", "relative", "parent", "family", "adult"):
                continue
            out.append((answer, strength))
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return out


def _starts_with(phrases: Phrases, text: str) -> bool:
    found = phrases.search(text)
    return found is not None and found.start() == 0


def _decide(found: list[tuple[bool, float]]) -> tuple[bool, float] | None:
    for strength in (STRONG, WEAK):
        answers = {answer for answer, s in found if s == strength}
        if len(answers) == 1:
            return answers.pop(), strength
        if answers:
            return None  # yes and no at the same strength: the team decides
    return None

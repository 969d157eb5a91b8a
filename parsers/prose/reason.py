"""The reason: the one paragraph of the writer's own words that tells what happened.

Each paragraph is scored by the circumstances it states ("moved", "visited",
"no answer", "evicted", "decided to home educate"); a request ("Please could
you ..."), a courtesy, a disclaimer, a list of labelled details, or a
paragraph of flags alone ("not known to social care") is not a reason. The
best paragraph is the reason when it states enough; when a second one comes
close, the choice goes to review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.clean import find_phones
from parsers.mapping import Candidate
from parsers.prose.context import Context
from parsers.prose.places import postcodes
from parsers.prose.text import BULLET, fold, line_kind, split_sentences
from parsers.prose.vocabulary import FLAGS

MIN_WORDS = 8
MAX_WORDS = 250
MIN_HITS = 2
CLEAR_MARGIN = 1.0
OWN_WORDS = 1.5
# Which paragraph states the reason is a judgement: every choice goes to review
# (below parsers.fields.REVIEW_BELOW) until the golden samples record reasons.
CLEAR, UNSURE = 0.55, 0.5
_DETAIL = re.compile(r"\b(?:dob|d\.o\.b|date of birth|upn)\b", re.IGNORECASE)


def reason_candidates(context: Context) -> Iterator[Candidate]:
    scored: list[tuple[float, int, str]] = []
    for n, segment in enumerate(context.segments):
        for lines in segment.paragraphs:
            text = " ".join(lines)
            found = _score(context, lines, fold(text))
            if found is None or found[0] < MIN_HITS or not _about_a_child(context, fold(text)):
                continue
            # The writer's own words first; a forwarded original when they add little.
            scored.append((found[1] + (OWN_WORDS if n == 0 else 0.0), len(scored), text))
    if not scored:
        return
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    best = ranked[0]
    clear = len(ranked) == 1 or best[0] - ranked[1][0] >= CLEAR_MARGIN
    yield Candidate("reason", best[2], CLEAR if clear else UNSURE, "prose", "paragraph")


def _score(context: Context, lines: list[str], text: str) -> tuple[int, float] | None:
    """(circumstances stated, rank) of a paragraph; ``None`` when it is no reason at all.

    The rank is the circumstances less what else the paragraph does: ask, thank,
    list flags or details, introduce the message.
    """
    vocab = context.vocab
    words = re.findall(r"\w+", text)
    if not MIN_WORDS <= len(words) <= MAX_WORDS or vocab.boilerplate.search(text):
        return None
    if sum(1 for w in words if w.islower()) * 2 < len(words) and not context.casual:
        return None  # machine text, a heading or a list of names, not sentences
    listed = sum(1 for line in lines if line_kind(line) != "prose" or BULLET.match(line))
    if len(lines) >= 2 and listed * 2 >= len(lines):
        return None  # a block of labelled details or bullets
    content: list[str] = []
    asides = 0  # requests, courtesies and flags: said, but not what happened
    for sentence in split_sentences(text):
        opening = vocab.not_opening.search(sentence[:40])
        if (opening and opening.start() == 0) or sentence.endswith("?") or \
                _only_flags(context, sentence):
            asides += 1
        else:
            content.append(sentence)
    if not content:
        return None
    body = " ".join(content)
    hits = len({m.group(0).lower() for m in vocab.circumstances.finditer(body)})
    if context.child is not None:  # an update's outcome is what happened to a child
        hits += sum(len({m.group(0).lower() for m in phrases.finditer(body)})
                    for _, phrases in vocab.outcomes)
    details = len(find_phones(text)) + len(postcodes(text)) + len(_DETAIL.findall(text))
    introduction = vocab.introductions.search(text[:40])
    return hits, (hits - 1.0 * asides - 0.75 * max(0, details - 1)
                  - (1.0 if introduction and introduction.start() == 0 else 0.0))


_A_CHILD = re.compile(
    r"\b(?:the|this|our|my|her|his|their)\s+(?:pupil|child|student|boy|girl|son|daughter|"
    r"young person|learner|youth)\b|\b(?:he|she|him)\b",
    re.IGNORECASE,
)


def _about_a_child(context: Context, text: str) -> bool:
    """A reason is about a child: one the message names, or one the paragraph points at."""
    return context.child is not None or bool(_A_CHILD.search(text))


def _only_flags(context: Context, sentence: str) -> bool:
    """A sentence that states flags and nothing else ("He is not known to social care.")."""
    rest = sentence
    for flag in FLAGS:
        phrases = context.vocab.flags[flag]
        for found in (phrases.no, phrases.weak_no, phrases.yes, phrases.weak_yes):
            if found.pattern is not None:
                rest = found.pattern.sub(" ", rest)
    if rest == sentence:
        return False
    left = [w for w in re.findall(r"\w+", rest.lower())
            if w not in context.vocab.function_words and w not in context.vocab.people["pronouns"]]
    return len(left) <= 3

"""A case update's outcome in words, and the deletion ground a message states.

Outcomes are tried in the order of ``[outcome]`` in ``prose.toml``, each
phrase found taken out before the next is tried: "could not be located" is
confirmed missing, never located; "started at X and we will send her file"
is located. Nothing decisive is ``info``, which says little (and so goes to
review). A ground is read from a code ("9(1)(i)", "8(1)(d)", "Ground F") or,
for home education, from a message that asks for or reports the removal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.mapping import Candidate
from parsers.prose.context import Context
from parsers.prose.places import school_candidates
from parsers.prose.text import fold

_CODE = re.compile(r"(?<![\d(])[89]\s*\(\s*1\s*\)\s*\(\s*[a-o]\s*\)|\bground\s+[a-oA-O]\b",
                   re.IGNORECASE)
_REMOVAL = re.compile(
    r"\b(?:remov\w*|delet\w*|off (?:the |our )?roll|deregist\w*|withdraw\w*|"
    r"take (?:\w+ )?(?:off|out of)|taking (?:\w+ )?(?:off|out of)|no longer attend\w*|"
    r"regulation|reg\.?|under)\b",
    re.IGNORECASE,
)


def outcome_candidates(context: Context) -> Iterator[Candidate]:
    text = fold(" \n ".join(s.text for s in context.sentences if s.kind != "subject"))
    for name, phrases in context.vocab.outcomes:
        if phrases.pattern is None:
            continue
        text, count = phrases.pattern.subn(" ", text)
        if count:
            yield Candidate("update_outcome", name, 0.65, "prose", "outcome words")
            return
    if any(c.field == "destination_school" for c in school_candidates(context)):
        yield Candidate("update_outcome", "located", 0.65, "prose", "a new school named")
        return
    # News with none of the four outcomes is, by definition, information.
    yield Candidate("update_outcome", "info", 0.6, "prose", "no outcome words")


# "No home education is being provided", "is not being home educated".
_NEGATED = re.compile(r"\b(?:no|not|never|isn't|is not|aren't|nor|without)\b(?:\W+\w+){0,2}\W*$",
                      re.IGNORECASE)


def ground_candidates(context: Context) -> Iterator[Candidate]:
    codes: list[tuple[str, float]] = []
    for sentence in context.sentences:
        if sentence.kind == "subject":
            continue
        for match in _CODE.finditer(sentence.text):
            codes.append((match.group(0), 0.7 if _REMOVAL.search(sentence.text) else 0.6))
    distinct = {re.sub(r"\s", "", c.lower()) for c, _ in codes}
    for code, score in codes:
        yield Candidate("deletion_ground", code, score if len(distinct) == 1 else 0.5, "prose",
                        "ground cited")
    if codes:
        return
    vocab = context.vocab
    for n, segment in enumerate(context.segments):
        for lines in segment.paragraphs:
            text = fold(" ".join(lines))
            found = vocab.ehe_sentence.search(text)
            if found and _NEGATED.search(text[max(0, found.start() - 30):found.start()]):
                continue  # "No home education is being provided"
            if found and (
                    _REMOVAL.search(text) or (context.parent_wrote(n)
                                              and vocab.parent_writer.search(text))):
                yield Candidate("deletion_ground", "home education", 0.6, "prose",
                                "removal for home education")
                return

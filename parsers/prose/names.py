"""People's names in a sentence: capitalised words that the vocabulary allows.

A name word is capitalised ("Zoë", "Riley-Jay", "O'Connell", "Ní") or, next
to one, in capitals ("Kieran DOYLE", "NGUYỄN Thị"). Function words, titles,
relationship words and the words of ``[names] not_names`` (days, months,
school and street words, "Protection", "Half", "Term", "Regards") never are,
so "Child Protection Plan", "Half Term" and "Hollybank Primary" are no names.
A ``Run`` is a maximal sequence of name words (with particles such as "de"
inside); each run also gets the role the words next to it give it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from parsers.prose.vocabulary import ProseVocabulary

_TOKEN = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*|\d+(?:[.:/]\d+)*[A-Za-z]*|[^\w\s]")
MAX_RUN = 5


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class Run:
    """Name words in a row: ``tokens[first:last]`` of their sentence."""

    words: tuple[str, ...]
    first: int
    last: int
    start: int
    end: int
    role: str | None  # "parent", "sibling", "relative", "adult" (titled), or None

    @property
    def text(self) -> str:
        return " ".join(self.words)


def tokens(text: str) -> list[Token]:
    """Words, numbers and punctuation; a possessive "'s" is a token of its own."""
    out: list[Token] = []
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        if len(word) > 3 and word.endswith("'s"):
            out.append(Token(word[:-2], match.start(), match.end() - 2))
            out.append(Token("'s", match.end() - 2, match.end()))
        else:
            out.append(Token(word, match.start(), match.end()))
    return out


def word_class(word: str, vocab: ProseVocabulary) -> str | None:
    """``"title"`` (Capitalised), ``"caps"`` (CAPITALS) or ``None`` for a word no name has."""
    lowered = word.lower()
    if (lowered in vocab.function_words or lowered in vocab.not_names or lowered in vocab.titles
            or vocab.role(lowered) or not word[:1].isalpha()):
        return None
    if len(word) >= 2 and word.isupper():
        return None if lowered in vocab.acronyms else "caps"
    if word[0].isupper() and any(c.islower() for c in word):
        return "title"
    return None


def runs(toks: list[Token], vocab: ProseVocabulary) -> list[Run]:
    """Every run of name words in a sentence's tokens, each with its role."""
    out: list[Run] = []
    n = 0
    while n < len(toks):
        if word_class(toks[n].text, vocab) is None:
            n += 1
            continue
        m = n + 1
        while m < len(toks) and (
            word_class(toks[m].text, vocab)
            or (toks[m].lower in vocab.particles and m + 1 < len(toks)
                and word_class(toks[m + 1].text, vocab))
        ):
            m += 1
        words = [t.text for t in toks[n:m]]
        classes = [word_class(w, vocab) for w in words]
        if len(words) <= MAX_RUN and "title" in classes:
            out.append(Run(tuple(words), n, m, toks[n].start, toks[m - 1].end,
                           _role(toks, n, m, vocab)))
        n = m
    return _couples(out, toks)


def _couples(found: list[Run], toks: list[Token]) -> list[Run]:
    """"Pauline and Roy Denholm": the first takes the surname, the second the role."""
    out = list(found)
    for i in range(len(out) - 1):
        first, second = out[i], out[i + 1]
        if second.first - first.last != 1 or toks[first.last].lower not in ("and", "&"):
            continue
        if len(first.words) == 1 and len(second.words) >= 2:
            out[i] = replace(first, words=(first.words[0], second.words[-1]))
        if first.role and not second.role:
            out[i + 1] = replace(second, role=first.role)
    return out


def _role(toks: list[Token], first: int, last: int, vocab: ProseVocabulary) -> str | None:
    """What the words just around a run say the person is (never "child": that is a cue)."""
    after = toks[last : last + 5]
    if after and after[0].text == "(":
        for token in after[1:]:
            if token.text == ")":
                break
            role = vocab.role(token.lower)
            if role in ("parent", "sibling", "relative"):
                return role
    before = [t for t in toks[max(0, first - 5) : first]
              if t.text not in (",", "(", ":", "-", "–", ".")]
    titled = bool(before) and before[-1].lower in vocab.titles
    while before and before[-1].lower in vocab.titles:
        before.pop()
    for token in reversed(before[-3:]):
        role = vocab.role(token.lower)
        if role in ("parent", "sibling", "relative"):
            return role
        if token.lower not in ("his", "her", "their", "my", "our", "the", "younger", "older",
                               "elder", "big", "little", "baby", "'s", "is", "was", "name",
                               "called", "named"):
            break
    return "adult" if titled else None


def split_name(words: tuple[str, ...] | list[str], vocab: ProseVocabulary) -> tuple[str, str]:
    """(forenames, surname): "SURNAME Forenames" when the first word alone is in capitals,
    a two-word surname from its first word ("Ní Bhriain"), else the last word."""
    words = list(words)
    if len(words) == 1:
        return words[0], ""
    if words[0].isupper() and not any(w.isupper() for w in words[1:]):
        return " ".join(words[1:]), words[0]
    for k in range(1, len(words) - 1):
        if words[k].lower() in vocab.surname_starts:
            return " ".join(words[:k]), " ".join(words[k:])
    return " ".join(words[:-1]), words[-1]


def without_title(text: str, vocab: ProseVocabulary) -> str:
    """A name without a leading title ("Mrs Jo Bloggs" -> "Jo Bloggs")."""
    words = text.split()
    while words and words[0].lower().rstrip(".") in vocab.titles:
        words = words[1:]
    return " ".join(words)

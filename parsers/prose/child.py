"""Whose message it is: the child's name, from the cues that point at it.

A name is the child's when the words around it say so: "Re: NAME", "our son
NAME", "pupil NAME", "a Year 6 boy at Hollybank, NAME,", "NAME (DOB ...)",
"NAME, born on ...", "NAME in 5H", "NAME has not been in school", or a
subject line that is a name ("CME notification – NAME (Y5)"). A name with a
parent's, a sibling's or a title's cue is never the child's, nor is the
greeting's addressee or a signature's writer. Each cue has a weight; the name
with the strongest (and most) cues wins, and a forename alone takes its
surname from a full mention of the same child elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.prose.names import Run, Token, runs, split_name, tokens, word_class
from parsers.prose.text import Sentence, bare_subject
from parsers.prose.vocabulary import ProseVocabulary

_YEAR_OR_CLASS = re.compile(
    r"^\(?(?:(?:year|yr|y)\s?\d{1,2}|reception|rec|nursery|[1-9][a-z]{1,2}|1[0-3][a-z]{1,2})\)?$",
    re.IGNORECASE,
)
_SUBJECT_PIECES = re.compile(r"(?:^|\s+)[-–—|:]+(?:\s+|$)|\s*\|\s*|:\s+")
_REFERENCE = re.compile(r"\bCME[-/ ]\d{4}[-/ ]\d{1,5}(?:-[A-Z])?\b", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"\s*\([^)]*\)\s*$")
_CLASS = re.compile(r"\d{1,2}[a-z]{1,2}")
_SUBJECT_CUES = {"of", "for", "re", "about", "regarding", "concerning", "re:"}
# "Rosie-Mae Lovell's family", "Oscar's mother": what a child has, a parent does not.
_HERS = {"family", "class", "teacher", "attendance", "absence", "school", "classmates",
         "form", "tutor", "file", "records"}
_DOB_WORDS = {"dob", "d.o.b", "born", "date", "d", "aged", "age"}


@dataclass(frozen=True)
class Cue:
    words: tuple[str, ...]
    score: float
    cue: str
    alias: str = ""


@dataclass
class ChildName:
    forenames: str
    surname: str
    score: float
    alias: str = ""
    words: set[str] = field(default_factory=set)  # every word that names the child

    def named_by(self, word: str) -> bool:
        return word.lower() in self.words

    def is_child(self, words: tuple[str, ...] | list[str]) -> bool:
        """Do these name words name the child? ("Mark Quillfeather" is not Lena's, and
        "Orla Gallagher" is not Niamh Orla Gallagher: a middle name is often a parent's.)"""
        first = words[0].lower()
        given = {self.forenames.split()[0].lower(), *(w.lower() for w in self.alias.split())}
        return first in given or (len(words) == 1 and first == self.surname.lower())


def subject_cues(subject: str, vocab: ProseVocabulary) -> list[Cue]:
    """Names a subject line gives: a piece that is a name, or ends with one after a cue."""
    out: list[Cue] = []
    for piece in _SUBJECT_PIECES.split(_REFERENCE.sub(" - ", bare_subject(subject))):
        words = _TRAILING_NOTE.sub("", piece).strip(" -–—").split()
        while words and _YEAR_OR_CLASS.match(words[-1]):
            words.pop()
        toks = tokens(" ".join(words))
        found = runs(toks, vocab)
        if not found or found[-1].last != len(toks) or found[-1].role:
            continue
        run = found[-1]
        prefix = [t.lower for t in toks[: run.first]]
        if not prefix and len(run.words) >= 2:
            out.append(Cue(run.words, 0.75, "subject"))
        elif not prefix:
            out.append(Cue(run.words, 0.5, "subject, one word"))
        elif prefix[-1] in _SUBJECT_CUES or prefix[-1] in vocab.child_nouns:
            out.append(Cue(run.words, 0.75 if len(run.words) >= 2 else 0.55, "subject cue"))
    return out


def sentence_cues(sentence: Sentence, vocab: ProseVocabulary) -> tuple[list[Cue], list[Run]]:
    """(the child cues in a sentence, every name run in it)."""
    toks = tokens(sentence.text)
    found = runs(toks, vocab)
    out: list[Cue] = []
    for run in found:
        if run.role:
            continue
        score, cue = _cue(sentence.text, toks, run, vocab)
        alias = _alias(sentence.text[run.end :], vocab)
        if score:
            out.append(Cue(run.words, score, cue, alias))
    return out, found


def _cue(text: str, toks: list[Token], run: Run, vocab: ProseVocabulary) -> tuple[float, str]:
    before = text[: run.start].rstrip()
    after = text[run.end :].lstrip()
    prev = [t.lower for t in toks[max(0, run.first - 8) : run.first] if t.text != ":"]
    label = re.fullmatch(r"\s*([A-Za-z' ]{2,30}?)\s*:\s*", before)
    label_words = set(label.group(1).lower().split()) if label else set()
    if label_words and not any(vocab.role(w) in ("parent", "sibling", "relative")
                               for w in label_words):
        if label_words & vocab.child_nouns:
            return 0.75, "child label: NAME"
        if label_words == {"name"}:
            return 0.55, "Name: NAME"
    nxt = [t.lower for t in toks[run.last : run.last + 5]]
    if re.search(r"(?:^|\n)\s*re\s*:$", before, re.IGNORECASE):
        return 0.8, "re:"
    # A capitalised cue word inside a sentence starts a title ("the School Attendance
    # (Pupil Registration) Regulations", "Student Finance"), not a child's name.
    cue_word = next((t for t in reversed(toks[: run.first]) if t.text != ":"), None)
    titled = bool(cue_word and cue_word.text[:1].isupper() and cue_word is not toks[0]
                  and not re.search(r"(?:^|[.!?:\n])\s*$", text[: cue_word.start]))
    if prev and vocab.role(prev[-1]) == "child" and prev[-1] not in vocab.child_nouns \
            and not titled:
        return 0.8, f"{prev[-1]} NAME"
    if prev and prev[-1] in ("pupil", "student", "learner") and not titled:
        return 0.75, f"{prev[-1]} NAME"
    if nxt[:1] == ["("] and len(nxt) > 1 and (nxt[1] in _DOB_WORDS or _is_year(nxt[1:3])
                                            or vocab.alias.search(after[:20])):
        return 0.8, "NAME (DOB|Year|known as"
    if nxt[:1] == [","] and len(nxt) > 1 and (nxt[1] in _DOB_WORDS or _is_year(nxt[1:3])
                                            or _CLASS.fullmatch(nxt[1])):
        return 0.8, "NAME, born|DOB|Year"
    if nxt[:1] == ["'s"] and re.match(r"'s\s+(?:date of birth|dob|d\.o\.b)", after, re.IGNORECASE):
        return 0.75, "NAME's date of birth"
    if prev and prev[-1] == "," and _appositive(prev[:-1], vocab) and (
            len(run.words) > 1 or nxt[:1] in ([","], ["("])):
        return 0.75, "a boy|girl|pupil ..., NAME"
    if nxt[:1] == ["is"] and nxt[1:2] == ["in"]:
        nxt = nxt[1:]  # "NAME is in Y10"
    if nxt[:1] == ["in"] and len(nxt) > 1 and (_is_year(nxt[1:3]) or _CLASS.fullmatch(nxt[1])):
        return 0.7, "NAME in Year|class"
    if vocab.child_before.last_before(before, max_gap_words=0):
        return 0.65, "cue NAME"
    if nxt[:1] == ["'s"] and len(nxt) > 1 and (
            vocab.role(nxt[1]) in ("parent", "sibling", "relative") or nxt[1] in _HERS):
        return 0.6, "NAME's mum|sister|family"  # the possessor of a family is the child
    found = vocab.child_after.search(after[:60])
    if found and found.start() == 0:
        return 0.65, "NAME absence verb"
    return 0.0, ""


def _appositive(words: list[str], vocab: ProseVocabulary) -> bool:
    """"a Year 6 boy at Hollybank" or "a 12-year-old girl": an article, then a child noun."""
    nouns = [i for i, w in enumerate(words) if w in vocab.child_nouns]
    return bool(nouns) and any(w in ("a", "an") for w in words[: nouns[-1]])


def _is_year(words: list[str]) -> bool:
    joined = " ".join(words)
    return bool(re.match(r"^(?:(?:year|yr|y)\s?\d{1,2}|reception)\b", joined))


def _alias(after: str, vocab: ProseVocabulary) -> str:
    """The preferred name in "(known as Luke)" just after a name."""
    found = re.match(r"\s*[(,]\s*(.{0,40})", after)
    if not found:
        return ""
    cue = vocab.alias.search(found.group(1))
    if cue is None or cue.start() > 0:
        return ""
    rest = re.match(r"\s*([^\W\d_][\w'\-]*(?:\s+[A-Z][\w'\-]*)?)", found.group(1)[cue.end():])
    return rest.group(1) if rest else ""


def choose_child(cues: list[Cue], mentions: list[Run], excluded: set[str],
                 vocab: ProseVocabulary) -> ChildName | None:
    """The child the cues point at most strongly, with a surname when a mention gives one."""
    groups: dict[tuple[str, ...], list[Cue]] = {}
    for cue in cues:
        key = tuple(w.lower() for w in cue.words)
        if _excluded(key, excluded):
            continue
        groups.setdefault(key, []).append(cue)
    # "Niamh Gallagher" (the subject) is "Niamh Orla Gallagher" (the details) with a
    # forename left out: the fuller name takes its cues.
    for key in sorted(groups, key=len):
        fuller = [k for k in groups if len(k) > len(key) > 1 and k[0] == key[0]
                  and k[-1] == key[-1] and set(key) <= set(k)]
        if fuller:
            groups[fuller[0]].extend(groups.pop(key))
    # A forename alone supports the full name it begins.
    for key in [k for k in groups if len(k) == 1]:
        fuller = [k for k in groups if len(k) > 1 and key[0] in (k[0], *_aliases(groups[k]))]
        if fuller:
            groups[max(fuller, key=lambda k: _score(groups[k]))].extend(groups.pop(key))
    for key in [k for k, found in groups.items()
                if all(c.cue == "subject, one word" for c in found)]:
        groups.pop(key)  # a one-word subject only supports a name the body points at
    if not groups:
        return None
    key = max(groups, key=lambda k: (_score(groups[k]), len(k)))
    best = groups[key]
    words = max((c.words for c in best), key=len)
    score = _score(best)
    if len(words) == 1 and (fuller := _full_mention(words[0], mentions, excluded)):
        words, score = fuller, score * 0.9  # the surname from a mention no cue points at
    forenames, surname = split_name(words, vocab)
    if surname:  # "REES Bethan" in the subject, "Bethan Tallulah REES" in the details
        forenames = _middle_names(forenames, surname, mentions, vocab)
    alias = next((c.alias for c in best if c.alias), "")
    named = {w.lower() for w in words} | {w.lower() for w in alias.split()}
    return ChildName(forenames, surname, score, alias, named)


def _score(cues: list[Cue]) -> float:
    return min(0.85, max(c.score for c in cues) + 0.05 * (len(cues) - 1))


def _aliases(cues: list[Cue]) -> set[str]:
    return {w.lower() for c in cues for w in c.alias.split()}


def _excluded(key: tuple[str, ...], excluded: set[str]) -> bool:
    return " ".join(key) in excluded or (len(key) == 1 and key[0] in excluded)


def _full_mention(forename: str, mentions: list[Run], excluded: set[str]) -> tuple[str, ...] | None:
    for run in mentions:
        if (len(run.words) > 1 and run.words[0].lower() == forename.lower() and not run.role
                and " ".join(run.words).lower() not in excluded):
            return run.words
    return None


def _middle_names(forenames: str, surname: str, mentions: list[Run],
                  vocab: ProseVocabulary) -> str:
    """The forenames of a mention with the same surname and first forename, and more of them."""
    first = forenames.split()[0].lower()
    for run in mentions:
        if run.role or len(run.words) <= len(forenames.split()) + 1:
            continue
        more, last = split_name(run.words, vocab)
        if last.lower() == surname.lower() and more.split()[0].lower() == first:
            return more
    return forenames


def excluded_names(texts: list[str], vocab: ProseVocabulary) -> set[str]:
    """Names that are never the child's: the addressee, the writers, the senders.

    Each name is excluded whole, and by its first word ("Dee", "Joanne").
    """
    out: set[str] = set()
    for text in texts:
        words = [w for w in re.split(r"[\s,]+", text) if w and word_class(w, vocab)]
        if words:
            out.add(" ".join(words).lower())
            out.add(words[0].lower())
    return out

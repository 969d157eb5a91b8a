"""What every prose rule needs: the sentences, the child, the other people named.

``read_context`` cuts the text into segments and sentences, finds the child
(``parsers/prose/child.py``) and remembers everyone else named with a role
(a parent, a sibling, a titled adult, the writer, the addressee).
``owner_before`` then says whose a value is: the nearest person named before
it in its sentence, by name or by a word such as "Mum's" or "his sister".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from parsers.prose.child import (
    ChildName,
    Cue,
    choose_child,
    excluded_names,
    sentence_cues,
    subject_cues,
)
from parsers.prose.names import Run, runs, tokens
from parsers.prose.text import (
    Segment,
    Sentence,
    fold,
    is_forward,
    is_reply,
    sentences,
    split_segments,
)
from parsers.prose.vocabulary import ProseVocabulary

# Owners that are someone other than the child.
OTHERS = ("parent", "sibling", "relative", "family", "adult")


# The writer says they pass on what follows: "Please see below from Sarah",
# "Forwarding Mrs Gallagher's letter", "see the email below" ("answers below" is a reply).
_FORWARDING = re.compile(
    r"\bforward(?:ing|ed)\b|\b(?:see|find)\s+(?:the\s+)?(?:email|e-mail|message|letter|note|"
    r"request|referral)s?\s+below\b|\bsee\s+below\s+from\b|\bbelow\s+from\s+[A-Z]",
    re.IGNORECASE,
)
_FROM_A_PARENT = re.compile(
    r"\b(?:letter|email|e-mail|reply|message|note|response)\s+(?:\w+\s+){0,3}?from\s+"
    r"(?:[\w'-]+'s\s+|(?:his|her|their|the)\s+)?(?:mother|mum|father|dad|parent|parents|carer)\b|"
    r"\b(?:parent's|mother's|mum's|father's|dad's|parents')\s+(?:\w+\s+)?"
    r"(?:letter|email|e-mail|reply|message)\b",
    re.IGNORECASE,
)


@dataclass
class Context:
    vocab: ProseVocabulary
    segments: list[Segment]
    sentences: list[Sentence]
    sent: date | None
    sender: str | None
    child: ChildName | None = None
    people: dict[str, str] = field(default_factory=dict)  # lower-case name -> role
    mentions: list[Run] = field(default_factory=list)
    casual: bool = False
    _parents: dict[int, bool] = field(default_factory=dict, repr=False)

    def sent_of(self, sentence: Sentence) -> date | None:
        """The date of the message a sentence was written in (for dates without a year)."""
        if 0 <= sentence.segment < len(self.segments):
            return self.segments[sentence.segment].sent or self.sent
        return self.sent

    def names_child(self, text: str) -> bool:
        """Does ``text`` name the child (a forename, the surname or the preferred name)?"""
        return self.child is not None and any(self.child.named_by(t.text) for t in tokens(text))

    def parent_wrote(self, segment: int) -> bool:
        """Does the segment's writer speak as the child's parent ("our son", "my daughter")?"""
        if segment not in self._parents:
            self._parents[segment] = self._parent_wrote(segment)
        return self._parents[segment]

    def _parent_wrote(self, segment: int) -> bool:
        if not 0 <= segment < len(self.segments):
            return False
        part = self.segments[segment]
        text = fold(" ".join(" ".join(p) for p in part.paragraphs))
        signed = " ".join(part.signature[:2]).lower()
        parent_signed = any(f"({w}" in signed or f" {w})" in signed
                            for w in ("mother", "father", "mum", "dad"))
        if parent_signed or self.vocab.parent_writer.search(text):
            return True
        if segment == 0 or not part.forwarded:
            return False
        # The forwarder says whose message follows: "a reply from Élodie's mother".
        before = self.segments[segment - 1]
        return bool(_FROM_A_PARENT.search(fold(" ".join(" ".join(p) for p in before.paragraphs))))


def read_context(text: str, vocab: ProseVocabulary, *, subject: str = "", sent: date | None = None,
                 sender: str | None = None, quoted: str = "") -> Context:
    """The text's segments and sentences, and the people in them."""
    forward = is_forward(subject) or bool(_FORWARDING.search(fold(text[:2000])))
    if quoted and forward:
        text = f"{text}\n{quoted}"  # a forward's original is the content, not a reply
    segments = _own_segments(split_segments(text, sent), subject)
    found = sentences(segments, [subject])
    context = Context(vocab, segments, found, sent, sender)
    starts = [s.text.lstrip("\"'(") for s in found if s.kind in ("prose", "line")]
    context.casual = bool(starts) and sum(s[:1].islower() for s in starts) * 2 > len(starts)
    cues: list[Cue] = []
    for n, sentence in enumerate(found):
        if sentence.kind == "subject":
            cues += subject_cues(sentence.text, vocab)
            continue
        more, named = sentence_cues(sentence, vocab)
        cues += more + _heading_cue(sentence, found[max(0, n - 1) : n], found[n + 1 : n + 2],
                                    named, vocab)
        if context.casual:
            cues += _casual_cues(sentence.text, vocab)
        context.mentions += named
    excluded = excluded_names(_not_children(segments), vocab)
    for run in context.mentions:
        if run.role:
            excluded.add(run.text.lower())
            context.people.setdefault(run.text.lower(), run.role)
            context.people.setdefault(run.words[0].lower(), run.role)
    for name in excluded:
        context.people.setdefault(name, "adult")
    context.child = choose_child(cues, context.mentions, excluded, vocab)
    if context.child is None and quoted and not forward:
        context.child = _quoted_child(quoted, vocab, excluded)
    _family(context)
    return context


_DOB_LINE = re.compile(r"^(?:dob|d\.o\.b|date of birth|born)\b", re.IGNORECASE)
_CASUAL = re.compile(r"\b(?:my|our|her|his)\s+(?:son|daughter|child)\s+([^\W\d_][\w'\-]{2,})",
                     re.IGNORECASE)


def _heading_cue(sentence: Sentence, before: list[Sentence], following: list[Sentence],
                 named: list[Run], vocab: ProseVocabulary) -> list[Cue]:
    """A line that is only a name is the child's when the line above is a label for it
    ("Pupil name") or the line below gives a date of birth."""
    if sentence.kind != "line" or len(named) != 1 or named[0].role:
        return []
    run = named[0]
    if run.text != sentence.text.strip(" .,-–"):
        return []
    if following and following[0].paragraph == sentence.paragraph and \
            _DOB_LINE.match(following[0].text):
        return [Cue(run.words, 0.75, "NAME / DOB line")]
    label = set(before[0].text.lower().rstrip(" :").split()) if before else set()
    if label and len(label) <= 4 and label & vocab.child_nouns and label & {"name", "names"}:
        return [Cue(run.words, 0.75, "Pupil name / NAME")]
    return []


def _casual_cues(text: str, vocab: ProseVocabulary) -> list[Cue]:
    """A writer who does not use capitals: "our daughter lily-mae"."""
    out = []
    for match in _CASUAL.finditer(text):
        word = match.group(1)
        if word.lower() not in vocab.function_words and word.lower() not in vocab.not_names:
            out.append(Cue((word,), 0.6, "casual: my son name"))
    return out


def _own_segments(segments: list[Segment], subject: str) -> list[Segment]:
    """The writer's segment and what they forward, without the text they reply to.

    A reply ("Re:", "AW:", "ATB:") quotes the message it answers, whatever the
    language of its header block; so does any part written by the person the
    writer greets ("Dear Joanne" above Joanne's own request).
    """
    if not segments:
        return segments
    if is_reply(subject) and not is_forward(subject):
        return segments[:1]
    greeted = segments[0].addressee.lower().split()
    return [segments[0]] + [
        part for part in segments[1:]
        if not greeted or _writer(part)[:1] != greeted[:1]
    ]


def _writer(part: Segment) -> list[str]:
    name = part.header.sender_name or (part.signature[0] if part.signature else "")
    return name.lower().split()


def _quoted_child(quoted: str, vocab: ProseVocabulary, excluded: set[str]) -> ChildName | None:
    """The child named in the request a reply quotes: the same case's child, less surely.

    Only the name is taken from quoted text (the LA's own address, phone and
    signature there are traps), and at a score that puts it to review.
    """
    cues: list[Cue] = []
    mentions: list[Run] = []
    for sentence in sentences(split_segments(quoted), []):
        more, named = sentence_cues(sentence, vocab)
        cues, mentions = cues + more, mentions + named
    found = choose_child(cues, mentions, excluded, vocab)
    if found is not None:
        found.score = min(found.score, 0.5)
    return found


def _not_children(segments: list[Segment]) -> list[str]:
    names = []
    for part in segments:
        names += [part.addressee, part.header.sender_name]
        if part.signature:
            names.append(part.signature[0].split("(")[0])
            if len(part.signature) > 1 and len(part.signature[0].split()) == 1:
                names.append(part.signature[1])  # "Dee" then "Deanna Whitfield"
    return [n for n in names if n]


def _family(context: Context) -> None:
    """Adults who share the child's surname ("Mark Quillfeather has not answered")."""
    child = context.child
    if child is None or not child.surname:
        return
    surname = child.surname.lower()
    for run in context.mentions:
        words = [w.lower() for w in run.words]
        if len(words) >= 2 and words[-1] == surname and not child.named_by(words[0]):
            context.people.setdefault(run.text.lower(), "family")
            context.people.setdefault(words[0], "family")


_SUBJECT_PRONOUNS = {"he", "she", "he'll", "she'll", "he's", "she's", "he'd", "she'd", "hes",
                     "shes"}


def owner_before(context: Context, text: str, position: int, *, pronouns: bool = True) -> str:
    """Whose a value at ``position`` is: the nearest person named before it.

    ``"child"``, ``"parent"``, ``"sibling"``, ``"relative"``, ``"family"``,
    ``"adult"``, ``"name"`` (someone else named), or ``""`` when nobody is.
    Organisations and places ("Meadowbank Primary School") are nobody. With
    ``pronouns``, "he" or "she" starts a new subject: what follows is theirs, not
    the last person named (right for the child's dates, wrong for "Mum said she
    can be reached on ...", so contacts pass ``pronouns=False``).
    """
    vocab = context.vocab
    toks = tokens(text[:position])
    named = {run.last - 1: run for run in runs(toks, vocab)
             if not (run.last < len(toks) and toks[run.last].lower in vocab.not_names
                     and toks[run.last].text[:1].isupper())}
    n = len(toks) - 1
    while n >= 0:
        token = toks[n]
        if pronouns and token.lower in _SUBJECT_PRONOUNS:
            return ""  # "Mum handed in her letter and he'll be off roll": a new subject
        run = named.get(n)
        if run is not None:
            if context.child and context.child.is_child(run.words):
                return "child"
            role = context.people.get(run.text.lower()) or context.people.get(run.words[0].lower())
            if role:
                return role
            return "name"
        role = vocab.role(token.lower)
        if role:
            return role
        n -= 1
    return ""

"""From a form's own labels to canonical fields (FIELDS.md).

Each pair's label is matched against the synonyms of every field: exactly
(after dropping case and punctuation), then by a known multi-word synonym
contained in a longer label ("Is the child subject to a child protection
plan?"), then fuzzily (rapidfuzz) for misspellings. Labels that say nothing of
whose they are ("Name", "Telephone") take their owner from the section heading
above them, or from the field read just before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from parsers.document import Pair

FUZZY_CUTOFF = 90
# Labels of an address's later lines, joined to the line read before them.
ADDRESS_PART = re.compile(r"\bline\s*[2-6]\b|^(?:town|city|town/city|village|locality|district)$")
REORDERED_CUTOFF = 97
MATCH_CACHE = 20_000  # labels remembered per vocabulary (a long-running daemon's bound)
# An unknown label that says whose details follow ("Staff member", "Family"),
# holding a short value, holds that person's name (or their contact details).
OWNER_LABEL_WORDS = 3
OWNER_VALUE_WORDS = 8
LABEL_LIKE_VALUES = {"referrer_role", "referrer_organisation"}
GROUPLESS = "child"


_INSTRUCTION = re.compile(r"\((?:please )?(?:tick|circle|delete)[^)]*\)")
_HINT = re.compile(r"\((?:dd/mm/yy(?:yy)?|if known|optional|include post ?code)\)")
_PUNCTUATION = re.compile(r"[*:?#.\u2022]+")
_SLASH = re.compile(r"\s*/\s*")
_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def label_key(text: str) -> str:
    """A label reduced to what identifies it: lower case, no punctuation."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = _INSTRUCTION.sub(" ", text)
    text = _HINT.sub(" ", text)
    text = _PUNCTUATION.sub(" ", text)
    text = _SLASH.sub("/", text)
    return " ".join(text.replace("_", " ").split()).strip(" -–")


OWNER_PREFIX = re.compile(r"^(?:the )?(?:pupil|child|young person|student|learner)(?:'s)? ")
# Words a form adds after what it asks for: "Address line(s)", "Postcode here",
# "Date of birth in full", "Address details".
FILLER_SUFFIX = re.compile(r"\s+(?:lines?(?: \d)?|in full|here|details|\(s\))$")
# "Parent 1 Tel", "Parent/Carer 2": the same label, numbered for a second person.
NUMBERED = re.compile(r"^((?:parent|carer|parent/carer|guardian|adult|contact|mother|father)"
                      r"(?:'s)?) [12](?= |$)")
PARENTHESES = re.compile(r"\s*\([^)]*\)")
ABBREVIATIONS = {"no": "number", "yr": "year", "tel": "telephone", "ph": "phone",
                 "dob": "date of birth", "addr": "address", "sch": "school"}


def label_variants(key: str) -> list[str]:
    """Plainer spellings of a label key, most specific first."""
    variants: list[str] = []
    expanded = " ".join(ABBREVIATIONS.get(word, word) for word in key.split())
    for text in (key, expanded):
        bare = PARENTHESES.sub("", text).strip()
        plain = NUMBERED.sub(r"\1", FILLER_SUFFIX.sub("", bare))
        for candidate in (text, bare, OWNER_PREFIX.sub("", text), OWNER_PREFIX.sub("", bare),
                          plain, OWNER_PREFIX.sub("", plain)):
            if candidate and candidate != key and candidate not in variants:
                variants.append(candidate)
    return variants


@dataclass(frozen=True)
class LabelMatch:
    target: str  # a canonical field, or "generic:<name>" for an ownerless label
    score: float


@dataclass
class Vocabulary:
    exact: dict[str, str]
    generic_fields: dict[str, dict[str, str]]
    sections: dict[str, tuple[str, ...]]
    groups: dict[str, str]
    _choices: list[str] = field(default_factory=list)
    # Words by which a form says it is a worked example, not a child's details.
    specimen: re.Pattern[str] | None = None
    _label_words: frozenset[str] | None = field(default=None, init=False, repr=False)
    _matched: dict[str, LabelMatch | None] = field(default_factory=dict, init=False, repr=False)
    _groups_of: dict[str, str | None] = field(default_factory=dict, init=False, repr=False)
    # The multi-word synonyms, each with its whole-word pattern, compiled once:
    # ``match`` tries them all against every label that is not an exact synonym.
    _phrases: list[tuple[str, re.Pattern[str]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._phrases = [
            (s, re.compile(rf"(?<!\w){re.escape(s)}(?!\w)"))
            for s in self._choices
            if len(s.split()) >= 2
        ]

    @classmethod
    def build(cls, generic: dict[str, Any], extra: dict[str, tuple[str, ...]] = {}) -> Vocabulary:  # noqa: B006
        exact: dict[str, str] = {}
        for fld, synonyms in list(generic.get("labels", {}).items()) + list(extra.items()):
            for synonym in synonyms:
                exact.setdefault(label_key(synonym), fld)
        for name, synonyms in generic.get("generic_labels", {}).items():
            if name == "fields":
                continue
            for synonym in synonyms:
                exact[label_key(synonym)] = f"generic:{name}"
        groups = {fld: group for group, flds in generic.get("groups", {}).items() for fld in flds}
        sections = {
            g: tuple(w.lower() for w in words) for g, words in generic.get("sections", {}).items()
        }
        generic_fields = generic.get("generic_labels", {}).get("fields", {})
        markers = [str(m) for m in generic.get("specimen", {}).get("markers", [])]
        specimen = re.compile(
            "|".join(rf"(?<!\w){re.escape(m)}(?!\w)" for m in markers), re.IGNORECASE
        ) if markers else None
        return cls(exact, generic_fields, sections, groups, sorted(exact), specimen)

    def only_label_words(self, text: str) -> bool:
        """Is every word of ``text`` a word of some label ("DOB Relationship",
        "Preferred / known-as name")? Then it is the form's print, not a value."""
        if self._label_words is None:
            self._label_words = frozenset(w for key in self.exact for w in _WORDS.findall(key))
        words = _WORDS.findall(text.lower())
        return bool(words) and all(w in self._label_words for w in words)

    def is_specimen(self, text: str) -> bool:
        """Does the document say it is an example ("WORKED EXAMPLE (fictitious)")?"""
        return bool(self.specimen and self.specimen.search(text))

    def match(self, label: str) -> LabelMatch | None:
        """The field a label names (cached: a form's labels repeat across its readings)."""
        if label in self._matched:
            return self._matched[label]
        found = self._match(label)
        if len(self._matched) < MATCH_CACHE:
            self._matched[label] = found
        return found

    def _match(self, label: str) -> LabelMatch | None:
        key = label_key(label)
        if not key or len(key) > 120:
            return None
        if key in self.exact:
            return LabelMatch(self.exact[key], 1.0)
        # The same label in other words: "Pupil's forename(s)", "Sex (M/F)",
        # "Unique Pupil No.", "Contact Tel" are all labels the vocabulary knows.
        for variant in label_variants(key):
            if variant in self.exact:
                return LabelMatch(self.exact[variant], 0.95)
        # A substring test first, as the pattern cannot match where the phrase is absent.
        contained = [s for s, pattern in self._phrases if s in key and pattern.search(key)]
        if contained and len(key.split()) <= 14:
            best = max(contained, key=len)
            return LabelMatch(self.exact[best], 0.9)
        found = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if found:
            return LabelMatch(self.exact[found[0]], found[1] / 100 * 0.95)
        # The same words in another order: "Off roll date" is "Date off roll".
        if len(key.split()) >= 3:
            found = process.extractOne(key, self._choices, scorer=fuzz.token_sort_ratio,
                                       score_cutoff=REORDERED_CUTOFF)
            if found and len(found[0].split()) >= 3:
                return LabelMatch(self.exact[found[0]], 0.85)
        return None

    def is_label(self, text: str) -> bool:
        """Does ``text`` read as a label rather than a value?"""
        key = label_key(text)
        return bool(key) and key in self.exact

    def section_group(self, heading: str) -> str | None:
        if heading not in self._groups_of:
            if len(self._groups_of) >= MATCH_CACHE:
                return self._section_group(heading)
            self._groups_of[heading] = self._section_group(heading)
        return self._groups_of[heading]

    def _section_group(self, heading: str) -> str | None:
        lowered = heading.lower()
        for group in ("referrer", "parent", "child", "school"):
            if any(
                re.search(rf"(?<!\w){re.escape(w)}", lowered) for w in self.sections.get(group, ())
            ):
                return group
        return None

    def resolve(self, target: str, group: str | None) -> str | None:
        if not target.startswith("generic:"):
            return target
        owners = self.generic_fields.get(target.split(":", 1)[1], {})
        return owners.get(group or GROUPLESS) or owners.get(GROUPLESS)


# The names form software gives fields: "Text7", "fld 04", "Check Box3", "rb 2".
MACHINE_NAME = re.compile(r"^(?:text|txt|fld|field|chk|check ?box|cb|rb|radio|group|"
                          r"dropdown|combo ?box|list ?box)[\s_]*\d+$", re.IGNORECASE)
BY_SHAPE_SCORE = 0.65
_SHAPED_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_SHAPED_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}", re.IGNORECASE)
_SHAPED_PHONE = re.compile(r"(?:\+44\s?|0)\d[\d\s]{8,12}\d")
_SHAPED_LAESTAB = re.compile(r"\d{3}\s?/?\s?\d{4}")
_BY_GROUP = {"email": {"parent": "parent_email", "referrer": "referrer_email"},
             "phone": {"parent": "parent_phone", "referrer": "referrer_phone"},
             "postcode": {"child": "child_postcode", "parent": "child_postcode"},
             "laestab": {"school": "school_laestab"}}


def _by_shape(value: str, group: str | None) -> str | None:
    """The field an unlabelled value is by its shape alone, where its section owns it:
    a UPN (its check letter proves it), a postcode, a phone, an email, a DfE number."""
    from parsers.validate import upn_problem

    text = value.strip()
    compact = re.sub(r"\s", "", text).upper()
    if len(compact) == 13 and upn_problem(compact) is None:
        return "child_upn"
    for shape, pattern in (("email", _SHAPED_EMAIL), ("postcode", _SHAPED_POSTCODE),
                           ("phone", _SHAPED_PHONE), ("laestab", _SHAPED_LAESTAB)):
        if pattern.fullmatch(text):
            return _BY_GROUP[shape].get(group or "")
    return None


def _owner_label(pair: Pair, vocabulary: Vocabulary) -> LabelMatch | None:
    """"Staff member: Philip Hale": a label naming whose the value is, and no more."""
    key = label_key(pair.label)
    if not key or len(key.split()) > OWNER_LABEL_WORDS:
        return None
    if len(pair.value.split()) > OWNER_VALUE_WORDS or vocabulary.is_label(pair.value):
        return None
    if vocabulary.section_group(key) not in ("parent", "referrer"):
        return None
    return LabelMatch("generic:name", 0.8)


@dataclass(frozen=True)
class Candidate:
    field: str
    raw: str
    score: float
    where: str
    label: str


_SPACED_SLASH = re.compile(r"\s+/\s+")


def split_combined(pair: Pair) -> list[Pair]:
    """"DfE no. / URN" = "962 2044 / 990148" is two pairs: a form's shared box."""
    labels, values = _SPACED_SLASH.split(pair.label), _SPACED_SLASH.split(pair.value)
    if len(labels) < 2 or len(labels) != len(values):
        return [pair]
    return [Pair(label, value, pair.where, pair.section) for label, value in zip(
        labels, values, strict=True)]


def map_pairs(
    pairs: list[Pair], vocabulary: Vocabulary, *, default_group: str | None = None
) -> list[Candidate]:
    """Candidates in document order; the caller normalises and picks one per field."""
    out: list[Candidate] = []
    group = default_group
    section = None
    # A value that is another pair's label, one the vocabulary knows, is the
    # layout misread: a header row of labels read as label/value pairs
    # ("Telephone" => "Email"), beside the right reading of the same table.
    labels = {label_key(p.label) for p in pairs if vocabulary.match(p.label) is not None}
    for pair in (part for p in pairs for part in split_combined(p)):
        if pair.section != section:
            # A pair under no heading (a field placed beside the last heading rather
            # than below it) goes on in the group it follows.
            section = pair.section
            if section:
                group = vocabulary.section_group(section) or default_group
        found = vocabulary.match(pair.label)
        if found is None and pair.value and MACHINE_NAME.match(pair.label.strip()):
            # A fillable field named "Text7" or "fld 04" with no printed label found: a
            # value whose shape says what it is, owned by its section.
            typed = _by_shape(pair.value, group)
            if typed is not None:
                out.append(Candidate(typed, pair.value, BY_SHAPE_SCORE, pair.where, pair.label))
            continue
        if found is None and pair.value:
            found = _owner_label(pair, vocabulary)
            if found is not None:
                group = vocabulary.section_group(label_key(pair.label))
        if found is None or not pair.value or label_key(pair.value) in labels:
            continue
        # A value that is itself a label is a misreading of the layout (a row of
        # labels), except where a job title or team is named like a field.
        if vocabulary.is_label(pair.value) and (
            found.target not in LABEL_LIKE_VALUES
            or vocabulary.exact[label_key(pair.value)].startswith("generic:")
        ):
            continue
        if not found.target.startswith("generic:") and found.target in vocabulary.groups:
            group = vocabulary.groups[found.target]
        target = vocabulary.resolve(found.target, group)
        if target is None:
            continue
        out.append(Candidate(target, pair.value, found.score, pair.where, pair.label))
    return _join_address_lines(out)


def _join_address_lines(candidates: list[Candidate]) -> list[Candidate]:
    """"Address line 1", "Address line 2", "Town" read one after another are one
    address, its lines joined with ", " (FIELDS.md)."""
    out: list[Candidate] = []
    for cand in candidates:
        last = out[-1] if out else None
        if (last is not None and cand.field == last.field == "child_address"
                and cand.label != last.label
                and ADDRESS_PART.search(label_key(cand.label))):
            out[-1] = Candidate(last.field, f"{last.raw}, {cand.raw}", min(last.score, cand.score),
                                last.where, last.label)
        else:
            out.append(cand)
    return out

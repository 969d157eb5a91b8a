"""Fields from prose: head teachers' emails and parents' EHE letters.

spaCy's blank English pipeline gives the tokens, and a Matcher finds a
person's name (two or three capitalised words) where the prose points at the
child: "Re: NAME", "about NAME", "withdraw NAME", "NAME (date of birth ...)".
Regular expressions then read the dates, postcodes and phone numbers around
those anchors. No statistical model is loaded: rules only, as an administrator
can read and change.
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers.mapping import Candidate

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
DATE = (
    rf"{WEEKDAY}(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{MONTHS}\.?(?:,?\s+\d{{2,4}})?"
    rf"|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2})"
)
POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
PHONE = r"(?:\+44\s?|0)(?:\d[\s\-]?){9,10}\d?"
SCHOOL = (
    r"(?:[A-Z][\w'’.-]*\s+){0,5}?(?:(?:CE|C of E|RC|Catholic|Community|Infant|Junior|"
    r"Primary|Secondary|High|Grammar|Church)\s+)*(?:School|Academy|College)"
)
NAME_WORD = r"[A-Z][a-z'’-]+"
NAME = rf"{NAME_WORD}(?:\s+{NAME_WORD}){{1,2}}"

CUES = {
    "child_dob": [
        rf"\((?:date of birth|dob|d\.o\.b\.?|born)[:\s]+(?P<v>{DATE})",
        rf"(?:date of birth|dob|born(?: on)?)[:\s]+(?P<v>{DATE})",
    ],
    "date_last_attended": [
        r"(?:not been (?:in|at) school|not attended|has not been seen|absent) since\s+"
        rf"(?P<v>{DATE})",
        rf"last (?:attended|seen(?: in school)?|in school)(?: on)?\s+(?P<v>{DATE})",
    ],
    "ehe_start_date": [
        rf"(?:from|with effect from|starting|as of|beginning)\s+(?P<v>{DATE}),?\s+"
        r"(?:\w+\s+){0,5}(?:(?:electively|elective)\s+)?(?:home[- ]?educat|educat\w* \w+ at home)",
        rf"(?:home[- ]educat\w+|educat\w+ (?:\w+ )?at home)[^.]{{0,60}}?"
        rf"(?:from|with effect from|starting)\s+(?P<v>{DATE})",
    ],
    "child_postcode": [rf"(?P<v>{POSTCODE})\b"],
    "date_removed_from_roll": [
        rf"(?:came|taken|went|removed|deleted) off (?:the )?roll (?:on |from )?(?P<v>{DATE})",
        rf"(?:removed|deleted) from (?:the )?(?:school )?(?:roll|register) on (?P<v>{DATE})",
        rf"off roll (?:from|on|with effect from) (?P<v>{DATE})",
    ],
    "case_reference": [r"(?P<v>CME[-/ ]\d{4}[-/ ]\d{1,5})"],
    "deletion_ground": [
        r"(?:regulation|reg\.?)\s+(?P<v>[89]\s?\(1\)\s?\([a-o]\))",
        r"(?P<v>\b[89]\(1\)\([a-o]\))",
    ],
    "child_year_group": [r"\b(?:a|in|into)\s+(?P<v>Reception|Year\s+\d{1,2}|Y\d{1,2})\b"],
}

REASON_CUES = re.compile(
    r"\b(moved|moving|disclosed|told|kept at home|not attended|no contact|returned|"
    r"whereabouts|tenancy|left the country|abroad|unable to contact|no reply|bullying|"
    r"no school contact|evicted|refuge|not seen|concern)\b",
    re.IGNORECASE,
)
REQUEST = re.compile(
    r"^(i would be grateful|please|could you|can you|i am writing|we are writing"
    r"|dear|many thanks|thank you)",
    re.IGNORECASE,
)


DOB_WORDS = ["date", "dob", "d.o.b", "d.o.b.", "born", "aged"]
CUE_WORDS = [
    "re",
    "about",
    "withdraw",
    "withdrawing",
    "admitted",
    "saw",
    "regarding",
    "concerning",
    "pupil",
    "son",
    "daughter",
    "child",
]
SUBJECT_VERBS = ["has", "was", "is", "had", "will"]


@lru_cache(maxsize=1)
def _matcher():
    import spacy
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    word = {"IS_TITLE": True, "IS_ALPHA": True}
    name = [word, word, {**word, "OP": "?"}]
    matcher.add("CHILD_BEFORE_DOB", [[*name, {"ORTH": {"IN": ["(", ","]}},
                                      {"LOWER": {"IN": DOB_WORDS}}]])
    matcher.add(
        "CHILD_AFTER_CUE", [[{"LOWER": {"IN": CUE_WORDS}}, {"ORTH": ":", "OP": "?"}, *name]]
    )
    matcher.add("CHILD_SUBJECT", [[word, word, {"LOWER": {"IN": SUBJECT_VERBS}}]])
    return nlp, matcher


NOT_A_CHILD = re.compile(
    r"\b(school|academy|college|council|team|service|trust|road|lane|"
    r"close|street|primary|education|dear|kind|regards)\b",
    re.IGNORECASE,
)


def child_name(text: str) -> tuple[str, str] | None:
    """(forenames, surname) of the child the prose is about, or None."""
    nlp, matcher = _matcher()
    doc = nlp(text[:20000])
    found: list[tuple[int, int, list[str]]] = []
    for match_id, start, end in matcher(doc):
        label = nlp.vocab.strings[match_id]
        first = start + 1 if label == "CHILD_AFTER_CUE" else start
        words = [t.text for t in doc[first:end] if t.is_title and t.is_alpha and not t.is_stop]
        if not 2 <= len(words) <= 3 or NOT_A_CHILD.search(" ".join(words)):
            continue
        if words[0].lower() in {"the", "our", "my", "dear", "mr", "mrs", "ms", "miss", "re"}:
            continue
        rank = {"CHILD_BEFORE_DOB": 0, "CHILD_AFTER_CUE": 1}.get(label, 2)
        found.append((rank, start, words))
    if not found:
        return None
    words = min(found, key=lambda f: (f[0], f[1]))[2]
    return " ".join(words[:-1]), words[-1]


OUTCOMES = [
    (
        "located",
        r"\b(?:was|has been|have been|were) (?:located|found|traced)\b|located at|"
        r"now attending|on roll at|started at",
    ),
    (
        "confirmed_missing",
        r"confirmed (?:as )?missing|officially missing|remains missing|"
        r"still missing|whereabouts remain unknown",
    ),
    (
        "removal_advised",
        r"advis\w* (?:the school )?(?:to )?remov|remove\w* (?:\w+ )?from (?:the )?roll|"
        r"can now be removed|advise removal",
    ),
    (
        "file_transferred",
        r"file (?:has been |was )?(?:transferred|sent)|transferred the (?:pupil )?file|"
        r"ctf (?:has been )?(?:uploaded|sent)|records (?:have been )?sent",
    ),
]


def outcome(text: str) -> str:
    for name, pattern in OUTCOMES:
        if re.search(pattern, text, re.IGNORECASE):
            return name
    return "info"


def prose_candidates(text: str, *, kind_hint: str = "", quoted: str = "") -> list[Candidate]:
    """Candidates read from prose, weaker than a form's (score 0.7)."""
    out: list[Candidate] = []

    def add(field: str, value: str, score: float = 0.7) -> None:
        value = value.strip(" ,") if field == "reason" else value.strip(" ,.")
        out.append(Candidate(field, value, score, "prose", field))

    name = child_name(text) or (child_name(quoted) if quoted else None)
    if name:
        add("child_forenames", name[0])
        add("child_surname", name[1])
    for field, patterns in CUES.items():
        for pattern in patterns:
            found = re.search(pattern, text, re.IGNORECASE if field != "child_postcode" else 0)
            if found:
                add(field, found.group("v"))
                break
    _address(text, add)
    _school(text, add, kind_hint)
    _people(text, name, add)
    _gender(text, add)
    if kind_hint in ("cme_notification", "agency_referral"):
        reason = _reason(text)
        if reason:
            add("reason", reason, 0.6)
    if kind_hint == "case_update":
        add("update_outcome", outcome(text), 0.65)
    if kind_hint == "ehe_notification":
        signer = list(
            re.finditer(
                rf"(?:yours (?:faithfully|sincerely)|kind regards|regards),?\s*\n"
                rf"\s*\n?\s*(?P<n>{NAME})\s*(?:\n|$)",
                text,
                re.IGNORECASE,
            )
        )
        if signer and re.search(
            r"\b(?:we|i) have decided|\bour (?:son|daughter|child)|\bmy "
            r"(?:son|daughter|child)",
            text,
            re.IGNORECASE,
        ):
            add("parent_name", signer[-1].group("n"))
    if kind_hint == "ehe_notification" and re.search(
        r"home[- ]educat|education otherwise|educated at home", text, re.IGNORECASE
    ):
        add("deletion_ground", "9(1)(f)", 0.5)
    return out


ADDRESS_IN_PROSE = (
    r"(?:address is|live at|living at|lives at|moved to|staying (?:\w+ ){0,3}at|\bat)\s+"
    rf"(?P<a>\d+[A-Za-z]?\s[^.\n]*?),?\s+(?P<p>{POSTCODE})\b"
)


def _address(text: str, add) -> None:  # noqa: ANN001
    found = re.search(ADDRESS_IN_PROSE, text, re.IGNORECASE)
    if found:
        add("child_address", found.group("a"))
        add("child_postcode", found.group("p"))
        return
    # A letter's own address block: short lines at the top, ending with a postcode.
    block = re.search(
        rf"(?m)^(?P<a>\d+[A-Za-z]?\s[^\n]{{3,60}}(?:\n[^\n\d]{{2,40}}){{0,2}})\n"
        rf"\s*(?P<p>{POSTCODE})\s*$",
        text,
    )
    if block:
        add("child_address", ", ".join(line.strip() for line in block.group("a").split("\n")))


def _school(text: str, add, kind_hint: str) -> None:  # noqa: ANN001
    addressed = re.search(
        rf"^\s*the head ?teacher\s*\n\s*(?P<s>{SCHOOL})\s*$", text, re.IGNORECASE | re.MULTILINE
    )
    if addressed:
        add("school_name", addressed.group("s"))
        return
    found = re.search(rf"\b(?:at|from|to|attends|attending|joined)\s+(?P<s>{SCHOOL})", text)
    if not found:
        return
    school = found.group("s")
    located = re.search(rf"located at\s+(?P<s>{SCHOOL})", text)
    if located:
        add("destination_school", located.group("s"))
        return
    add("school_name", school, 0.6)


FAMILY = r"(?:parent|mother|father|carer|mum|dad|the family)"
PARENT_PHONE = (
    rf"{FAMILY}(?:'?s)? (?:mobile|phone|number)(?: number)? is\s+(?P<p>{PHONE})"
    rf"|{FAMILY}\b[^.\n]{{0,30}}?(?:reached|contacted|called|rung)\s+on\s+(?P<q>{PHONE})"
)
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


def _people(text: str, child: tuple[str, str] | None, add) -> None:  # noqa: ANN001
    own = re.search(
        rf"(?:contact (?:us|me) on|call (?:us|me) on|(?:my|our) (?:phone|mobile|"
        rf"telephone)(?: number)? is)\s+(?P<p>{PHONE})",
        text,
        re.IGNORECASE,
    )
    if own:
        add("parent_phone", own.group("p"))
    mail = re.search(
        rf"(?:contact (?:us|me)[^.]{{0,40}}?at|email (?:us|me) at|(?:my|our) email"
        rf"(?: address)? is)\s+(?P<e>{EMAIL})",
        text,
        re.IGNORECASE,
    )
    if mail:
        add("parent_email", mail.group("e"))
    phone = re.search(rf"(?P<n>{NAME})\s+has not answered calls on\s+(?P<p>{PHONE})", text)
    if phone:
        add("parent_name", phone.group("n"))
        add("parent_phone", phone.group("p"))
    named = re.search(rf"\b(?:mum|mother|dad|father|parent|carer)\s*\((?P<n>{NAME})\)", text,
                      re.IGNORECASE)
    if named:
        add("parent_name", named.group("n"))
    with_parent = re.search(rf"\bwith\s+(?P<n>{NAME})\.", text)
    if with_parent and child and child[1] in with_parent.group("n"):
        add("parent_name", with_parent.group("n"))
    mobile = re.search(PARENT_PHONE, text, re.IGNORECASE)
    if mobile:
        add("parent_phone", mobile.group("p") or mobile.group("q"))


def _gender(text: str, add) -> None:  # noqa: ANN001
    found = re.search(r"\((?:[^)]*,\s*)?(?P<g>male|female|boy|girl)\)", text, re.IGNORECASE)
    if found:
        add("child_gender", found.group("g"))
        return
    found = re.search(r"\b(?:our|my) (?P<g>son|daughter)\b", text, re.IGNORECASE)
    if found:
        add("child_gender", "M" if found.group("g").lower() == "son" else "F", 0.6)


def _reason(text: str) -> str | None:
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if (
            len(paragraph) > 30
            and REASON_CUES.search(paragraph)
            and not REQUEST.match(paragraph)
            and not re.search(rf"\({'|'.join(['date of birth', 'dob', 'DOB'])}", paragraph)
            and not re.search(r"address is|live at", paragraph)
        ):
            return paragraph
    return None

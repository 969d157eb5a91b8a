"""The message kind, from weighted phrases an administrator can tune (kinds.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from parsers.templates import KINDS, TemplateError

SCHOOL_NAME = re.compile(r"\b(school|academy|college)\b", re.IGNORECASE)
# CME-YYYY-NNNNN (the first references) or CME-YYYY-XXXXX-C (with a check character).
REFERENCE = re.compile(
    r"\bCME[-‐–]\d{4}[-‐–](?:[0-9A-Z]{5}[-‐–][0-9A-Z]|\d{5})\b(?![-/]\d)",
    re.IGNORECASE)
REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|atb|antw|sv|vs|r|rif|odp|wg|fw|fwd|tr|rv|enc)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE)
SENDER_CLASSES = ("personal", "nhs", "police", "school", "council")
IDENTITY = ("child_surname", "child_forenames", "child_upn")


@dataclass(frozen=True)
class KindRules:
    threshold: float
    phrases: dict[str, dict[str, float]]
    reference_bonus: dict[str, float]
    school_domains: tuple[str, ...] = ()
    not_school: dict[str, str] | None = None
    school: dict[str, str] | None = None
    # sender class -> domain endings (".sch.uk") or words within the domain ("academy")
    sender_classes: dict[str, tuple[str, ...]] | None = None
    # kind -> (compiled regular expression, weight): wordings a phrase list cannot
    # enumerate ("hasn't come back after the holidays", "not taken up his place")
    patterns: dict[str, tuple[tuple[re.Pattern[str], float], ...]] | None = None

    def sender_class(self, sender: str | None) -> str:
        """school, council, nhs, police, personal (usually a parent) or organisation."""
        if not sender or "@" not in sender:
            return "unknown"
        domain = sender.rsplit("@", 1)[1].lower()
        for name in SENDER_CLASSES:
            for mark in (self.sender_classes or {}).get(name, ()):
                if mark.startswith("."):
                    found = domain.endswith(mark)
                elif "." in mark:
                    found = domain == mark or domain.endswith("." + mark)
                else:  # a word inside the domain: kingsmeadacademy.org.uk
                    found = mark in domain
                if found:
                    return name
        return "organisation"

    def by_sender(self, kind: str, sender: str | None, organisation: str | None,
                  *, sender_class: str | None = None) -> str:
        """Schools notify; anyone else who writes the same is an agency referring."""
        if not sender:
            return kind
        is_school = (
            any(sender.lower().endswith(d) for d in self.school_domains)
            or sender_class == "school"
            or bool(organisation and SCHOOL_NAME.search(organisation))
        )
        if is_school:
            return (self.school or {}).get(kind, kind)
        if sender_class == "personal":
            return kind  # a parent: their own child's home education or whereabouts
        if kind == "ehe_notification" and (
                sender_class in ("nhs", "police", "council") or organisation):
            # Home education is notified by schools and parents; an agency that
            # writes about it (a named one, not a school) is referring a concern.
            return "agency_referral"
        return (self.not_school or {}).get(kind, kind)

    def scores(self, text: str, reference_text: str) -> dict[str, float]:
        lowered = text.lower()
        totals = {kind: 0.0 for kind in KINDS}
        for kind, phrases in self.phrases.items():
            totals[kind] = sum(w for p, w in phrases.items() if p in lowered)
        for kind, patterns in (self.patterns or {}).items():
            totals[kind] += sum(w for pattern, w in patterns if pattern.search(lowered))
        if REFERENCE.search(reference_text):
            for kind, bonus in self.reference_bonus.items():
                totals[kind] += bonus
        return totals

    def decide(self, text: str, reference_text: str, template_kind: str = "") -> str:
        totals = self.scores(text, reference_text)
        if template_kind:
            totals[template_kind] += self.threshold
        other = totals.pop("other")
        kind, best = max(totals.items(), key=lambda kv: kv[1])
        # Circulars and auto-replies mention CME too: when their own signs are as
        # strong as any kind's, they are not a notification.
        if other >= self.threshold and other >= best:
            return "other"
        return kind if best >= self.threshold else "other"


@dataclass(frozen=True)
class KindEvidence:
    """Everything a message's kind is decided from, gathered after its fields."""

    text: str  # subject + the writers' own text + documents
    reference_text: str  # subject + the writers' own text (never what they quoted)
    subject: str = ""
    form_kind: str = ""  # what a form template said the attachment is
    sender: str | None = None
    signals: tuple[str, ...] = ()  # MailSignals.reasons(): auto-reply, bulk, report, invitation
    fields: dict[str, object] | None = None
    quoted: str = ""  # what a reply quoted (the LA's own request, often with its reference)
    unread_attachments: int = 0  # documents (not pictures) that gave no form fields


def decide_kind(rules: KindRules, evidence: KindEvidence) -> tuple[str, list[str]]:
    """The message kind and why: headers first, then a quoted reference, then whether a
    child is named at all, then the fields, the sender and the phrases."""
    if evidence.signals:
        return "other", [*evidence.signals]
    fields = evidence.fields or {}
    why: list[str] = []
    sender_class = rules.sender_class(evidence.sender)
    why.append(f"sender: {sender_class}")
    reply = bool(REPLY_PREFIX.match(evidence.subject or ""))
    own = {m.group(0).upper() for m in REFERENCE.finditer(evidence.reference_text)}
    quoted = {m.group(0).upper() for m in REFERENCE.finditer(evidence.quoted)} if reply else set()
    references = own or quoted
    if len(references) == 1:
        where = "in a reply to the LA's mail quoting it" if not own else (
            "in a reply" if reply else "")
        why.append(f"quotes case reference {next(iter(references))} {where}".rstrip())
        return "case_update", why
    if references:
        why.append(f"names {len(references)} case references: about several cases, not one")
    named = [f for f in IDENTITY if fields.get(f)]
    scores = rules.scores(evidence.text, "")
    if evidence.form_kind:
        scores[evidence.form_kind] += rules.threshold
        why.append(f"form: {evidence.form_kind}")
    other = scores.pop("other")
    scores.pop("case_update", None)
    if not named and not fields.get("child_dob"):
        if not evidence.unread_attachments:
            why.append("no child is named")
            return "other", why
        why.append("no child is named, but an attachment was not read as a form")
        if max(scores.values()) < rules.threshold:
            return "other", why
    why.append("child named: " + ", ".join(named or ["date of birth only"]))
    if other >= rules.threshold and other >= max(scores.values()):
        why.append(f"phrases of mail that is not a notification ({other:g})")
        return "other", why
    facts = _fact_kinds(fields)
    for kind in facts:
        scores[kind] += rules.threshold
    why += [f"fields: {kind}" for kind in facts]
    if sender_class == "personal" and scores["ehe_notification"] > 0:
        scores["ehe_notification"] += rules.threshold  # parents write about home education
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    organisation = fields.get("referrer_organisation")
    if best <= 0:
        schoolish = sender_class == "school" or bool(
            isinstance(organisation, str) and SCHOOL_NAME.search(organisation))
        kind = ("cme_notification" if schoolish else
                "ehe_notification" if sender_class == "personal" else "agency_referral")
        why.append("no phrase decides: by the sender")
    else:
        why.append(f"phrases and fields: {kind} ({best:g})")
    decided = rules.by_sender(kind, evidence.sender,
                              organisation if isinstance(organisation, str) else None,
                              sender_class=sender_class)
    if decided != kind:
        why.append(f"{sender_class} sender: {decided}")
    return decided, why


def _fact_kinds(fields: dict[str, object]) -> list[str]:
    """Kinds that the fields themselves point at."""
    kinds = []
    if fields.get("deletion_ground") == "9(1)(f)" or fields.get("ehe_start_date"):
        kinds.append("ehe_notification")
    if fields.get("date_last_attended") and "ehe_notification" not in kinds:
        kinds.append("cme_notification")
    return kinds


def load_kind_rules(path: Path) -> KindRules:
    name = path.stem
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(name, "", f"cannot read: {exc}") from None
    phrases = raw.get("phrases", {})
    for kind, table in phrases.items():
        if kind not in KINDS:
            raise TemplateError(name, f"phrases.{kind}", "not a message kind")
        for phrase, weight in table.items():
            if not isinstance(weight, int | float):
                raise TemplateError(name, f"phrases.{kind}.{phrase}", "weight must be a number")
    threshold = raw.get("threshold", 3)
    if not isinstance(threshold, int | float):
        raise TemplateError(name, "threshold", "must be a number")
    senders = raw.get("senders", {})
    for table in ("school", "not_school"):
        for kind, other in senders.get(table, {}).items():
            if kind not in KINDS or other not in KINDS:
                raise TemplateError(name, f"senders.{table}.{kind}", "not a message kind")
    return KindRules(
        float(threshold),
        {k: {p.lower(): float(w) for p, w in t.items()} for k, t in phrases.items()},
        {k: float(v) for k, v in raw.get("reference", {}).items()},
        tuple(d.lower() for d in senders.get("school_domains", [])),
        senders.get("not_school", {}),
        senders.get("school", {}),
        _sender_classes(name, senders.get("classes", {})),
        _patterns(name, raw.get("patterns", {})),
    )


def _patterns(name: str, table: dict) -> dict[str, tuple[tuple[re.Pattern[str], float], ...]]:
    out = {}
    for kind, patterns in table.items():
        if kind not in KINDS:
            raise TemplateError(name, f"patterns.{kind}", "not a message kind")
        compiled = []
        for text, weight in patterns.items():
            if not isinstance(weight, int | float):
                raise TemplateError(name, f"patterns.{kind}.{text}", "weight must be a number")
            try:
                compiled.append((re.compile(text, re.IGNORECASE), float(weight)))
            except re.error as exc:
                raise TemplateError(name, f"patterns.{kind}.{text}",
                                    f"bad regular expression: {exc}") from None
        out[kind] = tuple(compiled)
    return out


def _sender_classes(name: str, table: dict) -> dict[str, tuple[str, ...]]:
    for key, marks in table.items():
        if key not in SENDER_CLASSES:
            raise TemplateError(name, f"senders.classes.{key}",
                                f"not a sender class (known: {', '.join(SENDER_CLASSES)})")
        if not isinstance(marks, list) or not all(isinstance(m, str) for m in marks):
            raise TemplateError(name, f"senders.classes.{key}", "must be a list of strings")
    return {k: tuple(m.lower() for m in v) for k, v in table.items()}

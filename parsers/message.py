"""A whole message: its documents read, its kind decided, its fields merged.

This is the ``cme parse --json`` contract of FIELDS.md. The cover email and
each attachment are read on their own (``DocumentResult``); the message takes
each field from the strongest document (a form outranks its cover email), and
any document that says otherwise puts that field on ``needs_review``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from cme.resources import SearchPath
from parsers.document import Extract, Pair, ReadError
from parsers.fields import Fields, choose
from parsers.formats import detect
from parsers.kinds import (
    REFERENCE,
    SCHOOL_NAME,
    KindEvidence,
    KindRules,
    decide_kind,
    load_kind_rules,
)
from parsers.mapping import Candidate, Vocabulary, map_pairs
from parsers.prose import prose_candidates
from parsers.prose.vocabulary import ProseVocabulary, load_prose_vocabulary
from parsers.readers.email import MailSignals, email_parts
from parsers.readers.text import read_lines
from parsers.sandbox import read_directly
from parsers.signature import find_signature
from parsers.signature_words import SignatureVocabulary, load_signature_vocabulary
from parsers.templates import Template, TemplateSet, load_templates
from parsers.typed import typed_candidates
from watcher.parts import parse_message

REQUIRED = {
    "cme_notification": ("child_surname", "child_forenames", "child_dob"),
    "ehe_notification": ("child_surname", "child_forenames", "child_dob"),
    "agency_referral": ("child_surname", "child_forenames"),
    "new_pupil_no_info": ("child_surname", "child_forenames"),
    "case_update": ("case_reference",),
}
FORM_MIN_FIELDS = 3
PARTIAL = "(first name only)"  # the signature reader's mark on a name it could not complete
OCR_CONFIDENCE = 0.55  # below REVIEW_BELOW (parsers/fields.py): OCR'd values go to review
SCHOOL_KINDS = ("cme_notification", "ehe_notification", "new_pupil_no_info")
PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")  # logos in signatures, mostly
MAX_DEPTH = 3


@dataclass
class DocumentResult:
    part: str
    kind: str = "other"
    template: str | None = None
    confidence: float | None = None
    fields: Fields = field(default_factory=Fields)
    warnings: list[str] = field(default_factory=list)
    text: str = ""
    own_text: str = ""
    is_form: bool = False
    is_body: bool = False
    unreadable: bool = False
    kind_evidence: list[str] = field(default_factory=list)  # why the message has its kind
    quoted: str = ""  # for an email body: the earlier mail it quoted
    # An attached letter signed by someone with a job title: its writer, like a
    # form's completer, outranks the covering email's.
    signed_letter: bool = False
    # An email body that only passes on a forwarded original: who wrote that one.
    original_sender: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"part": self.part, "kind": self.kind, "template": self.template}
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 2)
        out["fields"] = self.fields.plain()
        out["warnings"] = self.warnings
        if self.kind_evidence:
            out["kind_evidence"] = self.kind_evidence
        return out


@dataclass
class MessageResult:
    source: str
    kind: str
    fields: dict[str, str | bool]
    needs_review: list[str]
    documents: list[DocumentResult]
    candidates: list[str] = field(default_factory=list)  # tied templates, for review

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "fields": self.fields,
            "needs_review": self.needs_review,
            "documents": [d.as_dict() for d in self.documents],
        }


@dataclass
class Parser:
    templates: TemplateSet
    rules: KindRules
    # How a document is read: directly, or in a sandboxed worker (parsers/sandbox.py).
    read: Callable[[str, bytes], Extract] = read_directly
    max_part_bytes: int = 20 * 1024 * 1024
    # The site's word lists (the shipped ones when it has none).
    prose_vocabulary: ProseVocabulary | None = None
    signature_vocabulary: SignatureVocabulary | None = None
    _vocabularies: dict[str, tuple[Template, Vocabulary]] = field(
        default_factory=dict, init=False, repr=False
    )

    @classmethod
    def from_folder(cls, folder: Path | SearchPath, **options: Any) -> Parser:
        """``folder`` is a templates folder (or search path) holding forms/ and kinds.toml."""
        search = SearchPath.of(folder)
        options.setdefault("prose_vocabulary", load_prose_vocabulary(search.file("prose.toml")))
        options.setdefault("signature_vocabulary",
                           load_signature_vocabulary(search.file("signature.toml")))
        return cls(load_templates(search.sub("forms")), load_kind_rules(search.file("kinds.toml")),
                   **options)

    def parse_file(self, path: Path) -> MessageResult:
        """One file as ``cme parse`` reads it: an email, or a single document."""
        data = path.read_bytes()
        if path.suffix.lower() == ".eml" or _looks_like_email(data):
            return self.parse_email(data, path.name)
        documents = self.parse_document(data, path.name)
        if documents and documents[0].unreadable:
            raise ReadError(documents[0].warnings[-1])
        return self.merge(path.name, documents)

    def vocabulary(self, template: Template) -> Vocabulary:
        """The template's labels with the generic ones, built once per template."""
        cached = self._vocabularies.get(template.name)
        if cached is None or cached[0] is not template:
            cached = (template, Vocabulary.build(self.templates.raw_generic, template.labels))
            self._vocabularies[template.name] = cached
        return cached[1]

    def _not_a_name(self, candidate: Candidate, vocabulary: Vocabulary) -> bool:
        """A value read from a form's print where a name or a place should be: its
        labels ("DOB Relationship", "Previous LA", "Postcode"), a label run into it
        ("Forename(s) Grace Chipo"), a heading ("LEAVING DETAILS"), a relationship
        word ("Son") or words that open a phrase ("In custody")."""
        if candidate.field in PLACE_FIELDS:
            return vocabulary.only_label_words(candidate.raw)
        if candidate.field not in NAME_FIELDS:
            return False
        words = [w.strip(".,:;()") for w in candidate.raw.lower().split()]
        vocab = self.prose_vocabulary
        people = vocab.people if vocab else {}
        if words and all(any(w in group for group in people.values()) for w in words):
            return True
        if len(words) <= 3 and any(w in HEADING_NOUNS for w in words):
            return True  # "LEAVING DETAILS", "Pupil information": a heading
        if vocab and words and words[0] in vocab.function_words \
                and words[0] not in vocab.particles:
            return True
        first = candidate.raw.split()[0] if candidate.raw.split() else ""
        if len(words) > 1 and vocabulary.is_label(first):
            return True
        return vocabulary.only_label_words(candidate.raw)

    def parse_email(self, raw: bytes, source: str = "message") -> MessageResult:
        message = parse_message(raw)
        parts = email_parts(message, max_part_bytes=self.max_part_bytes)
        documents: list[DocumentResult] = []
        sent = parts.signals.sent
        body = self._read(
            read_lines(parts.body, subject=parts.subject, vocabulary=self.signature_vocabulary),
            "body", parts.sender, subject=parts.subject, is_body=True, sent=sent,
        )
        documents.append(body)
        for label, why in parts.skipped:
            documents.append(DocumentResult(label, warnings=[why], unreadable=True))
        for name, declared, data in parts.attachments:
            documents.extend(
                self.parse_document(data, name, declared, parts.sender, depth=1, sent=sent))
        return self.merge(source, documents, parts.subject, parts.sender, parts.signals)

    def parse_document(
        self,
        data: bytes,
        name: str,
        declared: str | None = None,
        sender: str | None = None,
        depth: int = 0,
        sent: date | None = None,
    ) -> list[DocumentResult]:
        """One attachment (and what it carries inside), read alone."""
        part = f"attachment:{name}"
        detected = detect(name, declared, data)
        if detected.format is None:
            return [
                DocumentResult(part, warnings=[f"not read: {detected.refusal}"], unreadable=True)
            ]
        try:
            extract = self.read(detected.format, data)
        except ReadError as exc:
            return [
                DocumentResult(part, warnings=[*detected.warnings, exc.reason], unreadable=True)
            ]
        # An attached email is a mail, read as one: prose and a signature, not a form.
        result = self._read(extract, part, sender, is_mail=detected.format in ("eml", "msg"),
                            sent=sent)
        result.warnings[:0] = detected.warnings
        out = [result]
        if depth < MAX_DEPTH:
            for inner_name, inner in extract.attachments:
                out.extend(self.parse_document(inner, inner_name, None, sender, depth + 1, sent))
        return out

    def _read(
        self,
        extract: Extract,
        part: str,
        sender: str | None,
        *,
        subject: str = "",
        is_body: bool = False,
        is_mail: bool = False,
        sent: date | None = None,
    ) -> DocumentResult:
        text = "\n".join(filter(None, (subject, extract.text)))
        template, score, tied = self.templates.best(text, sender)
        vocabulary = self.vocabulary(template)
        specimen = vocabulary.is_specimen(extract.text) and not is_body and not is_mail
        candidates = [] if specimen else map_pairs(extract.pairs, vocabulary, default_group=None)
        if not specimen:
            candidates += [Candidate(f, v, 1.0, "structured", f)
                           for f, v in extract.fields.items()]
        # A form is what its labelled boxes make it; a letter's letterhead numbers
        # (a DfE number, a phone) found by pattern do not make it one.
        labelled = {c.field for c in candidates}
        if not specimen:
            candidates += typed_candidates(extract.text)
        own = extract.new_text if extract.new_text is not None else extract.text
        reference_text = "\n".join((subject, own, extract.quoted))
        # A part that quotes one of our references is about that case, whatever its words.
        quotes_reference = bool(REFERENCE.search("\n".join((subject, own))))
        kind = "case_update" if quotes_reference else self.rules.decide(
            text, reference_text, template.kind)
        is_form = len(labelled) >= FORM_MIN_FIELDS and not is_body and not is_mail
        if is_form and not any(c.field == "reason" for c in candidates):
            candidates += narrative_box(extract.pairs, candidates)
        if is_form and not specimen:
            # A letter with a table of details: its sentences say what the table
            # does not ("he was removed from our register on 9 March under 9(1)(f)").
            offered = {c.field for c in candidates}
            sentences = "\n".join(line for line in extract.text.splitlines()
                                  if " | " not in line and len(line.split()) >= SENTENCE_WORDS)
            if FORM_FROM_PROSE - offered and FORM_PROSE_CUE.search(sentences):
                candidates += [c for c in prose_candidates(sentences, sent=sent,
                                                           vocabulary=self.prose_vocabulary)
                               if c.field not in offered and c.field in FORM_FROM_PROSE]
        signed_letter = False
        if not is_form and not specimen:
            # The sender is the writer only of the body: an attached parent's letter
            # came through the school's address.
            candidates += prose_candidates(
                extract.text, subject=subject, sent=sent, sender=sender if is_body else None,
                quoted=extract.quoted, vocabulary=self.prose_vocabulary)
            found = REFERENCE.search(reference_text)
            if found:
                candidates.append(
                    Candidate("case_reference", found.group(0), 0.9, "text", "reference")
                )
        if not is_form and not is_body and not is_mail and not specimen:
            signature = find_signature(extract.text, self.signature_vocabulary)
            about_a_child = any(c.field in ("child_upn", "child_dob") for c in candidates)
            if signature is not None and signature.role and about_a_child:
                signed_letter = True
                candidates += map_pairs(
                    [Pair(label, value, "letter signature", "sign-off")
                     for label, value in signature.labelled()], vocabulary)
        candidates = [c for c in candidates if not self._not_a_name(c, vocabulary)]
        if extract.ocr:
            # Read by OCR: a misread letter changes a name or a date, so every
            # value from it is for a person to check before anything acts on it.
            candidates = [replace(c, score=c.score * OCR_CONFIDENCE) for c in candidates]
        fields = choose(candidates)
        _one_writer(fields)
        warnings = list(extract.warnings)
        if specimen:
            warnings.append("the document says it is a worked example or specimen: "
                            "nothing in it was read as a child's details")
        if tied:
            warnings.append(f"several templates fit equally well: {', '.join(tied)}")
        return DocumentResult(
            part,
            kind,
            None if template.name == "generic" else template.name,
            score or (0.5 if is_form else None),
            fields,
            warnings,
            text,
            own,
            is_form,
            is_body,
            quoted=extract.quoted,
            signed_letter=signed_letter,
            original_sender=_original_sender(extract, own) if is_body else None,
        )

    def merge(
        self,
        source: str,
        documents: list[DocumentResult],
        subject: str = "",
        sender: str | None = None,
        signals: MailSignals | None = None,
    ) -> MessageResult:
        """The message's fields from all its documents, then its kind from all the evidence."""
        fields, review = _merge_fields(documents)
        text = "\n".join([subject, *(d.own_text if d.is_body else d.text for d in documents)])
        reference_text = "\n".join([subject, *(d.own_text for d in documents if d.is_body)])
        form_kinds = [d.kind for d in documents if d.is_form and d.kind != "other"]
        quoted = "\n".join(d.quoted for d in documents if d.is_body)
        # Attachments that could not be read at all (damaged, refused, a scan
        # with no OCR): what they say is unknown, so no child named proves nothing.
        unread = sum(1 for d in documents if not d.is_body
                     and (d.unreadable or not d.text.strip())
                     and not d.part.lower().endswith(PICTURES))
        # A forward that only passes the original on is the original writer's message.
        writer = next((d.original_sender for d in documents if d.original_sender), sender)
        evidence = KindEvidence(text, reference_text, subject, form_kinds[0] if form_kinds else "",
                                writer, tuple(signals.reasons()) if signals else (), fields,
                                quoted, unread)
        kind, reasons = decide_kind(self.rules, evidence)
        if documents:
            documents[0].kind_evidence = reasons
        if sender and self.rules.sender_class(sender) == "personal":
            _writer_is_the_parent(fields, sender)
        if kind != "case_update":
            fields.pop("update_outcome", None)
        from_school = self.rules.sender_class(writer) == "school"
        organisation = fields.get("referrer_organisation")
        if kind in SCHOOL_KINDS and from_school:
            # A school's own notification: whoever completed it works at that school,
            # and the school it names is theirs when it names no other.
            if "school_name" in fields:
                fields.setdefault("referrer_organisation", fields["school_name"])
            elif isinstance(organisation, str) and SCHOOL_NAME.search(organisation):
                fields["school_name"] = organisation
        if kind == "other":
            # Read, but not a message the register acts on: whatever was read is
            # for a person to look at, never to be acted on.
            review.update(name for name in fields if name != "case_reference")
        for name in REQUIRED.get(kind, ()):
            if name not in fields:
                review.add(name)
        tied = [w for d in documents for w in d.warnings if w.startswith("several templates")]
        return MessageResult(
            source, kind, dict(sorted(fields.items())), sorted(review), documents, tied
        )


# What a form's own sentences may add to its boxes: the dates and the ground a
# letter states in words, and its reason. Its people, places and flags are in
# its boxes; its sentences also carry guidance ("a child subject to a plan...").
# Words of a form's headings that no one's name holds.
HEADING_NOUNS = {"details", "information", "section", "record", "records", "data", "contacts",
                 "history", "form", "notification", "referral", "particulars"}
PLACE_FIELDS = {"child_address", "school_name", "referrer_organisation", "destination_school"}
NAME_FIELDS = {"child_forenames", "child_surname", "child_full_name", "parent_name",
               "referrer_name"}
SENTENCE_WORDS = 6
# A form's sentences are read only when they may state a date, a ground or why.
FORM_PROSE_CUE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?[ /.-](?:\d{1,2}|[A-Z][a-z]{2})|"
                            r"[89]\s*\(1\)|home educat|\bbecause\b|\breason\b", re.IGNORECASE)
FORM_FROM_PROSE = {"date_last_attended", "date_removed_from_roll", "ehe_start_date",
                   "deletion_ground", "reason"}
NARRATIVE_WORDS = 10
NARRATIVE_SCORE = 0.55  # a guess at which box is the reason: for a person to check


def narrative_box(pairs: list[Pair], candidates: list[Candidate]) -> list[Candidate]:
    """A form's reason under a label the vocabulary does not know ("Information",
    "What has happened and what we have done"): its longest box of sentences."""
    used = {(c.label, c.where) for c in candidates}
    boxes = [p for p in pairs if (p.label, p.where) not in used
             and len(p.value.split()) >= NARRATIVE_WORDS
             and sum(w.islower() for w in p.value.split()) * 2 > len(p.value.split())]
    if not boxes:
        return []
    best = max(boxes, key=lambda p: len(p.value.split()))
    return [Candidate("reason", best.value, NARRATIVE_SCORE, best.where, best.label)]


FORWARD_NOTE_WORDS = 60


def _original_sender(extract: Extract, own: str) -> str | None:
    """The innermost forwarded original's address, when the forwarder's own text is a
    short covering note ("FYI, see below" and a signature)."""
    senders = [parseaddr(f)[1] for f in extract.forwarded_from if "@" in f]
    if not senders or len(own.split()) > FORWARD_NOTE_WORDS:
        return None
    return senders[-1]


def _one_writer(fields: Fields) -> None:
    """The writer's own signature, whole: a forwarded original's writer fills no gap
    in it (their phone is not the forwarder's)."""
    referrer = {n: v for n, v in fields.values.items() if n.startswith("referrer_")}
    if any(not v.where.startswith("forwarded") for v in referrer.values()):
        for name, value in referrer.items():
            if value.where.startswith("forwarded"):
                del fields.values[name]


def _writer_is_the_parent(fields: dict[str, str | bool], sender: str) -> None:
    """A parent writing from their own address: who wrote is the parent (FIELDS.md,
    "Parent writing directly"), and the address they wrote from is theirs."""
    for writer, parent in (("referrer_name", "parent_name"), ("referrer_phone", "parent_phone"),
                           ("referrer_email", "parent_email")):
        if writer in fields and parent not in fields:
            fields[parent] = fields[writer]
    fields.setdefault("parent_email", sender)


def _merge_fields(documents: list[DocumentResult]) -> tuple[dict[str, str | bool], set[str]]:
    """A form outranks everything; then, for who wrote, an attached letter's signed
    writer, then the cover email's signature (the sender), and for the rest, the
    documents it carries. Disagreements go to review."""
    by_content = sorted(documents, key=lambda d: (not d.is_form, d.is_body))
    by_writer = sorted(documents, key=lambda d: (not (d.is_form or d.signed_letter),
                                                 not d.is_body))
    fields: dict[str, str | bool] = {}
    review: set[str] = set()
    for _doc, name, value in _offers(by_content, by_writer):
        if name not in fields:
            fields[name] = value.value
            if value.problem or value.confidence < 0.6 or PARTIAL in value.where:
                review.add(name)
        elif _differs(fields[name], value.value):
            review.add(name)
    return fields, review


def _offers(by_content: list[DocumentResult], by_writer: list[DocumentResult]):
    """(document, field, value) in the order each field's sources rank."""
    for doc in by_content:
        for name, value in doc.fields.values.items():
            if not name.startswith("referrer_"):
                yield doc, name, value
    for doc in by_writer:
        for name, value in doc.fields.values.items():
            if name.startswith("referrer_"):
                yield doc, name, value


def _looks_like_email(data: bytes) -> bool:
    head = data[:2048].lower()
    return head.startswith(
        (
            b"from:",
            b"received:",
            b"return-path:",
            b"message-id:",
            b"mime-version:",
            b"date:",
            b"to:",
            b"subject:",
        )
    )


def _differs(a: str | bool, b: str | bool) -> bool:
    """Do two values disagree? "Jo" signing an email is the "Jo Bloggs" of the form."""
    if isinstance(a, str) and isinstance(b, str):
        left, right = a.lower().split(), b.lower().split()
        if left == right:
            return False
        shorter, longer = sorted((left, right), key=len)
        return not (shorter and all(word in longer for word in shorter) and not any(
            ch.isdigit() for ch in "".join(shorter)))
    return a != b


"""Emails: the body (plain or HTML) and the attachments of an ``.eml``.

The same code reads the top-level message and an email attached to it (a
forwarded original sent "as attachment").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from email.message import Message

from parsers.document import Extract
from parsers.readers.text import html_to_text, read_lines
from watcher.parts import decode_words, header, parse_message, split_parts

MAX_PART = 20 * 1024 * 1024


@dataclass(frozen=True)
class MailSignals:
    """What the headers and the MIME structure say about a mail, before its words."""

    auto_reply: bool = False  # Auto-Submitted, X-Autoreply, Precedence: auto_reply
    bulk: bool = False  # List-Unsubscribe, List-Id, Precedence: bulk/list/junk
    report: bool = False  # multipart/report: a bounce or a read receipt
    invitation: bool = False  # a text/calendar part or an .ics file
    sent: date | None = None  # the Date header's day, for dates written without a year

    def reasons(self) -> list[str]:
        named = (("auto_reply", "an automatic reply (Auto-Submitted)"),
                 ("bulk", "bulk mail (List-Unsubscribe/Precedence)"),
                 ("report", "a delivery report (multipart/report)"),
                 ("invitation", "a meeting invitation (text/calendar)"))
        return [words for name, words in named if getattr(self, name)]


@dataclass
class EmailParts:
    subject: str
    sender: str | None
    body: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, data
    skipped: list[tuple[str, str]] = field(default_factory=list)  # part label, why
    signals: MailSignals = field(default_factory=MailSignals)


def mail_signals(message: Message) -> MailSignals:
    precedence = (header(message, "Precedence") or "").lower()
    auto = (
        (header(message, "Auto-Submitted") or "no").lower() != "no"
        or any(header(message, name) for name in ("X-Autoreply", "X-Autorespond"))
        or precedence == "auto_reply"
    )
    bulk = bool(header(message, "List-Unsubscribe") or header(message, "List-Id")) or (
        precedence in ("bulk", "list", "junk"))
    types = {part.get_content_type() for part in message.walk()}
    names = {(part.get_filename() or "").lower() for part in message.walk()}
    return MailSignals(
        auto_reply=auto,
        bulk=bulk,
        report=message.get_content_type() == "multipart/report"
        or "message/delivery-status" in types,
        invitation="text/calendar" in types or any(n.endswith(".ics") for n in names),
        sent=_sent_day(message),
    )


def _sent_day(message: Message) -> date | None:
    from email.utils import parsedate_to_datetime

    value = header(message, "Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def email_parts(message: Message, *, max_part_bytes: int = MAX_PART) -> EmailParts:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[tuple[str, str, bytes]] = []
    skipped: list[tuple[str, str]] = []
    for part in split_parts(message, max_part_bytes=max_part_bytes, max_parts=200):
        if part.oversized:
            skipped.append((part.label, part.warning or "over the size limit: not read"))
        elif part.label.startswith("attachment:"):
            if part.data is not None:
                attachments.append((part.label.split(":", 1)[1], part.declared_type, part.data))
        elif part.data is not None and part.declared_type == "text/html":
            html.append(_decode(part.data, part.charset))
        elif part.data is not None and part.declared_type.startswith("text/"):
            plain.append(_decode(part.data, part.charset))
    body = (
        "\n".join(plain)
        if any(p.strip() for p in plain)
        else "\n".join(html_to_text(h) for h in html)
    )
    return EmailParts(
        header(message, "Subject") or "", _sender(message), body, attachments, skipped,
        mail_signals(message),
    )


def _decode(data: bytes, charset: str | None) -> str:
    for encoding in (charset or "utf-8", "utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def _sender(message: Message) -> str | None:
    from email.utils import parseaddr

    value = header(message, "From")
    return parseaddr(decode_words(value))[1].lower() or None if value else None


def read_eml(data: bytes) -> Extract:
    """An attached email: its subject and body as text and pairs, its attachments inside."""
    parts = email_parts(parse_message(data))
    out = read_lines(parts.body)
    out.text = f"{out.text}\nSubject: {parts.subject}" if parts.subject else out.text
    out.attachments = [(name, payload) for name, _type, payload in parts.attachments]
    return out

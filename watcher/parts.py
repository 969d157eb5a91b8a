"""Reading an email's envelope and cutting it into body parts and attachments.

Everything here is lenient: mail from the outside world is often malformed, and
a defect becomes a warning, never an exception.
"""

from __future__ import annotations

import email.policy
import hashlib
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr

import filetype

from watcher.mailcheck import not_mail_reason

MB = 1024 * 1024
MAX_AUTH_HEADERS = 50  # a mail can carry thousands; only the top few ever count


def human_size(size: int) -> str:
    return f"{size:,} bytes" if size < MB else f"{size / MB:.1f} MB"


@dataclass
class Envelope:
    message_id: str | None
    sender: str | None
    subject: str | None
    warnings: list[str] = field(default_factory=list)
    # Authentication-Results headers, top-most first (watcher/authresults.py)
    auth_results: list[str] = field(default_factory=list)


@dataclass
class Part:
    position: int
    label: str
    filename: str | None
    declared_type: str
    size: int
    sha256: str
    sniffed_type: str | None
    oversized: bool = False  # over the part limit: never kept or read
    warning: str | None = None
    data: bytes | None = None  # the decoded bytes, when asked for and within the limit
    charset: str | None = None


@dataclass
class Inspection:
    """What intake learns of a mail without keeping any of its parts."""

    envelope: Envelope
    parts: list[Part]
    error: str | None = None  # why the mail cannot be read at all


def inspect_mail(
    raw: bytes, max_message_bytes: int, max_part_bytes: int, max_parts: int
) -> Inspection:
    """Envelope and part list of ``raw``: a pure function, so it can run in a worker process."""
    if not raw.strip():
        return Inspection(Envelope(None, None, None), [], "empty message: nothing to read")
    if len(raw) > max_message_bytes:
        return Inspection(
            Envelope(None, None, None),
            [],
            (
                f"message is {human_size(len(raw))}, over the "
                f"{human_size(max_message_bytes)} limit: kept raw, not read"
            ),
        )
    not_mail = not_mail_reason(raw)
    if not_mail is not None:  # a PDF, a document or noise dropped in the Maildir
        return Inspection(Envelope(None, None, None), [], not_mail)
    message = parse_message(raw)
    parts = split_parts(
        message, max_part_bytes=max_part_bytes, max_parts=max_parts, keep_data=False
    )
    return Inspection(read_envelope(message), parts)


def parse_message(raw: bytes) -> Message:
    # compat32 parses two to three times faster than the modern policy and
    # never raises on a bad header; we decode the few headers we need ourselves.
    return BytesParser(policy=email.policy.compat32).parsebytes(raw)


def header(message: Message, name: str) -> str | None:
    """A header as readable text (RFC 2047 words decoded), or None when absent."""
    value = message.get(name)
    if value is None:
        return None
    return decode_words(str(value))[:998] or None


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words; leave the text as it is when they are broken."""
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (ValueError, LookupError, UnicodeError):
            pass
    return " ".join(text.split())


def read_envelope(message: Message) -> Envelope:
    message_id = header(message, "Message-ID")
    if message_id:
        message_id = message_id.strip().strip("<>")[:250] or None
    sender_text = header(message, "From")
    sender = parseaddr(sender_text)[1].lower()[:250] if sender_text else None
    subject = header(message, "Subject")
    warnings = [f"MIME defect: {type(d).__name__}" for d in message.defects]
    return Envelope(message_id, sender or None, subject, warnings, auth_results(message))


def auth_results(message: Message) -> list[str]:
    """The Authentication-Results headers as written, top-most first (a few, bounded)."""
    values = message.get_all("Authentication-Results") or []
    return [" ".join(str(value).split())[:4000] for value in values[:MAX_AUTH_HEADERS]]


def split_parts(
    message: Message, *, max_part_bytes: int, max_parts: int, keep_data: bool = True
) -> list[Part]:
    """Every leaf part, with attached emails kept whole as ``.eml`` documents."""
    parts: list[Part] = []
    counters: dict[str, int] = {}
    for leaf in _leaves(message):
        if len(parts) >= max_parts:
            parts[-1].warning = f"more than {max_parts} parts; the rest were not read"
            break
        part = _make_part(leaf, len(parts), counters, max_part_bytes)
        if not keep_data:
            part.data = None
        parts.append(part)
    return parts


def _leaves(message: Message):
    if message.get_content_type() == "message/rfc822":
        yield message
        return
    if message.is_multipart():
        payload = message.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            yield from _leaves(sub)
        return
    yield message


def _make_part(leaf: Message, position: int, counters: dict[str, int], limit: int) -> Part:
    declared = leaf.get_content_type()
    filename = _filename(leaf)
    data, warning = _payload(leaf)
    is_attachment = bool(filename) or leaf.get_content_disposition() == "attachment"
    if declared == "message/rfc822":
        is_attachment = True
        filename = filename or "attached-message.eml"
    if is_attachment:
        label = f"attachment:{filename or f'unnamed-{position}'}"
    else:
        base = "body:html" if declared == "text/html" else "body"
        counters[base] = counters.get(base, 0) + 1
        label = base if counters[base] == 1 else f"{base}:{counters[base]}"
    size = len(data)
    sha = hashlib.sha256(data).hexdigest()
    sniffed = sniff(data)
    if size > limit:
        warning = (
            f"{human_size(size)}, over the {human_size(limit)} part limit: "
            "not stored (the raw mail is kept)"
        )
        return Part(position, label, filename, declared, size, sha, sniffed, True, warning)
    charset = leaf.get_content_charset()
    return Part(position, label, filename, declared, size, sha, sniffed, False, warning, data,
                charset)


def _filename(leaf: Message) -> str | None:
    try:
        name = leaf.get_filename()
    except Exception:
        return None
    if not name:
        return None
    # Keep the name readable but harmless: no folders, no control characters.
    name = decode_words(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or None


def _payload(leaf: Message) -> tuple[bytes, str | None]:
    try:
        if leaf.get_content_type() == "message/rfc822":
            inner = leaf.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            return (inner.as_bytes() if isinstance(inner, Message) else b""), None
        data = leaf.get_payload(decode=True)
    except Exception as exc:
        return b"", f"cannot decode part: {type(exc).__name__}"
    if data is None:
        return b"", None
    defects = [type(d).__name__ for d in leaf.defects]
    return data, (f"MIME defect: {', '.join(defects)}" if defects else None)


def sniff(data: bytes) -> str | None:
    """The content type the bytes show, whatever the sender declared."""
    if not data:
        return None
    guess = filetype.guess_mime(data)
    if guess:
        return guess
    head = data[:4096]
    if head.lstrip().startswith(b"<?xml") or head.lstrip().startswith(b"<"):
        return "text/xml" if b"<?xml" in head[:100] else "text/html"
    return "application/octet-stream" if b"\x00" in head else "text/plain"

"""Reading an email's envelope and cutting it into body parts and attachments.

Everything here is lenient: mail from the outside world is often malformed, and
a defect becomes a warning, never an exception.
"""

from __future__ import annotations

import email.policy
import hashlib
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr

import filetype

MB = 1024 * 1024


@dataclass
class Envelope:
    message_id: str | None
    sender: str | None
    subject: str | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Part:
    position: int
    label: str
    filename: str | None
    declared_type: str
    data: bytes | None  # None when over the limit: not stored
    size: int
    sha256: str
    sniffed_type: str | None
    warning: str | None = None


def parse_message(raw: bytes) -> EmailMessage:
    return BytesParser(policy=email.policy.default).parsebytes(raw)  # type: ignore[return-value]


def header(message: Message, name: str) -> str | None:
    """A header as text, or None when absent or unreadable."""
    try:
        value = message.get(name)
    except Exception:  # the email package raises many types on bad headers
        return None
    if value is None:
        return None
    return " ".join(str(value).split())[:998] or None


def read_envelope(message: EmailMessage) -> Envelope:
    message_id = header(message, "Message-ID")
    if message_id:
        message_id = message_id.strip().strip("<>")[:250] or None
    sender_text = header(message, "From")
    sender = parseaddr(sender_text)[1].lower()[:250] if sender_text else None
    subject = header(message, "Subject")
    warnings = [f"MIME defect: {type(d).__name__}" for d in message.defects]
    return Envelope(message_id, sender or None, subject, warnings)


def split_parts(message: EmailMessage, *, max_part_bytes: int, max_parts: int) -> list[Part]:
    """Every leaf part, with attached emails kept whole as ``.eml`` documents."""
    parts: list[Part] = []
    counters: dict[str, int] = {}
    for leaf in _leaves(message):
        if len(parts) >= max_parts:
            parts[-1].warning = f"more than {max_parts} parts; the rest were not read"
            break
        parts.append(_make_part(leaf, len(parts), counters, max_part_bytes))
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
            f"{size / MB:.1f} MB, over the {limit / MB:.0f} MB part limit: "
            "not stored (the raw mail is kept)"
        )
        return Part(position, label, filename, declared, None, size, sha, sniffed, warning)
    return Part(position, label, filename, declared, data, size, sha, sniffed, warning)


def _filename(leaf: Message) -> str | None:
    try:
        name = leaf.get_filename()
    except Exception:
        return None
    if not name:
        return None
    # Keep the name readable but harmless: no folders, no control characters.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
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
    if head.startswith(b"%PDF"):
        return "application/pdf"
    return "application/octet-stream" if b"\x00" in head else "text/plain"

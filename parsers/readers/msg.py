"""Outlook ``.msg`` attachments (extract-msg): body, subject and attachments."""

from __future__ import annotations

import io
import logging

from parsers.document import Extract, ReadError
from parsers.readers.text import html_to_text, read_lines

# extract-msg logs every odd property at WARNING; the reader reports what matters.
logging.getLogger("extract_msg").setLevel(logging.ERROR)


def read_msg(data: bytes) -> Extract:
    import extract_msg

    try:
        message = extract_msg.openMsg(io.BytesIO(data), delayAttachments=False)
    except Exception as exc:  # extract-msg raises many types on a damaged file
        raise ReadError(f"the Outlook message is damaged and cannot be read ({exc})") from None
    try:
        body = message.body or ""
        if not body.strip() and getattr(message, "htmlBody", None):
            body = html_to_text(message.htmlBody.decode("utf-8", "replace"))
        out = read_lines(body)
        subject = message.subject or ""
        out.text = f"{out.text}\nSubject: {subject}" if subject else out.text
        for attachment in message.attachments:
            payload = getattr(attachment, "data", None)
            name = (
                getattr(attachment, "longFilename", None)
                or getattr(attachment, "shortFilename", None)
                or "attachment"
            )
            if isinstance(payload, bytes):
                out.attachments.append((name, payload))
        return out
    finally:
        message.close()

"""An ``OutboundMail`` as an RFC 5322 message, the same for every backend that sends MIME."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from watcher.mailbox import OutboundMail


def build_email(outbound: OutboundMail, *, domain: str = "cme.local") -> EmailMessage:
    """The letter with its attachments, under its own Message-ID when it has one."""
    message = EmailMessage()
    message["From"] = outbound.sender or "cme@localhost"
    message["To"] = ", ".join(outbound.to)
    message["Subject"] = outbound.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = outbound.message_id or make_msgid(domain=domain)
    message.set_content(outbound.body)
    for item in outbound.attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            item.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=item.filename,
        )
    return message

"""Read-side queries shared by the CLI, the reports and the tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cme.clock import as_london
from register.models import Document, InboundMessage


def messages(status: str | None = None) -> list[InboundMessage]:
    query = InboundMessage.select().order_by(InboundMessage.id)
    if status:
        query = query.where(InboundMessage.status == status)
    return list(query)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with its offset, in the team's local time."""
    return None if moment is None else as_london(moment).isoformat()


def document_as_dict(doc: Document) -> dict[str, Any]:
    return {
        "position": doc.position,
        "part": doc.part,
        "filename": doc.filename,
        "declared_type": doc.declared_type,
        "sniffed_type": doc.sniffed_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "stored": doc.stored,
        "warning": doc.warning,
        "kind": doc.kind,
        "template": doc.template,
        "confidence": doc.confidence,
        "fields": doc.fields or {},
    }


def message_as_dict(message: InboundMessage) -> dict[str, Any]:
    documents = message.documents.order_by(Document.position)
    return {
        "id": message.id,
        "mailbox": message.mailbox,
        "uid": message.uid,
        "message_id": message.message_id,
        "sha256": message.sha256,
        "size": message.size,
        "archive_path": message.archive_path,
        "sender": message.sender,
        "subject": message.subject,
        "received_at": iso(message.received_at),
        "taken_at": iso(message.taken_at),
        "status": message.status,
        "error": message.error,
        "warnings": message.warnings or [],
        "attempts": message.attempts,
        "kind": message.kind,
        "fields": message.fields or {},
        "needs_review": message.needs_review or [],
        "documents": [document_as_dict(d) for d in documents],
    }

"""The parse stage: a message taken in becomes kind and fields on its ledger rows.

Wiring between the parsers (which know nothing of the register) and the
ledger (which knows nothing of forms). The raw mail is read back from the
archive, each document is read in the sandbox, and the results are stored on
the message's Document rows and on the message itself.
"""

from __future__ import annotations

import logging

from cme.config import Config
from parsers.message import DocumentResult, MessageResult, Parser
from parsers.sandbox import Limits, Sandbox
from register.models import Document, InboundMessage, MessageStatus
from watcher.archive import Archive

log = logging.getLogger(__name__)


def build_parser(config: Config, *, sandboxed: bool = True) -> Parser:
    options: dict = {"max_part_bytes": config.limits.max_part_bytes}
    if sandboxed:
        options["read"] = Sandbox(
            Limits(config.parsing.timeout_seconds, config.parsing.memory_mb,
                   config.parsing.ocr_timeout_seconds),
            config.parsing.workers,
        )
    parser = Parser.from_folder(config.templates, **options)
    for error in parser.templates.errors:
        log.error("template skipped: %s", error)
    return parser


class ParseStage:
    """``received -> parsed``: consumes a message, stores what was read."""

    def __init__(self, parser: Parser, archive: Archive) -> None:
        self.parser = parser
        self.archive = archive

    def __call__(self, message: InboundMessage) -> None:
        raw = self.archive.read(message.archive_path)
        result = self.parser.parse_email(raw, f"message {message.id}")
        store_result(message, result)
        message.status = MessageStatus.PARSED
        log.info(
            "message %d parsed: %s, %d fields, %d for review",
            message.id,
            result.kind,
            len(result.fields),
            len(result.needs_review),
        )


def store_result(message: InboundMessage, result: MessageResult) -> None:
    message.kind = result.kind
    message.fields = result.fields
    message.needs_review = result.needs_review
    rows = {d.part: d for d in message.documents}
    next_position = max((d.position for d in rows.values()), default=-1) + 1
    for doc in result.documents:
        row = rows.get(doc.part) or rows.get(_body_alias(doc, rows))
        if row is None:  # a document found inside another (.msg, .eml)
            row = Document(message=message, position=next_position, part=doc.part, size=0)
            next_position += 1
        _fill(row, doc)
        row.save()


def _body_alias(doc: DocumentResult, rows: dict[str, Document]) -> str:
    """An HTML-only email's body is the ``body:html`` part on the ledger."""
    return "body:html" if doc.part == "body" and "body" not in rows else doc.part


def _fill(row: Document, doc: DocumentResult) -> None:
    row.kind = doc.kind
    row.template = doc.template
    row.confidence = doc.confidence
    row.fields = doc.fields.plain()
    row.text = doc.text[:200_000] or None
    notes = [w for w in [row.warning, *doc.warnings] if w]
    row.warning = "; ".join(dict.fromkeys(notes)) or None

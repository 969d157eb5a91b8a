"""Read-side queries shared by the CLI, the reports and the tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import peewee

from cme.clock import as_london
from register.models import (
    Case,
    Child,
    Deadline,
    Document,
    Event,
    InboundMessage,
    Letter,
    ReviewItem,
)


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


def messages_as_dicts(status: str | None = None) -> list[dict[str, Any]]:
    """Every message (or those in ``status``) with its documents, in two queries."""
    documents: dict[int, list[Document]] = {}
    query = Document.select().order_by(Document.message, Document.position)
    if status:
        query = query.join(InboundMessage).where(InboundMessage.status == status)
    for doc in query:
        documents.setdefault(doc.message_id, []).append(doc)
    return [message_as_dict(m, documents.get(m.id, [])) for m in messages(status)]


def message_as_dict(message: InboundMessage,
                    documents: list[Document] | None = None) -> dict[str, Any]:
    if documents is None:
        documents = list(message.documents.order_by(Document.position))
    return {
        "id": message.id,
        "mailbox": message.mailbox,
        "uid": message.uid,
        "message_id": message.message_id,
        "sha256": message.sha256,
        "size": message.size,
        "archive_path": message.archive_path,
        "sender": message.sender,
        "sender_domain": message.sender_domain,
        "trust": message.trust,
        "authentication": message.authentication,
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


def insert_rows(
    model: type[peewee.Model], rows: list[dict[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """Insert many rows with one statement, built once.

    peewee's ``insert_many`` converts and renders every value through its query
    builder, which costs more than the insert itself on the intake's hot path;
    here each value goes through its field's ``db_value`` and the SQL text is
    built once per batch. Works on SQLite (3.35+) and PostgreSQL alike.
    """
    if not rows:
        return []
    database = model._meta.database

    def quote(name: str) -> str:
        return f"{database.quote[0]}{name}{database.quote[1]}"

    fields = [model._meta.fields[name] for name in rows[0]]
    columns = ", ".join(quote(f.column_name) for f in fields)
    one = "(" + ", ".join([database.param] * len(fields)) + ")"
    ids: list[int] = []
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        sql = f"INSERT INTO {quote(model._meta.table_name)} ({columns}) VALUES " + ", ".join(
            [one] * len(chunk)
        )
        if returning_ids:
            sql += " RETURNING " + quote(model._meta.primary_key.column_name)
        params = [f.db_value(row[f.name]) for row in chunk for f in fields]
        cursor = database.execute_sql(sql, params)
        if returning_ids:
            ids.extend(r[0] for r in cursor.fetchall())
    return ids


def case_as_dict(case: Case) -> dict[str, Any]:
    """A case as ``cme cases --json`` prints it."""
    return cases_as_dicts([case])[0]


def cases_as_dicts(cases: Iterable[Case]) -> list[dict[str, Any]]:
    """Many cases at once: four queries in all, however many cases (``cme cases``)."""
    cases = list(cases)
    if not cases:
        return []
    case_ids = [c.id for c in cases]
    child_ids = list({c.child_id for c in cases if c.child_id is not None})
    children = {
        row[0]: {"id": row[0], "forenames": row[1], "surname": row[2],
                 "dob": row[3].isoformat() if row[3] else None}
        for row in Child.select(Child.id, Child.forenames, Child.surname, Child.dob)
        .where(Child.id.in_(child_ids)).tuples()
    }
    next_due: dict[int, dict[str, str]] = {}
    for case_id, purpose, due in (
        Deadline.select(Deadline.case, Deadline.purpose, Deadline.due)
        .where(Deadline.case.in_(case_ids) & (Deadline.state == "open"))
        .order_by(Deadline.due_at, Deadline.id).tuples()
    ):
        next_due.setdefault(case_id, {"purpose": purpose, "due": due.isoformat()})
    by_child: dict[int, list[tuple[int, str]]] = {}
    for case_id, reference, child_id in (
        Case.select(Case.id, Case.reference, Case.child)
        .where(Case.child.in_(child_ids)).order_by(Case.id).tuples()
    ):
        by_child.setdefault(child_id, []).append((case_id, reference))
    return [
        {
            "reference": case.reference,
            "kind": case.kind,
            "status": case.status,
            "opened": case.opened.isoformat(),
            "closed": case.closed.isoformat() if case.closed else None,
            "child": children.get(case.child_id),
            "school": (case.details or {}).get("school_name"),
            "linked_cases": [ref for cid, ref in by_child.get(case.child_id, []) if cid != case.id],
            "next_deadline": next_due.get(case.id),
        }
        for case in cases
    ]


def timeline(case: Case) -> list[dict[str, Any]]:
    return [{"at": iso(e.at), "kind": e.kind, "actor": e.actor,
             "message": e.message_id, "detail": e.detail or {}}
            for e in case.events.order_by(Event.at, Event.id)]


def deadline_as_dict(deadline: Deadline) -> dict[str, Any]:
    return {"id": deadline.id, "case": deadline.case.reference, "purpose": deadline.purpose,
            "due": deadline.due.isoformat(), "state": deadline.state}


def with_case(query: peewee.ModelSelect) -> peewee.ModelSelect:
    """``query`` (of deadlines, letters or review items) with each row's case in one join."""
    return (query.select_extend(Case.id, Case.reference)
            .join(Case, peewee.JOIN.LEFT_OUTER).switch(query.model))


def letter_as_dict(letter: Letter) -> dict[str, Any]:
    return {"id": letter.id, "case": letter.case.reference, "template": letter.template,
            "recipients": letter.recipients, "created": iso(letter.created_at),
            "path": letter.path, "state": letter.state, "error": letter.error}


def review_as_dict(item: ReviewItem) -> dict[str, Any]:
    return {"id": item.id, "case": item.case.reference if item.case else None,
            "message": item.message_id, "reason": item.reason,
            "action": (item.detail or {}).get("action"), "created": iso(item.created_at),
            "resolved": iso(item.resolved_at), "resolution": item.resolution,
            "notes": (item.detail or {}).get("notes", [])}

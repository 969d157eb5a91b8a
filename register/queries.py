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
    child_ids = {c.child_id for c in cases if c.child_id is not None}
    children = {c.id: c for c in Child.select().where(Child.id.in_(list(child_ids)))}
    next_due: dict[int, Deadline] = {}
    for deadline in (Deadline.select().where(Deadline.case.in_(case_ids)
                                             & (Deadline.state == "open"))
                     .order_by(Deadline.due_at, Deadline.id)):
        next_due.setdefault(deadline.case_id, deadline)
    by_child: dict[int, list[tuple[int, str]]] = {}
    for row in (Case.select(Case.id, Case.reference, Case.child).where(
            Case.child.in_(list(child_ids))).order_by(Case.id)):
        by_child.setdefault(row.child_id, []).append((row.id, row.reference))
    return [_case_dict(c, children.get(c.child_id), next_due.get(c.id),
                       [ref for cid, ref in by_child.get(c.child_id, []) if cid != c.id])
            for c in cases]


def _case_dict(case: Case, child: Child | None, next_deadline: Deadline | None,
               linked: list[str]) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "kind": case.kind,
        "status": case.status,
        "opened": case.opened.isoformat(),
        "closed": case.closed.isoformat() if case.closed else None,
        "child": None if child is None else {
            "id": child.id, "forenames": child.forenames, "surname": child.surname,
            "dob": child.dob.isoformat() if child.dob else None},
        "school": (case.details or {}).get("school_name"),
        "linked_cases": linked,
        "next_deadline": None if next_deadline is None else {
            "purpose": next_deadline.purpose, "due": next_deadline.due.isoformat()},
    }


def timeline(case: Case) -> list[dict[str, Any]]:
    return [{"at": iso(e.at), "kind": e.kind, "actor": e.actor,
             "message": e.message_id, "detail": e.detail or {}}
            for e in case.events.order_by(Event.at, Event.id)]


def deadline_as_dict(deadline: Deadline) -> dict[str, Any]:
    return {"id": deadline.id, "case": deadline.case.reference, "purpose": deadline.purpose,
            "due": deadline.due.isoformat(), "state": deadline.state}


def letter_as_dict(letter: Letter) -> dict[str, Any]:
    return {"id": letter.id, "case": letter.case.reference, "template": letter.template,
            "recipients": letter.recipients, "created": iso(letter.created_at),
            "path": letter.path}


def review_as_dict(item: ReviewItem) -> dict[str, Any]:
    return {"id": item.id, "case": item.case.reference if item.case else None,
            "message": item.message_id, "reason": item.reason, "created": iso(item.created_at),
            "resolved": iso(item.resolved_at), "resolution": item.resolution}

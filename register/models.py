"""The register's tables.

The schema itself is created and changed only by the numbered migrations in
``register/migrations``; these classes describe the latest schema for queries.
"""

from __future__ import annotations

import peewee

from register.db import db
from register.fields import InstantField, JSONField
from register.states import LetterState, MessageStatus


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


class InboundMessage(BaseModel):
    """One email as it arrived: the intake ledger."""

    mailbox = peewee.CharField()
    uid = peewee.CharField()
    message_id = peewee.CharField(null=True, index=True)
    sha256 = peewee.CharField(unique=True)
    size = peewee.BigIntegerField()
    archive_path = peewee.CharField()
    sender = peewee.CharField(null=True)
    subject = peewee.TextField(null=True)
    received_at = InstantField()
    taken_at = InstantField()
    status = peewee.CharField(index=True, default=MessageStatus.RECEIVED)
    error = peewee.TextField(null=True)
    warnings = JSONField(null=True)
    attempts = peewee.IntegerField(default=0)
    updated_at = InstantField()
    kind = peewee.CharField(null=True)
    fields = JSONField(null=True)
    needs_review = JSONField(null=True)
    # A transient failure (a full disk, a locked register) is retried by the
    # daemon from ``retry_from`` once ``next_attempt_at`` has come; both are
    # empty for a permanent one, which waits for ``cme intake retry``.
    next_attempt_at = InstantField(null=True)
    retry_from = peewee.CharField(null=True)
    # Who sent it and how sure we are (register/states.py ``Trust``): the From
    # domain, the trust level and what the Authentication-Results said.
    sender_domain = peewee.CharField(null=True, index=True)
    trust = peewee.CharField(null=True)
    authentication = JSONField(null=True)

    class Meta:
        indexes = ((("mailbox", "uid"), True),)


class Document(BaseModel):
    """One body part or attachment of an inbound message."""

    message = peewee.ForeignKeyField(InboundMessage, backref="documents", on_delete="CASCADE")
    position = peewee.IntegerField()
    part = peewee.CharField()
    filename = peewee.CharField(null=True)
    declared_type = peewee.CharField(null=True)
    sniffed_type = peewee.CharField(null=True)
    size = peewee.BigIntegerField()
    sha256 = peewee.CharField(null=True)
    # Parts live inside the archived raw mail and are cut from it when read;
    # False when the part is over the size limit and is never cut or read.
    stored = peewee.BooleanField(default=False)
    warning = peewee.TextField(null=True)
    kind = peewee.CharField(null=True)
    template = peewee.CharField(null=True)
    confidence = peewee.FloatField(null=True)
    fields = JSONField(null=True)
    text = peewee.TextField(null=True)

    class Meta:
        indexes = ((("message", "position"), True),)


class Child(BaseModel):
    upn = peewee.CharField(null=True, index=True)
    surname = peewee.CharField()
    forenames = peewee.CharField()
    dob = peewee.DateField(null=True)
    gender = peewee.CharField(null=True)
    created_at = InstantField()
    # Found to be the same child as another (``cme child merge``): kept, never deleted,
    # with its cases and addresses moved to that one.
    merged_into = peewee.ForeignKeyField("self", null=True, backref="merged",
                                         on_delete="SET NULL")

    class Meta:
        indexes = ((("surname", "dob"), False),)


class ChildAddress(BaseModel):
    child = peewee.ForeignKeyField(Child, backref="addresses", on_delete="CASCADE")
    address = peewee.TextField()
    postcode = peewee.CharField(null=True)
    recorded_at = InstantField()
    source = peewee.ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")


class Contact(BaseModel):
    """A school, agency, ESW, keyworker or referrer the team writes to."""

    role = peewee.CharField(index=True)
    name = peewee.CharField(null=True)
    organisation = peewee.CharField(null=True)
    email = peewee.CharField(null=True, index=True)
    phone = peewee.CharField(null=True)
    laestab = peewee.CharField(null=True, index=True)
    urn = peewee.CharField(null=True)
    created_at = InstantField()
    # Where ``email`` came from (register/states.py ``EmailSource``); null: recorded
    # before sources were kept, a proposal like one read from a form.
    email_source = peewee.CharField(null=True)


class Case(BaseModel):
    reference = peewee.CharField(unique=True)
    kind = peewee.CharField(index=True)
    status = peewee.CharField(index=True, default="open")
    state = peewee.CharField(default="new")
    child = peewee.ForeignKeyField(Child, backref="cases", null=True, on_delete="RESTRICT")
    school = peewee.ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    lead_professional = peewee.ForeignKeyField(
        Contact, null=True, on_delete="SET NULL", backref="led_cases"
    )
    opened = peewee.DateField()
    closed = peewee.DateField(null=True)
    close_reason = peewee.TextField(null=True)
    source = peewee.ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")
    # The latest value of each canonical field the case's messages gave.
    details = JSONField(null=True)


class CaseContact(BaseModel):
    """Who is involved in a case, and as what: school, referrer, esw, keyworker..."""

    case = peewee.ForeignKeyField(Case, backref="contacts", on_delete="CASCADE")
    contact = peewee.ForeignKeyField(Contact, backref="cases", on_delete="CASCADE")
    role = peewee.CharField()


class Event(BaseModel):
    """The append-only timeline of a case (or of a message before it has one)."""

    case = peewee.ForeignKeyField(Case, backref="events", null=True, on_delete="CASCADE")
    message = peewee.ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")
    # An event about a child's own record (a correction, a merge), not one case's.
    child = peewee.ForeignKeyField(Child, null=True, on_delete="SET NULL")
    kind = peewee.CharField(index=True)
    at = InstantField(index=True)
    actor = peewee.CharField(default="cme")
    detail = JSONField(null=True)


class Deadline(BaseModel):
    case = peewee.ForeignKeyField(Case, backref="deadlines", on_delete="CASCADE")
    purpose = peewee.CharField()
    due = peewee.DateField()
    due_at = InstantField()
    state = peewee.CharField(default="open")
    created_at = InstantField()
    closed_at = InstantField(null=True)
    message = peewee.ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("state", "due_at"), False), (("case", "purpose", "state"), False))


class Letter(BaseModel):
    """A letter decided by a transaction and mailed after its commit (the outbox).

    ``context`` is what the letter says, taken when it was decided; the sender
    renders it into ``path`` and mails it under ``message_id``, which is unique
    to this row (``workflows/outbox.py`` says why it is not just the row id).
    """

    case = peewee.ForeignKeyField(Case, backref="letters", on_delete="CASCADE")
    template = peewee.CharField()
    recipients = JSONField()
    path = peewee.CharField()
    created_at = InstantField()
    deadline = peewee.ForeignKeyField(Deadline, null=True, on_delete="SET NULL")
    state = peewee.CharField(index=True, default=LetterState.PENDING)
    message_id = peewee.CharField(null=True, unique=True)
    source = peewee.ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")
    context = JSONField(null=True)
    error = peewee.TextField(null=True)
    sent_at = InstantField(null=True)


class ReviewItem(BaseModel):
    case = peewee.ForeignKeyField(Case, null=True, on_delete="CASCADE")
    message = peewee.ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")
    reason = peewee.TextField()
    detail = JSONField(null=True)
    created_at = InstantField()
    resolved_at = InstantField(null=True)
    resolution = peewee.TextField(null=True)


class DailyDigest(BaseModel):
    """The team's daily digest: one a day, mailed through the outbox like a letter."""

    day = peewee.DateField(unique=True)
    text = peewee.TextField()
    state = peewee.CharField(index=True, default=LetterState.PENDING)
    message_id = peewee.CharField(unique=True)
    created_at = InstantField()
    sent_at = InstantField(null=True)
    error = peewee.TextField(null=True)


class MailboxState(BaseModel):
    """A mailbox backend's token between runs (EWS sync state, Graph delta link)."""

    mailbox = peewee.CharField()
    key = peewee.CharField()
    value = peewee.TextField()
    updated_at = InstantField()

    class Meta:
        indexes = ((("mailbox", "key"), True),)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    InboundMessage,
    Document,
    Child,
    ChildAddress,
    Contact,
    Case,
    CaseContact,
    Event,
    Deadline,
    Letter,
    ReviewItem,
    DailyDigest,
    MailboxState,
)

"""The first schema: the intake ledger and the case register.

A frozen copy of the models as they were; later changes are new numbered files.
"""

# Generated from a schema diff on 2026-11-29 06:08.
from peewee import *
from register.fields import InstantField
from register.fields import JSONField


def up(migrator, db):
    class Child(Model):
        upn = CharField(index=True, null=True)
        surname = CharField()
        forenames = CharField()
        dob = DateField(null=True)
        gender = CharField(null=True)
        created_at = InstantField()

        class Meta:
            database = db
            table_name = "child"
            indexes = ((("surname", "dob"), False),)

    db.create_tables([Child])

    class Contact(Model):
        role = CharField(index=True)
        name = CharField(null=True)
        organisation = CharField(null=True)
        email = CharField(index=True, null=True)
        phone = CharField(null=True)
        laestab = CharField(index=True, null=True)
        urn = CharField(null=True)
        created_at = InstantField()

        class Meta:
            database = db
            table_name = "contact"

    db.create_tables([Contact])

    class InboundMessage(Model):
        mailbox = CharField()
        uid = CharField()
        message_id = CharField(index=True, null=True)
        sha256 = CharField(unique=True)
        size = BigIntegerField()
        archive_path = CharField()
        sender = CharField(null=True)
        subject = TextField(null=True)
        received_at = InstantField()
        taken_at = InstantField()
        status = CharField(index=True, default="received")
        error = TextField(null=True)
        warnings = JSONField(null=True)
        attempts = IntegerField(default=0)
        updated_at = InstantField()
        kind = CharField(null=True)
        fields = JSONField(null=True)
        needs_review = JSONField(null=True)

        class Meta:
            database = db
            table_name = "inbound_message"
            indexes = ((("mailbox", "uid"), True),)

    db.create_tables([InboundMessage])

    class Case(Model):
        reference = CharField(unique=True)
        kind = CharField(index=True)
        status = CharField(index=True, default="open")
        state = CharField(default="new")
        child = ForeignKeyField(Child, null=True, on_delete="RESTRICT")
        school = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
        lead_professional = ForeignKeyField(Contact, null=True, on_delete="SET NULL")
        opened = DateField()
        closed = DateField(null=True)
        close_reason = TextField(null=True)
        source = ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "case"

    db.create_tables([Case])

    class ChildAddress(Model):
        child = ForeignKeyField(Child, on_delete="CASCADE")
        address = TextField()
        postcode = CharField(null=True)
        recorded_at = InstantField()
        source = ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "child_address"

    db.create_tables([ChildAddress])

    class Deadline(Model):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        purpose = CharField()
        due = DateField()
        due_at = InstantField()
        state = CharField(default="open")
        created_at = InstantField()
        closed_at = InstantField(null=True)

        class Meta:
            database = db
            table_name = "deadline"
            indexes = ((("state", "due_at"), False), (("case", "purpose", "state"), False))

    db.create_tables([Deadline])

    class Document(Model):
        message = ForeignKeyField(InboundMessage, on_delete="CASCADE")
        position = IntegerField()
        part = CharField()
        filename = CharField(null=True)
        declared_type = CharField(null=True)
        sniffed_type = CharField(null=True)
        size = BigIntegerField()
        sha256 = CharField(null=True)
        stored = BooleanField(default=False)
        warning = TextField(null=True)
        kind = CharField(null=True)
        template = CharField(null=True)
        confidence = FloatField(null=True)
        fields = JSONField(null=True)
        text = TextField(null=True)

        class Meta:
            database = db
            table_name = "document"
            indexes = ((("message", "position"), True),)

    db.create_tables([Document])

    class Event(Model):
        case = ForeignKeyField(Case, null=True, on_delete="CASCADE")
        message = ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")
        kind = CharField(index=True)
        at = InstantField(index=True)
        actor = CharField(default="cme")
        detail = JSONField(null=True)

        class Meta:
            database = db
            table_name = "event"

    db.create_tables([Event])

    class Letter(Model):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        template = CharField()
        recipients = JSONField()
        path = CharField()
        created_at = InstantField()
        deadline = ForeignKeyField(Deadline, null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "letter"

    db.create_tables([Letter])

    class ReviewItem(Model):
        case = ForeignKeyField(Case, null=True, on_delete="CASCADE")
        message = ForeignKeyField(InboundMessage, null=True, on_delete="SET NULL")
        reason = TextField()
        detail = JSONField(null=True)
        created_at = InstantField()
        resolved_at = InstantField(null=True)
        resolution = TextField(null=True)

        class Meta:
            database = db
            table_name = "review_item"

    db.create_tables([ReviewItem])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("review_item"))
    migrator.migrate(migrator.drop_table("letter"))
    migrator.migrate(migrator.drop_table("event"))
    migrator.migrate(migrator.drop_table("document"))
    migrator.migrate(migrator.drop_table("deadline"))
    migrator.migrate(migrator.drop_table("child_address"))
    migrator.migrate(migrator.drop_table("case"))
    migrator.migrate(migrator.drop_table("inbound_message"))
    migrator.migrate(migrator.drop_table("contact"))
    migrator.migrate(migrator.drop_table("child"))

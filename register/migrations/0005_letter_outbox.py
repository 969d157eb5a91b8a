"""The transactional outbox: a letter is recorded pending and mailed after the commit.

``letter`` gains its state (pending / sent / held / failed), its own stable
Message-ID, the message that caused it (``source_id``), the context it is
rendered with, the reason it failed and when it was mailed. The daily digest
moves from an event to its own row (``daily_digest``, one per day), so that it
leaves through the same outbox.

Letters written before this migration were rendered and mailed inside the
transaction that recorded them: they are ``sent`` (mailing them again after an
upgrade would repeat them), and each gets a Message-ID of the new form. So do
the digests recorded as events.
"""

import json
import secrets

from peewee import *

from register.fields import InstantField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("letter", "state", CharField(default="sent")),
        migrator.add_column("letter", "message_id", CharField(null=True)),
        migrator.add_column("letter", "source_id", IntegerField(null=True)),
        migrator.add_column("letter", "context", TextField(null=True)),
        migrator.add_column("letter", "error", TextField(null=True)),
        migrator.add_column("letter", "sent_at", InstantField(null=True)),
    )

    class Letter(Model):
        message_id = CharField(null=True)

        class Meta:
            database = db
            table_name = "letter"

    for row in Letter.select(Letter.id).tuples():
        (Letter.update(message_id=f"<letter-{row[0]}.{secrets.token_hex(8)}@cme>")
         .where(Letter.id == row[0]).execute())
    migrator.migrate(
        migrator.add_index("letter", ("state",), False),
        migrator.add_index("letter", ("message_id",), True),
        migrator.add_index("letter", ("source_id",), False),
    )

    class DailyDigest(Model):
        day = DateField(unique=True)
        text = TextField()
        state = CharField(default="pending", index=True)
        message_id = CharField(unique=True)
        created_at = InstantField()
        sent_at = InstantField(null=True)
        error = TextField(null=True)

        class Meta:
            database = db
            table_name = "daily_digest"

    db.create_tables([DailyDigest])

    class Event(Model):
        case_id = IntegerField(null=True)
        kind = CharField()
        at = InstantField()
        detail = TextField(null=True)

        class Meta:
            database = db
            table_name = "event"

    seen = set()
    for event in Event.select().where((Event.kind == "digest") & Event.case_id.is_null()):
        detail = json.loads(event.detail or "{}")
        day = detail.get("date") or event.at.date().isoformat()
        if day in seen:
            continue
        seen.add(day)
        DailyDigest.create(day=day, text=detail.get("text", ""), state="sent",
                           message_id=f"<digest-{day}.{secrets.token_hex(8)}@cme>",
                           created_at=event.at, sent_at=event.at)


def down(migrator, db):
    migrator.migrate(migrator.drop_table("daily_digest"))
    migrator.migrate(
        migrator.drop_index("letter", "letter_source_id"),
        migrator.drop_index("letter", "letter_message_id"),
        migrator.drop_index("letter", "letter_state"),
    )
    migrator.migrate(
        *(migrator.drop_column("letter", name)
          for name in ("sent_at", "error", "context", "source_id", "message_id", "state")),
    )

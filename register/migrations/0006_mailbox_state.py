"""What a mailbox backend must remember between runs: the EWS sync state, the
Graph delta link. One row per (mailbox, key); the value is the server's opaque
token, replaced as the backend moves on.
"""

from peewee import *

from register.fields import InstantField


def up(migrator, db):
    class MailboxState(Model):
        mailbox = CharField()
        key = CharField()
        value = TextField()
        updated_at = InstantField()

        class Meta:
            database = db
            table_name = "mailbox_state"
            indexes = ((("mailbox", "key"), True),)

    db.create_tables([MailboxState])


def down(migrator, db):
    migrator.drop_table("mailbox_state")

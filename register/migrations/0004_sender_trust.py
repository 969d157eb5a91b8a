"""Who sent each message, and where each contact's address came from (issue 9).

``inbound_message`` gains the sender's domain, its trust level (authenticated,
known, unknown, failed) and what the Authentication-Results header said.
Messages taken in before this migration keep them empty: their headers were
never read, and a retry reads them again.

``contact`` gains ``email_source``: person, authenticated, sender or read.
Addresses already in the directory were read from messages without any
check, so they stay empty, which counts as ``read``: a proposal, never sent
to directly until a person confirms it or authenticated mail comes from it.
"""

from peewee import *

from register.fields import JSONField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("inbound_message", "sender_domain", CharField(null=True)),
        migrator.add_column("inbound_message", "trust", CharField(null=True)),
        migrator.add_column("inbound_message", "authentication", JSONField(null=True)),
        migrator.add_index("inbound_message", ("sender_domain",), False),
        migrator.add_column("contact", "email_source", CharField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("contact", "email_source"),
        migrator.drop_index("inbound_message", "inbound_message_sender_domain"),
        migrator.drop_column("inbound_message", "authentication"),
        migrator.drop_column("inbound_message", "trust"),
        migrator.drop_column("inbound_message", "sender_domain"),
    )

"""A message that failed for a transient reason (a full disk, a locked register)
is retried by the daemon: when (next_attempt_at) and from which status
(retry_from). A permanent failure leaves both empty.

Rows that failed before this migration, with an error that names a full or
read-only disk or a locked register, are made due for a retry at once: those
failures were never the message's fault. The ledger's error reads
"<status>: <error>", so the status to resume from is its first word.
"""

import operator
from functools import reduce

from peewee import *

from register.fields import InstantField

TRANSIENT_ERRORS = (
    "%No space left on device%",
    "%Disk quota exceeded%",
    "%Read-only file system%",
    "%Permission denied%",
    "%database is locked%",
)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("inbound_message", "next_attempt_at", InstantField(null=True)),
        migrator.add_column("inbound_message", "retry_from", CharField(null=True)),
    )

    class InboundMessage(Model):
        status = CharField()
        error = TextField(null=True)
        updated_at = InstantField()
        next_attempt_at = InstantField(null=True)
        retry_from = CharField(null=True)

        class Meta:
            database = db
            table_name = "inbound_message"

    transient = reduce(operator.or_, [InboundMessage.error ** p for p in TRANSIENT_ERRORS])
    for status in ("received", "parsed"):
        (InboundMessage
         .update(retry_from=status, next_attempt_at=InboundMessage.updated_at)
         .where((InboundMessage.status == "failed") & transient
                & InboundMessage.error.startswith(f"{status}: "))
         .execute())


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("inbound_message", "retry_from"),
        migrator.drop_column("inbound_message", "next_attempt_at"),
    )

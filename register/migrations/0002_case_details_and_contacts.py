"""Cases keep what the messages said (details) and who is involved (case_contact);
a deadline remembers the message that started its clock.

SQLite cannot add a foreign key to an existing table, so the new reference
columns are plain integers here; the models declare the relation.
"""

from peewee import *

from register.fields import JSONField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("case", "details", JSONField(null=True)),
        migrator.add_column("deadline", "message_id", IntegerField(null=True)),
        migrator.add_index("deadline", ("message_id",), False),
    )

    class CaseContact(Model):
        case_id = IntegerField()
        contact_id = IntegerField()
        role = CharField()

        class Meta:
            database = db
            table_name = "case_contact"
            indexes = ((("case_id", "role"), False), (("contact_id",), False))

    db.create_tables([CaseContact])

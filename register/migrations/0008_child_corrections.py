"""Corrections to children (issue 10): a child found to be another one is kept,
merged into it (``child.merged_into_id``), never deleted; and an event can be
about a child rather than a case (``event.child_id``: a correction, a merge),
so that a child's history holds what was done to its record.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("child", "merged_into_id", IntegerField(null=True)),
        migrator.add_column("event", "child_id", IntegerField(null=True)),
        migrator.add_index("event", ("child_id",), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("event", "event_child_id"),
        migrator.drop_column("event", "child_id"),
        migrator.drop_column("child", "merged_into_id"),
    )

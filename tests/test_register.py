import os
import stat
from pathlib import Path

import peewee
import pytest

from register.db import RegisterError, bind, db, migrate_to_latest, open_database, schema_version
from register.models import ALL_MODELS


def test_new_database_reaches_latest_schema(tmp_path: Path):
    database = bind(f"sqlite:///{tmp_path}/r.db")
    try:
        tables = set(database.get_tables())
        for model in ALL_MODELS:
            assert model._meta.table_name in tables
        latest = max(int(p.name[:4]) for p in Path("register/migrations").glob("[0-9]*.py"))
        assert schema_version(database) == latest
        assert migrate_to_latest(database) == []  # idempotent
    finally:
        database.close()
        db.initialize(None)


def test_older_database_is_brought_up_to_date(tmp_path: Path):
    from playhouse.migrations import Runner

    from register.db import MIGRATIONS_DIR

    database = open_database(f"sqlite:///{tmp_path}/old.db")
    database.connect()
    runner = Runner(database, str(MIGRATIONS_DIR))
    first = runner.migrations()[0].name
    runner.up(target=first)
    assert schema_version(database) == 1
    applied = migrate_to_latest(database)
    assert first not in applied
    assert schema_version(database) == max(m.idx for m in runner.migrations())
    database.close()


def test_sqlite_is_wal_and_private(tmp_path: Path):
    database = bind(f"sqlite:///{tmp_path}/private/r.db")
    try:
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
        mode = stat.S_IMODE(os.stat(tmp_path / "private/r.db").st_mode)
        assert mode == 0o600
        assert stat.S_IMODE(os.stat(tmp_path / "private").st_mode) == 0o700
    finally:
        database.close()
        db.initialize(None)


def test_unreachable_register_is_one_clear_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RegisterError, match="cannot create"):
        bind(f"sqlite:///{blocker}/r.db")
    with pytest.raises(RegisterError, match="unsupported"):
        open_database("mysql://x")


def test_postgres_url_builds_a_postgres_database():
    database = open_database("postgresql://cme@localhost:5432/cme")
    assert isinstance(database, peewee.PostgresqlDatabase)
    assert database.database == "cme"

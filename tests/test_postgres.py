"""The production register: migrations and exactly-once firing on a real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime

import peewee
import pytest

from cme.clock import as_london
from register.db import MIGRATIONS_DIR, bind, db, schema_version
from register.models import ALL_MODELS, Case, Child, Deadline
from tests.pgserver import PostgresServer, find
from workflows.clocks import start_of
from workflows.deadlines import fire_due

pytestmark = pytest.mark.skipif(find("initdb") is None, reason="PostgreSQL is not installed")


@pytest.fixture(scope="module")
def postgres_url():
    server = PostgresServer()
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def register(postgres_url):
    database = bind(postgres_url)
    yield database
    with database.atomic():
        for model in reversed(ALL_MODELS):
            model.delete().execute()
    database.close()
    db.initialize(None)


def test_migrations_reach_the_latest_schema(register):
    assert isinstance(register, peewee.PostgresqlDatabase)
    tables = set(register.get_tables())
    assert {m._meta.table_name for m in ALL_MODELS} <= tables
    latest = max(int(p.name[:4]) for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert schema_version(register) == latest


def test_due_deadlines_fire_exactly_once_with_two_daemons(register, postgres_url):
    at = as_london(datetime(2026, 2, 9, 10, 0))
    child = Child.create(surname="Testwood", forenames="Ava", created_at=at)
    case = Case.create(reference="CME-2026-00001", kind="cme_notification", child=child,
                       opened=date(2026, 2, 9))
    for n in range(60):
        Deadline.create(case=case, purpose=f"p{n}", due=date(2026, 3, 2),
                        due_at=start_of(date(2026, 3, 2)), created_at=at)
    fired: list[int] = []
    lock = threading.Lock()

    def daemon() -> None:
        # peewee keeps one connection per thread: each thread is a daemon with
        # its own connection, as two processes would be.
        def on_due(deadline, now):
            with lock:
                fired.append(deadline.id)

        fire_due(as_london(datetime(2026, 3, 2, 8, 0)), on_due)
        register.close()

    threads = [threading.Thread(target=daemon) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(fired) == sorted(set(fired)) and len(fired) == 60
    assert Deadline.select().where(Deadline.state == "fired").count() == 60

"""The database proxy, bound late from configuration.

Models declare ``database = db``; the daemon, the CLI and the tests call
``bind(url)`` once. SQLite runs in WAL mode with full fsync on commit: the intake
ledger acknowledges mail only after a commit, so a commit must survive power loss.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee
from playhouse.migrations import Runner

from cme.private import private_folder

db = peewee.DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: a commit is on disk before the mail is acknowledged
    "foreign_keys": 1,
    "busy_timeout": 10_000,
}


class RegisterError(Exception):
    """The register cannot be reached or used."""


def open_database(url: str) -> peewee.Database:
    """A peewee Database for ``url`` (``sqlite:///path`` or ``postgresql://...``)."""
    if url.startswith("sqlite:///"):
        # sqlite:///relative/path or sqlite:////absolute/path
        return _sqlite(Path(unquote(url[len("sqlite:///") :])))
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise RegisterError(
                "PostgreSQL needs psycopg: install cme with the 'postgres' extra"
            ) from None
        return peewee.PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=_postgres_password(parsed.password),
            host=parsed.hostname or None,
            port=parsed.port,
        )
    raise RegisterError(f"unsupported register url scheme {parsed.scheme!r}")


def _postgres_password(in_url: str | None) -> str | None:
    # Secrets come from the environment, never from the committed config.
    return unquote(in_url) if in_url else os.environ.get("CME_REGISTER_PASSWORD") or None


def _sqlite(path: Path) -> peewee.SqliteDatabase:
    try:
        private_folder(path.parent)
        if not path.exists():
            # Create the file private before SQLite opens it with the umask's mode.
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    except OSError as exc:
        raise RegisterError(f"cannot create the register at {path}: {exc.strerror}") from None
    return peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS)


def bind(url: str, *, migrate: bool = True) -> peewee.Database:
    """Open the register at ``url``, bind the proxy and bring the schema up to date."""
    database = open_database(url)
    try:
        database.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        raise RegisterError(f"cannot open the register: {exc}".strip()) from None
    db.initialize(database)
    if migrate:
        migrate_to_latest(database)
    return database


def migrate_to_latest(database: peewee.Database) -> list[str]:
    """Apply every pending numbered migration; return the names applied."""
    try:
        return Runner(database, str(MIGRATIONS_DIR)).up()
    except peewee.PeeweeException as exc:
        raise RegisterError(f"migrating the register failed: {exc}") from exc


def schema_version(database: peewee.Database) -> int:
    """The highest migration number applied (0 for an empty database)."""
    applied = Runner(database, str(MIGRATIONS_DIR)).applied()
    return max((int(name.split("_", 1)[0]) for name in applied), default=0)


def migration_status(database: peewee.Database) -> tuple[list[str], list[str]]:
    """(pending, unknown): migrations not yet applied, and applied ones this code lacks.

    An unknown migration means the register was written by a newer ``cme``.
    """
    status = Runner(database, str(MIGRATIONS_DIR)).status()
    pending = [m.name for m in status if m.path is not None and not m.applied]
    unknown = [m.name for m in status if m.path is None]
    return pending, unknown

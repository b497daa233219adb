"""Run the Alembic migrations programmatically (no alembic.ini needed).

Concurrent upgrades (several workers starting at once) are serialised: a PostgreSQL
advisory lock, or an exclusive lock file beside an SQLite database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from storage.db import is_sqlite, make_engine

SCRIPT_LOCATION = str(Path(__file__).resolve().parent / "migrations")
LOCK_KEY = 0x6D6F6F6C  # "mool": the advisory lock id for migrations


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


@contextlib.contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(url_or_engine: str | Engine | None = None, revision: str = "head") -> None:
    """Upgrade the database at `url_or_engine` (default: `MOO_DATABASE_URL`) to `revision`."""
    engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
    config = alembic_config(engine)
    try:
        if is_sqlite(engine):
            with _sqlite_lock(engine), engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        else:
            with engine.begin() as connection:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
    finally:
        if engine is not url_or_engine:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

"""Engine, session helper and the database clock.

All timestamps are naive UTC taken from the database clock (never the worker's clock), so
heartbeats and staleness agree across machines.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, literal_column
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

DEFAULT_URL = "sqlite:///data/moolab.db"
ENV_VAR = "MOO_DATABASE_URL"


def database_url(url: str | None = None) -> str:
    """The explicit URL, else `MOO_DATABASE_URL`, else an SQLite file under ./data/."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for `url`; SQLite files get WAL, busy_timeout=5000, synchronous=NORMAL and
    foreign keys on every connection (and their folder is created)."""
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_sqlite(engine_or_dialect) -> bool:
    dialect = getattr(engine_or_dialect, "dialect", engine_or_dialect)
    return dialect.name == "sqlite"


def db_now(engine: Engine) -> ColumnElement:
    """The database clock as naive UTC (millisecond text on SQLite, timestamp on PostgreSQL)."""
    if is_sqlite(engine):
        return func.strftime("%Y-%m-%d %H:%M:%f", "now")
    return func.timezone("UTC", func.clock_timestamp())


def seconds_since(engine: Engine, column) -> ColumnElement:
    """Seconds from `column` to the database clock, computed by the database."""
    if is_sqlite(engine):
        return (func.julianday("now") - func.julianday(column)) * literal_column("86400.0")
    return func.extract("epoch", func.timezone("UTC", func.clock_timestamp()) - column)

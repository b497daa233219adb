"""Whether the database takes a write now, asked without waiting: for the pages.

While another connection holds the write lock nothing the worker knows can reach the pages
through the database, so a page asks the database itself: `locked` says a writer would wait
now, and the run's heartbeat (the worker's last write) says for how long. `problem` says why
the database cannot take writes at all (read-only, a vanished SQLite file): a page shows it
while reads still work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from storage.db import is_sqlite
from storage.errors import TRANSIENT, UNUSABLE, classify, reason, vanished

BUSY_TIMEOUT_MS = 5000  # storage.db.make_engine's, restored after a probe


@dataclass(frozen=True)
class Health:
    locked: bool = False  # another connection holds the write lock: writers wait
    problem: str | None = None  # why no write can succeed (one line), None when one can
    reads: bool = True  # whether reads still work (read-only: yes; corrupt, vanished: no)


def health(engine: Engine) -> Health:
    """Probe the database once (a write transaction that changes nothing, rolled back)."""
    if why := vanished(engine.url):
        return Health(problem=why, reads=False)
    try:
        with engine.connect() as connection:
            if not is_sqlite(engine):  # a read behind an ACCESS EXCLUSIVE lock would wait
                connection.execute(text("SET LOCAL lock_timeout = '500ms'"))
            connection.execute(text("SELECT count(*) FROM runs"))
    except Exception as error:
        return _failed(error, reads=False)
    try:
        return _sqlite(engine) if is_sqlite(engine) else _postgres(engine)
    except Exception as error:
        return _failed(error, reads=True)


def _failed(error: Exception, reads: bool) -> Health:
    kind = classify(error)
    if kind == TRANSIENT:
        return Health(locked=True)
    if kind == UNUSABLE:
        return Health(problem=reason(error), reads=reads)
    raise error


def _sqlite(engine: Engine) -> Health:
    with engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("BEGIN IMMEDIATE")  # the write lock, if no one holds it
            try:
                cursor.execute("DELETE FROM workers WHERE 0")  # a write: read-only says so
            finally:
                cursor.execute("ROLLBACK")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.close()
    return Health()


def _postgres(engine: Engine) -> Health:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    with engine.connect() as connection:
        if connection.execute(text("SHOW transaction_read_only")).scalar() == "on":
            return Health(problem="the database server is read-only")
        return Health(locked=connection.execute(waiting).scalar_one() > 0)

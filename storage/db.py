"""Engine, session helper, the database clock, and retries of writes past a busy lock.

All timestamps are naive UTC taken from the database clock (never the worker's clock), so
heartbeats and staleness agree across machines.
"""

from __future__ import annotations

import functools
import math
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, func, literal_column
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.errors import is_transient  # decides what a retry can wait out

DEFAULT_URL = "sqlite:///data/moolab.db"
ENV_VAR = "MOO_DATABASE_URL"
P, T = ParamSpec("P"), TypeVar("T")


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


RETRY_ENV = "MOO_DB_RETRY_SECONDS"
DEFAULT_RETRY_SECONDS = 60.0
_FIRST_DELAY, _MAX_DELAY = 0.05, 2.0
_retrying = threading.local()  # set while a retrying call runs: nested ones do not retry again


def retry_seconds() -> float:
    """How long a write keeps retrying a transient error (`MOO_DB_RETRY_SECONDS`, default 60).
    A worker's own writes wait for longer (worker/writer.py): a lock never fails a run."""
    try:
        value = float(os.environ.get(RETRY_ENV, DEFAULT_RETRY_SECONDS))
    except ValueError:
        return DEFAULT_RETRY_SECONDS
    return max(0.0, value) if math.isfinite(value) else DEFAULT_RETRY_SECONDS


def retrying(function: Callable[P, T]) -> Callable[P, T]:
    """Run `function` again, after a capped exponential back-off (50 ms doubling to 2 s, with
    jitter), while it fails with a transient error, for at most `retry_seconds()`; then the
    error is raised. Only for writes that are safe to repeat (compare-and-set updates, a
    metrics chunk that replaces its own steps): a failed transaction was rolled back whole."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        if getattr(_retrying, "active", False):
            return function(*args, **kwargs)  # the outermost call retries the whole of it
        deadline = time.monotonic() + retry_seconds()
        delay = _FIRST_DELAY
        _retrying.active = True
        try:
            while True:
                try:
                    return function(*args, **kwargs)
                except DBAPIError as error:
                    pause = delay * random.uniform(0.5, 1.0)
                    if not is_transient(error) or time.monotonic() + pause > deadline:
                        raise
                    time.sleep(pause)
                    delay = min(delay * 2, _MAX_DELAY)
        finally:
            _retrying.active = False

    return wrapper

"""Run the Alembic migrations programmatically (no alembic.ini needed).

Concurrent upgrades (several workers starting at once) are serialised: a PostgreSQL
advisory lock, or an exclusive lock file beside an SQLite database.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from storage.db import is_sqlite, make_engine

SCRIPT_LOCATION = str(Path(__file__).resolve().parent / "migrations")
LOCK_KEY = 0x6D6F6F6C  # "mool": the advisory lock id for migrations


def script_head() -> str:
    """The newest revision in migrations/versions, read from the files (the one no other
    revision names as its down_revision) — without importing Alembic."""
    revisions, parents = set(), set()
    for path in (Path(SCRIPT_LOCATION) / "versions").glob("*.py"):
        source = path.read_text()
        revision = re.search(r'^revision = "([^"]+)"', source, re.M)
        parent = re.search(r'^down_revision = "([^"]+)"', source, re.M)
        if revision:
            revisions.add(revision.group(1))
        if parent:
            parents.add(parent.group(1))
    (head,) = revisions - parents
    return head


def at_head(engine: Engine) -> bool:
    """True when the database already carries the newest revision (one cheap query)."""
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return [row[0] for row in stored] == [script_head()]


def alembic_config(engine: Engine):
    from alembic.config import Config  # Alembic loads only when there is something to do

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
    """Upgrade the database at `url_or_engine` (default: `MOO_DATABASE_URL`) to `revision`.
    A database already at the head is left alone without loading Alembic (every CLI call
    upgrades first)."""
    engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
    if revision == "head" and at_head(engine):
        if engine is not url_or_engine:
            engine.dispose()
        return
    from alembic import command

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
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

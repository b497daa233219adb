"""What a database error means to the lab, in one place: wait, stop, or neither.

- **transient**: a lock or a lost connection (SQLite's "database is locked" once its busy
  timeout has run out; a PostgreSQL serialization failure, deadlock, restart or dropped
  connection). It passes: writes wait for it.
- **unusable**: the database cannot be used as it is, and waiting alone will not change that
  soon: a corrupt file, a read-only or vanished one, a full disk, a dropped PostgreSQL
  database or a refused login. Commands say so in one line and exit 2; pages show one
  message; a worker stops claiming work.
- anything else is not the database's doing (a bug, a config the engine refuses): the run
  that raised it fails with one line.

`reason` turns any of them into that one line: the driver's own words, without the SQL
statement, its parameters or SQLAlchemy's "Background on this error" link."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError, OperationalError

TRANSIENT, UNUSABLE, OTHER = "transient", "unusable", "other"

# SQLSTATE classes worth another try on PostgreSQL: connection exception, transaction rollback
# (serialization failure, deadlock), operator intervention (a restart), lock not available.
_TRANSIENT_SQLSTATES = ("08", "40", "57", "55P03")
# SQLSTATEs no retry fixes soon: a full disk, a read-only server, a dropped database, a refused
# login, corrupt data or index, an I/O error.
_UNUSABLE_SQLSTATES = ("53100", "25006", "3D000", "28", "XX001", "XX002", "58030")
_TRANSIENT_WORDS = ("locked", "busy", "connection", "server closed", "timeout", "timed out")
_SQLITE_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED")
_SQLITE_UNUSABLE = (
    "SQLITE_NOTADB",
    "SQLITE_CORRUPT",
    "SQLITE_READONLY",
    "SQLITE_CANTOPEN",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_PERM",
)
_UNUSABLE_WORDS = (
    "file is not a database",
    "malformed",
    "readonly database",
    "read-only",
    "unable to open database file",
    "disk is full",
    "disk i/o error",
    "no space left",
    "does not exist",  # PostgreSQL: database "x" does not exist
    "authentication failed",
)


class DatabaseUnusable(Exception):
    """The database cannot be used as it is; the message is one line saying why."""


def _driver(error: BaseException) -> BaseException:
    return getattr(error, "orig", None) or error


def classify(error: BaseException) -> str:
    """TRANSIENT, UNUSABLE or OTHER (see the module's docstring)."""
    if isinstance(error, DatabaseUnusable):
        return UNUSABLE
    orig = _driver(error)
    if not isinstance(error, DBAPIError | sqlite3.Error) and not _is_psycopg(orig):
        return OTHER
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    if name.startswith(_SQLITE_TRANSIENT):
        return TRANSIENT
    if name.startswith(_SQLITE_UNUSABLE):
        return UNUSABLE
    code = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    if code:
        if code.startswith(_UNUSABLE_SQLSTATES):
            return UNUSABLE
        return TRANSIENT if code.startswith(_TRANSIENT_SQLSTATES) else OTHER
    message = str(orig).lower()
    if any(words in message for words in _UNUSABLE_WORDS):
        return UNUSABLE
    if getattr(error, "connection_invalidated", False):
        return TRANSIENT
    is_operational = isinstance(error, OperationalError | sqlite3.OperationalError)
    if is_operational and any(word in message for word in _TRANSIENT_WORDS):
        return TRANSIENT
    if _is_psycopg(orig) and "connection" in message:  # failed to connect: a restart, maybe
        return TRANSIENT
    return OTHER


def _is_psycopg(error: BaseException) -> bool:
    return type(error).__module__.startswith(("psycopg", "psycopg2"))


def is_transient(error: BaseException) -> bool:
    """A lock or connection error that may pass."""
    return classify(error) == TRANSIENT


def is_database_error(error: BaseException) -> bool:
    """Raised by the database or its driver (as opposed to by the lab's own code)."""
    return classify(error) != OTHER or isinstance(error, DBAPIError | sqlite3.Error)


def reason(error: BaseException) -> str:
    """The error in one line: the driver's words (no SQL, parameters or links), ≤ 300 chars."""
    orig = _driver(error)
    text = " ".join(str(orig).split()) or type(orig).__name__
    for cut in (" [SQL:", " (Background on this error"):
        text = text.split(cut)[0]
    return text[:300]


def where(url) -> str:
    """The database as a user names it: an SQLite file's path, else the URL without password."""
    try:
        if url.get_backend_name() == "sqlite":
            return (url.database or "(memory)").removeprefix("file:")
        return url.render_as_string(hide_password=True)
    except AttributeError:
        return str(url)


def describe(error: BaseException, url=None) -> str:
    """One line for a person: what is wrong with which database."""
    place = f" {where(url)}" if url is not None else ""
    if isinstance(error, DatabaseUnusable):
        return f"the database{place} is unusable: {error}"
    kind = classify(error)
    if kind == UNUSABLE:
        return f"the database{place} is unusable: {reason(error)}"
    if kind == TRANSIENT:
        return f"the database{place} is busy or unreachable: {reason(error)}"
    return f"the database{place} failed: {reason(error)}"


def vanished(url) -> str | None:
    """Why an SQLite database file is gone (None when it is there, or not an SQLite file)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if not Path(database).is_file():
        return f"the database file {database} has vanished (deleted or moved)"
    return None


def inode(url) -> tuple[int, int] | None:
    """(device, inode) of an SQLite file, to notice it being replaced; None otherwise."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    try:
        stat = os.stat(url.database)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def check_file(url, known: tuple[int, int] | None) -> None:
    """DatabaseUnusable when the SQLite file of `url` has vanished, or is no longer the file
    `known` (its inode when opened). SQLite itself goes on writing into a deleted file."""
    if known is None:
        return
    if why := vanished(url):
        raise DatabaseUnusable(why)
    if inode(url) != known:
        raise DatabaseUnusable(f"the database file {url.database} was replaced by another file")

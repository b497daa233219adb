"""storage.errors sorts real failures of a real SQLite database: a lock is transient; a corrupt,
read-only, full or vanished database is unusable; a bug is neither. Each is one line."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

import storage
from moo_core.config import make_run_config
from storage.errors import (
    OTHER,
    TRANSIENT,
    UNUSABLE,
    DatabaseUnusable,
    check_file,
    classify,
    describe,
    inode,
    reason,
)


def raised(call) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


@pytest.fixture
def engine(tmp_path):
    engine = storage.make_engine(f"sqlite:///{tmp_path}/lab.db")
    storage.upgrade(engine)
    yield engine
    engine.dispose()


def submit(engine) -> int:
    return storage.submit_run(engine, make_run_config("concave", "mdmm", steps=10))


def test_a_corrupt_file_is_unusable_in_one_line(tmp_path):
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not SQLite\n" * 300)
    error = raised(lambda: storage.upgrade(storage.make_engine(f"sqlite:///{path}")))
    assert classify(error) == UNUSABLE
    line = describe(error, make_url(f"sqlite:///{path}"))
    assert line == f"the database {path} is unusable: file is not a database", line


def test_a_read_only_database_is_unusable_for_writes_and_fine_for_reads(engine, tmp_path):
    run_id = submit(engine)
    readonly = storage.make_engine(f"sqlite:///file:{tmp_path}/lab.db?mode=ro&uri=true")
    assert storage.get_run(readonly, run_id).status == "queued"
    error = raised(lambda: submit(readonly))
    assert classify(error) == UNUSABLE
    assert reason(error) == "attempt to write a readonly database"
    readonly.dispose()


def test_a_full_database_is_unusable(engine):
    def no_page_beyond_those_it_has(connection, _record):  # SQLite's own "disk is full"
        cursor = connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    event.listen(engine, "connect", no_page_beyond_those_it_has)
    engine.dispose()
    error = raised(lambda: [submit(engine) for _ in range(2000)])
    assert classify(error) == UNUSABLE
    assert reason(error) == "database or disk is full"


def test_a_lock_is_transient(engine, tmp_path):
    held, release = threading.Event(), threading.Event()

    def hold():
        connection = sqlite3.connect(tmp_path / "lab.db", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        held.set()
        release.wait(30)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout = 10")
            error = raised(lambda: connection.execute(text("DELETE FROM runs")))
    finally:
        release.set()
        thread.join()
    assert classify(error) == TRANSIENT
    assert reason(error) == "database is locked"


def test_a_bug_is_neither(engine):
    with engine.connect() as connection:
        error = raised(lambda: connection.execute(text("SELECT * FROM no_such_table")))
    assert classify(error) == OTHER
    assert classify(ValueError("database is locked")) == OTHER
    assert "[SQL:" not in reason(error) and "sqlalche.me" not in reason(error)


def test_a_vanished_or_replaced_file_is_noticed(engine, tmp_path):
    known = inode(engine.url)
    check_file(engine.url, known)  # there: nothing to say
    (tmp_path / "lab.db").rename(tmp_path / "moved.db")
    with pytest.raises(DatabaseUnusable, match="has vanished"):
        check_file(engine.url, known)
    (tmp_path / "lab.db").write_bytes(b"")
    with pytest.raises(DatabaseUnusable, match="replaced"):
        check_file(engine.url, known)

"""storage.health on both backends: a held write lock is seen without waiting, a read-only
database is a problem with reads still working, and a healthy one is neither."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

import storage
from moo_core import make_run_config
from storage.health import Health, health


def test_a_healthy_database_is_neither_locked_nor_a_problem(engine):
    assert health(engine) == Health()


def test_a_held_write_lock_is_seen_at_once(engine, db_url):
    run_id = storage.submit_run(engine, make_run_config("concave", "mdmm", steps=10))
    holder = engine.connect()
    blocked = threading.Thread(target=lambda: storage.request_cancel(engine, run_id))
    if db_url.startswith("sqlite"):
        holder.exec_driver_sql("BEGIN EXCLUSIVE")
    else:  # a writer waits behind a table lock
        holder.execute(text("LOCK TABLE runs IN EXCLUSIVE MODE"))  # writes wait, reads not
        blocked.start()
        time.sleep(0.5)
    try:
        began = time.monotonic()
        seen = health(engine)
        assert time.monotonic() - began < 2.0  # asked without waiting for the lock
        assert seen.locked and seen.problem is None
    finally:
        holder.rollback() if not db_url.startswith("sqlite") else holder.exec_driver_sql("ROLLBACK")
        holder.close()
        if blocked.is_alive() or blocked.ident:
            blocked.join(30)
    assert health(engine) == Health()


def test_a_read_only_database_is_a_problem_that_still_reads(engine, db_url, tmp_path):
    if db_url.startswith("sqlite"):
        readonly = storage.make_engine(f"sqlite:///file:{engine.url.database}?mode=ro&uri=true")
    else:
        name = engine.url.database
        with engine.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            )
            connection.commit()
        readonly = storage.make_engine(db_url)
    seen = health(readonly)
    assert seen.reads and seen.problem in (
        "attempt to write a readonly database",
        "the database server is read-only",
    )
    readonly.dispose()

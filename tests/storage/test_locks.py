"""Locks never kill work: writes retry past SQLite's busy timeout, and deletes go in batches
short enough that no other writer waits on them for long."""

from __future__ import annotations

import sqlite3
import threading
import time

import numpy as np
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

import storage
from moo_core.config import make_run_config
from storage.db import is_transient, retrying
from storage.models import Metric, SweepPoint

COLUMNS = ("f", "g", "lambda", "violation", "grad_cos")


def chunk(n: int) -> dict[str, np.ndarray]:
    return {name: np.arange(n, dtype=float) for name in COLUMNS}


def stored_run(engine, steps: int, chunk_size: int = 100_000) -> int:
    run_id = storage.submit_run(engine, make_run_config("convex", "mdmm", steps=steps))
    for start in range(0, steps, chunk_size):
        storage.append_metrics(engine, run_id, start, chunk(min(chunk_size, steps - start)))
    return run_id


def steps_of(engine, run_id: int) -> list[int]:
    return storage.get_metrics(engine, run_id)["step"].tolist()


def error(message: str, sqlstate: str | None = None) -> OperationalError:
    class Driver(Exception):
        pass

    orig = Driver(message)
    orig.sqlstate = sqlstate
    return OperationalError("UPDATE runs …", {}, orig)


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = storage.make_engine(f"sqlite:///{tmp_path}/locks.db")
    storage.upgrade(engine)
    yield engine
    engine.dispose()


def hold_exclusive_lock(path, seconds: float, held: threading.Event) -> threading.Thread:
    """Another connection holds SQLite's write lock for `seconds` (BEGIN EXCLUSIVE)."""

    def hold():
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        held.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(10)
    return thread


def test_transient_errors_are_told_apart():
    assert is_transient(error("database is locked"))
    assert is_transient(error("database table is locked"))
    assert is_transient(error("could not serialize access", "40001"))
    assert is_transient(error("deadlock detected", "40P01"))
    assert is_transient(error("terminating connection due to administrator command", "57P01"))
    assert is_transient(error("server closed the connection unexpectedly"))
    assert not is_transient(error("no such table: runs"))
    assert not is_transient(error("division by zero", "22012"))
    assert not is_transient(ProgrammingError("SELECT", {}, Exception("syntax error")))
    assert not is_transient(ValueError("database is locked"))


def test_retrying_repeats_until_the_lock_passes(monkeypatch):
    monkeypatch.setenv("MOO_DB_RETRY_SECONDS", "10")
    calls = []

    @retrying
    def write():
        calls.append(time.monotonic())
        if len(calls) < 4:
            raise error("database is locked")
        return "stored"

    assert write() == "stored"
    assert len(calls) == 4
    gaps = np.diff(calls)
    assert gaps[-1] > gaps[0]  # backing off


def test_retrying_gives_up_after_its_budget_and_never_on_other_errors(monkeypatch):
    monkeypatch.setenv("MOO_DB_RETRY_SECONDS", "0.5")
    calls = []

    @retrying
    def locked():
        calls.append(1)
        raise error("database is locked")

    start = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        locked()
    assert 0.2 < time.monotonic() - start < 3 and len(calls) > 2

    calls.clear()

    @retrying
    def broken():
        calls.append(1)
        raise error("no such table: runs")

    with pytest.raises(OperationalError, match="no such table"):
        broken()
    assert len(calls) == 1


def test_nested_retrying_calls_retry_once_as_a_whole(monkeypatch):
    monkeypatch.setenv("MOO_DB_RETRY_SECONDS", "0.3")
    inner_calls = []

    @retrying
    def inner():
        inner_calls.append(1)
        raise error("database is locked")

    @retrying
    def outer():
        inner()

    with pytest.raises(OperationalError):
        outer()
    assert len(inner_calls) < 20  # not (outer tries) × (inner tries)


def test_writes_wait_out_a_lock_longer_than_the_busy_timeout(sqlite_engine, tmp_path):
    """BEGIN EXCLUSIVE from outside for 7 s (busy_timeout is 5 s): every write of a worker
    waits and succeeds, and a metrics chunk stored twice keeps one row a step."""
    engine = sqlite_engine
    run_id = storage.submit_run(engine, make_run_config("convex", "mdmm", steps=300))
    storage.register_worker(engine, "w1")
    assert storage.claim_next_run(engine, "w1").id == run_id
    storage.append_metrics(engine, run_id, 0, chunk(100))

    held = threading.Event()
    holder = hold_exclusive_lock(tmp_path / "locks.db", 7.0, held)
    start = time.monotonic()
    assert storage.append_metrics(engine, run_id, 100, chunk(100)) == 100
    waited = time.monotonic() - start
    assert storage.beat(engine, run_id, "w1", 0.5) is False
    storage.worker_beat(engine, "w1")
    storage.append_metrics(engine, run_id, 100, chunk(200))  # a retried chunk, overlapping
    assert storage.finish_run(engine, run_id, "completed")
    holder.join()
    assert waited > 5.0  # it did wait past the busy timeout
    assert steps_of(engine, run_id) == list(range(300))
    assert storage.get_run(engine, run_id).status == "completed"


def test_a_large_delete_goes_in_short_transactions(sqlite_engine, tmp_path):
    """300k metric rows: each DELETE removes at most a batch, and a writer of another run
    never waits long for the lock while the delete runs."""
    engine = sqlite_engine
    doomed = stored_run(engine, 300_000)
    kept = stored_run(engine, 1_000)
    deleted_counts = []

    @event.listens_for(engine, "after_cursor_execute")
    def count(_conn, cursor, statement, _params, _context, _many):
        if statement.lstrip().upper().startswith("DELETE FROM METRICS"):
            deleted_counts.append(cursor.rowcount)

    waits, done = [], threading.Event()

    def write_meanwhile():
        writer = sqlite3.connect(tmp_path / "locks.db", timeout=60, isolation_level=None)
        while not done.is_set():
            start = time.monotonic()
            writer.execute("UPDATE workers SET heartbeat = heartbeat")  # takes the write lock
            waits.append(time.monotonic() - start)
            time.sleep(0.002)

    thread = threading.Thread(target=write_meanwhile, daemon=True)
    thread.start()
    try:
        assert storage.delete_run(engine, doomed)
    finally:
        done.set()
        thread.join()
    assert storage.get_run(engine, doomed) is None
    assert sum(deleted_counts) == 300_000
    assert max(deleted_counts) <= storage.queries.DELETE_BATCH
    assert len(deleted_counts) >= 300_000 // storage.queries.DELETE_BATCH
    assert waits and max(waits) < 3.0
    assert steps_of(engine, kept) == list(range(1_000))


def test_an_interrupted_delete_leaves_the_first_steps(engine, monkeypatch):
    """On both backends: the steps go from the last one down, the run row last; deleting
    again after an interruption finishes the job."""
    run_id = stored_run(engine, 1_000)
    storage.store_sweep_points(engine, run_id, [{"value": 1.0, "f": 0.1, "g": 0.2}] * 30)
    from storage import queries

    batches = []
    real = queries._delete_batch.__wrapped__

    def interrupted(*args):
        if len(batches) == 3:
            raise KeyboardInterrupt
        batches.append(real(*args))
        return batches[-1]

    monkeypatch.setattr(queries, "_delete_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        storage.delete_run(engine, run_id, batch=100)
    assert batches == [100, 100, 100]
    assert steps_of(engine, run_id) == list(range(700))
    assert storage.get_run(engine, run_id) is not None
    monkeypatch.undo()
    assert storage.delete_run(engine, run_id, batch=7)
    assert storage.get_run(engine, run_id) is None
    with engine.connect() as connection:
        for table in (Metric, SweepPoint):
            assert connection.execute(select(func.count()).select_from(table)).scalar() == 0


def test_delete_experiment_in_batches(engine):
    experiment = storage.create_experiment(engine, "doomed", "comparison")
    other = stored_run(engine, 50)
    runs = [
        storage.submit_run(engine, make_run_config("convex", "mdmm", steps=500), experiment)
        for _ in range(3)
    ]
    for run_id in runs:
        storage.append_metrics(engine, run_id, 0, chunk(500))
    assert storage.delete_experiment(engine, experiment, batch=64)
    assert all(storage.get_run(engine, run_id) is None for run_id in runs)
    assert [e.id for e in storage.list_experiments(engine)] == []
    assert steps_of(engine, other) == list(range(50))
    assert not storage.delete_experiment(engine, experiment)

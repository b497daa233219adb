"""worker/writer.py: a job's steps are stored in order past a lock of any length, training
goes on meanwhile within a bounded buffer, and an unusable database stops the job."""

from __future__ import annotations

import re
import sqlite3
import threading
import time

import numpy as np
import pytest
from sqlalchemy import event

import storage
from moo_core.config import make_run_config
from storage.errors import DatabaseUnusable
from worker.writer import ChunkWriter

CHUNK = 100
NAMES = ("f", "g", "lambda", "violation", "grad_cos")


def chunk(start: int, n: int = CHUNK) -> dict[str, np.ndarray]:
    return {name: np.arange(start, start + n, dtype=float) for name in NAMES}


@pytest.fixture
def engine(tmp_path):
    engine = storage.make_engine(f"sqlite:///{tmp_path}/lab.db")
    storage.upgrade(engine)

    def short_busy_timeout(connection, _record):  # a lock shows as an error within 50 ms
        connection.execute("PRAGMA busy_timeout = 50")

    event.listen(engine, "connect", short_busy_timeout)
    engine.dispose()
    yield engine
    engine.dispose()


@pytest.fixture
def run_id(engine) -> int:
    return storage.submit_run(engine, make_run_config("concave", "mdmm", steps=10_000))


class Lock:
    """SQLite's write lock, held by another connection (BEGIN EXCLUSIVE) until released."""

    def __init__(self, engine):
        self.connection = sqlite3.connect(engine.url.database, isolation_level=None)
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.close()


def stored(engine, run_id: int) -> list[int]:
    return storage.get_metrics(engine, run_id)["step"].tolist()


def test_a_lock_pauses_the_writes_not_the_training_and_they_land_in_order(engine, run_id, capsys):
    writer = ChunkWriter(engine, f"run {run_id}")
    writer.put(run_id, 0, chunk(0))
    writer.flush()
    lock = Lock(engine)
    began = time.monotonic()
    for start in range(CHUNK, 30 * CHUNK, CHUNK):
        writer.put(run_id, start, chunk(start))  # returns at once: training goes on
    assert time.monotonic() - began < 2.0
    time.sleep(1.5)  # many attempts meanwhile, each refused by the lock
    assert stored(engine, run_id) == list(range(CHUNK))  # readers read (WAL); nothing new
    assert writer.waiting == 29 * CHUNK
    lock.release()
    writer.flush()
    writer.close()
    metrics = storage.get_metrics(engine, run_id)
    assert metrics["step"].tolist() == list(range(30 * CHUNK))
    assert metrics["f"].tolist() == [float(step) for step in range(30 * CHUNK)]
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 2, said  # one line when the wait starts, one when it ends: not per attempt
    assert said[0] == (
        f"run {run_id}: waiting for the database (database is locked); work is kept and goes on"
    )
    assert re.fullmatch(rf"run {run_id}: the database works again \(after \d+ s\)", said[1])


def test_the_buffer_is_bounded_training_waits_when_it_is_full(engine, run_id):
    per_chunk = chunk(0)["f"].nbytes * len(NAMES)
    writer = ChunkWriter(engine, "bounded", max_bytes=5 * per_chunk)
    lock = Lock(engine)
    done = threading.Event()

    def train():
        for start in range(0, 20 * CHUNK, CHUNK):
            writer.put(run_id, start, chunk(start))
        done.set()

    trainer = threading.Thread(target=train)
    trainer.start()
    time.sleep(1.0)
    assert not done.is_set()  # waiting in put: the buffer is full
    assert writer.waiting <= 6 * CHUNK  # the bound, plus the chunk being written
    lock.release()
    trainer.join(30)
    writer.flush()
    writer.close()
    assert stored(engine, run_id) == list(range(20 * CHUNK))


def test_an_unusable_database_stops_the_job_with_its_steps_kept(engine, run_id, tmp_path):
    writer = ChunkWriter(engine, "vanishing")
    writer.put(run_id, 0, chunk(0))
    writer.flush()
    (tmp_path / "lab.db").rename(tmp_path / "moved.db")  # SQLite would write on, unnoticed
    writer.put(run_id, CHUNK, chunk(CHUNK))
    with pytest.raises(DatabaseUnusable, match="has vanished"):
        writer.flush()
    with pytest.raises(DatabaseUnusable):
        writer.put(run_id, 2 * CHUNK, chunk(2 * CHUNK))
    writer.close()
    (tmp_path / "moved.db").rename(tmp_path / "lab.db")  # back beside its -wal file
    engine.dispose()
    assert stored(engine, run_id) == list(range(CHUNK))  # what was stored, and nothing more

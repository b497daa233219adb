"""A long lock from outside kills no work: SQLite's write lock held 10 s (BEGIN EXCLUSIVE, twice
the busy timeout) while one worker trains a run and another waits idle. The run completes
with every step stored, and both workers live on and serve the next run."""

from __future__ import annotations

import sqlite3
import subprocess
import time

import storage
from moo_core import make_run_config
from tests.worker import _helpers as helpers

STEPS = 20_000  # ~1,000 steps a chunk, a few seconds of training: mid-run when the lock starts
LOCK_SECONDS = 10.0


def start_worker(log) -> subprocess.Popen:
    return helpers.start_worker("--heartbeat", "0.2", stdout=subprocess.DEVNULL, stderr=log)


def wait_for(predicate, timeout: float = 120.0):
    return helpers.wait_for(predicate, timeout, every=0.02)


def test_a_ten_second_lock_kills_no_run_and_no_worker(db, tmp_path):
    path = db.url.database
    logs = [open(tmp_path / f"worker{i}.log", "wb") for i in range(2)]  # noqa: SIM115
    workers = [start_worker(log) for log in logs]
    try:
        wait_for(lambda: len(storage.live_workers(db, 15)) == 2)
        run_id = storage.submit_run(db, make_run_config("concave", "mdmm", steps=STEPS))
        wait_for(lambda: storage.get_run(db, run_id).steps_stored > 0)

        lock = sqlite3.connect(path, timeout=30, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        stored_at_lock = storage.get_run(db, run_id).steps_stored
        time.sleep(LOCK_SECONDS)
        during = storage.get_run(db, run_id)  # readers still read (WAL)
        lock.execute("COMMIT")
        lock.close()

        assert during.status == "running", "the run ended before the lock did: make it longer"
        assert during.steps_stored == stored_at_lock < STEPS  # nothing was written meanwhile
        assert all(worker.poll() is None for worker in workers)
        done = wait_for(lambda: (view := storage.get_run(db, run_id)).status != "running" and view)
        assert done.status == "completed", done.error
        assert done.error is None
        steps = storage.get_metrics(db, run_id)["step"].tolist()
        assert steps == list(range(STEPS))  # every step, contiguous, once

        follower = storage.submit_run(db, make_run_config("concave", "mdmm", steps=200))
        wait_for(lambda: storage.get_run(db, follower).status == "completed", timeout=60)
        assert all(worker.poll() is None for worker in workers)
        assert len(storage.live_workers(db, 5)) == 2
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
        for log in logs:
            log.close()
    said = b"".join((tmp_path / f"worker{i}.log").read_bytes() for i in range(2))
    assert b"Traceback" not in said, said.decode(errors="replace")[-2000:]

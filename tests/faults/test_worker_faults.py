"""Fault suite, a worker process against its SQLite database (issue 25 item 3): kill -9, a lock
far beyond the retry window, a database file that vanishes, and a full disk. Each asserts
what the user sees (a run's status and its one line, the Live page, the worker's log) and
that no stored step is lost: steps are contiguous from 0, and no run is marked completed
with steps missing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import pytest

import storage
from moo_core import make_run_config
from tests.ui._apptest import page, unescaped
from tests.worker._helpers import ROOT, wait_for

STEPS = 20_000  # a few seconds of training: a fault lands mid-run


def start(*args: str, log=subprocess.PIPE, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "serve", "--poll", "0.05", "--heartbeat", "0.2", *args],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, text=True, env=env,
    )  # fmt: skip


def steps_of(engine, run_id: int) -> list[int]:
    return storage.get_metrics(engine, run_id)["step"].tolist()


def submit(engine, steps: int = STEPS) -> int:
    return storage.submit_run(engine, make_run_config("concave", "mdmm", steps=steps))


def test_kill_9_fails_the_run_keeping_its_steps_and_the_next_run_completes(db):
    doomed = submit(db, 5_000_000)
    worker = start()
    wait_for(lambda: storage.get_run(db, doomed).steps_stored > 0, timeout=120)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    follower = submit(db, 100)
    time.sleep(1.2)
    done = start("--exit-when-idle", "--grace", "1")
    assert done.wait(120) == 0, done.stderr.read()
    dead = storage.get_run(db, doomed)
    assert dead.status == "failed" and dead.error.startswith("worker lost (no heartbeat for")
    assert steps_of(db, doomed) == list(range(dead.steps_stored))  # contiguous, none lost
    assert storage.get_run(db, follower).status == "completed"


def test_a_lock_beyond_the_retry_window_pauses_the_run_and_live_says_so(db, tmp_path, monkeypatch):
    """Before: a lock longer than MOO_DB_RETRY_SECONDS failed the run with a traceback."""
    monkeypatch.setenv("MOO_DB_RETRY_SECONDS", "1")
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    worker = start(log=log)
    try:
        run_id = submit(db)
        wait_for(lambda: storage.get_run(db, run_id).steps_stored > 0, timeout=120)
        lock = sqlite3.connect(db.url.database, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            time.sleep(8)  # 5 s of SQLite's busy timeout and 1 s of retries, well past
            live = page("pages/live.py", {"runs": str(run_id)})
            during = storage.get_run(db, run_id)
        finally:
            lock.execute("COMMIT")
            lock.close()
        assert during.status == "running"
        waiting = [
            unescaped(w.value) for w in live.warning if "waiting for the database" in w.value
        ]
        assert len(waiting) == 1 and waiting[0].startswith(
            f"Run {run_id}: waiting for the database"
        )
        assert int(waiting[0].split("locked for ")[1].split(" s")[0]) >= 6
        done = wait_for(lambda: (v := storage.get_run(db, run_id)).status != "running" and v, 120)
        assert done.status == "completed" and done.error is None
        assert steps_of(db, run_id) == list(range(STEPS))  # every step, in order, once
        follower = submit(db, 100)
        wait_for(lambda: storage.get_run(db, follower).status == "completed", timeout=60)
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(30)
        log.close()
    said = (tmp_path / "worker.log").read_text()
    assert "Traceback" not in said, said
    waits = [line for line in said.splitlines() if "waiting for the database" in line]
    assert 1 <= len(waits) == len(set(waits)) <= 3, said  # once per episode, per writer


def test_a_vanished_database_stops_the_worker_in_one_line_with_the_steps_kept(db, tmp_path):
    run_id = submit(db, 5_000_000)
    worker = start("--exit-when-idle")
    wait_for(lambda: storage.get_run(db, run_id).steps_stored > 0, timeout=120)
    (tmp_path / "lab.db").rename(tmp_path / "moved.db")  # SQLite itself would write on
    assert worker.wait(60) == 2
    assert worker.stderr.read().strip().splitlines() == [
        f"error: the database {tmp_path}/lab.db is unusable: the database file "
        f"{tmp_path}/lab.db has vanished (deleted or moved)"
    ]
    (tmp_path / "moved.db").rename(tmp_path / "lab.db")  # back beside its -wal file
    db.dispose()
    view = storage.get_run(db, run_id)
    assert view.status == "failed", view.status
    assert view.error.startswith("the database became unusable: the database file")
    assert steps_of(db, run_id) == list(range(view.steps_stored))


def _can_mount() -> bool:
    """Whether this user may mount a tmpfs (root, here; not on most CI runners)."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", folder],
                              capture_output=True)  # fmt: skip
        if done.returncode != 0:
            return False
        subprocess.run(["umount", folder], check=False)
        return True


# A full file system where one can be mounted; everywhere, the closest honest stand-in: the
# worker's own file size limit (RLIMIT_FSIZE), past which a write fails as on a full disk
# (EFBIG; Python ignores SIGXFSZ), through the same SQLite error path.
DISKS = ["file size limit", *(["2 MiB tmpfs"] if _can_mount() else [])]


@pytest.fixture(params=DISKS)
def small_disk(request, tmp_path):
    """(folder, how): a database folder on a file system that fills."""
    folder = tmp_path / "small"
    folder.mkdir()
    if request.param == "2 MiB tmpfs":
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], check=True)
        yield folder, "tmpfs"
        subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        yield folder, "rlimit"


def test_a_full_disk_fails_the_run_keeping_its_steps_and_the_worker_exits(small_disk, monkeypatch):
    folder, how = small_disk
    url = f"sqlite:///{folder}/lab.db"
    monkeypatch.setenv("MOO_DATABASE_URL", url)
    engine = storage.make_engine(url)
    storage.upgrade(engine)
    run_id = submit(engine, 2_000_000)  # ~100 bytes a step: far more than 2 MiB
    env = dict(os.environ)
    if how == "rlimit":
        limit = os.path.getsize(folder / "lab.db") + 2 * 2**20
        prefix = f"import resource; resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))"
        worker = subprocess.Popen(
            [sys.executable, "-c", f"{prefix}; import sys; from worker.cli import main; "
             "sys.exit(main(['serve', '--exit-when-idle', '--poll', '0.05']))"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
    else:
        worker = start("--exit-when-idle", env=env)
    assert worker.wait(180) == 2
    said = worker.stderr.read().strip().splitlines()
    assert len(said) == 1 and said[0].startswith(f"error: the database {folder}/lab.db is unusable")
    assert "full" in said[0] or "I/O" in said[0], said
    view = storage.get_run(engine, run_id)
    assert view.status != "completed"
    stored = steps_of(engine, run_id)
    assert 0 < len(stored) < 2_000_000 and stored == list(range(len(stored)))
    done = subprocess.run(
        [sys.executable, "-m", "worker", "status", str(run_id)], cwd=ROOT, capture_output=True
    )  # reading still works on a full disk
    assert done.returncode == 0, done.stderr
    engine.dispose()

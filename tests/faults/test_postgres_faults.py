"""Fault suite, PostgreSQL (issue 25 item 4): the private test server restarted, and every
connection of the worker dropped (pg_terminate_backend), while a run trains. The run resumes
(its steps wait in the worker meanwhile) and completes with every step stored once, in order;
the same worker, never restarted, then trains the next run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
from sqlalchemy import text

import storage
from moo_core import make_run_config
from tests.storage.conftest import _as_user, _free_port, _pg_bin
from tests.worker._helpers import ROOT, wait_for

pytestmark = pytest.mark.postgres
STEPS = 100_000  # long enough that each fault lands while the run trains


class Server:
    """A private PostgreSQL cluster on a free port that can be stopped and started again."""

    def __init__(self):
        self.bin = _pg_bin()
        if self.bin is None:
            pytest.skip("PostgreSQL binaries (initdb) are not installed")
        self.prefix, uid = _as_user()
        self.root = tempfile.mkdtemp(prefix="moolab-pg-faults-")
        self.data, sockets = os.path.join(self.root, "data"), os.path.join(self.root, "sock")
        os.mkdir(sockets)
        if uid is not None:
            for path in (self.root, sockets):
                os.chown(path, uid, -1)
        subprocess.run(
            [*self.prefix, f"{self.bin}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.port, self.sockets, self.process = _free_port(), sockets, None
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*self.prefix, f"{self.bin}/postgres", "-D", self.data, "-p", str(self.port),
             "-k", self.sockets, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while subprocess.run(
            [f"{self.bin}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        ).returncode:
            assert time.monotonic() < deadline and self.process.poll() is None, "no postgres"
            time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, f"{self.bin}/pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w"],
            capture_output=True,
        )
        self.process.wait(30)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    server = Server()
    yield server
    server.close()


@pytest.fixture
def db(server, monkeypatch):
    engine = storage.make_engine(server.url)
    storage.upgrade(engine)
    monkeypatch.setenv("MOO_DATABASE_URL", server.url)
    yield engine
    with engine.begin() as connection:  # the next test starts from an empty queue
        connection.execute(text("TRUNCATE runs, experiments, workers, datasets CASCADE"))
    engine.dispose()


@pytest.fixture
def worker(db, tmp_path):
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "serve", "--poll", "0.05", "--heartbeat", "0.2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    yield process
    process.terminate()
    process.wait(30)
    log.close()
    said = (tmp_path / "worker.log").read_text()
    assert "Traceback" not in said, said


def running(db, steps: int = STEPS) -> int:
    run_id = storage.submit_run(db, make_run_config("concave", "mdmm", steps=steps))
    wait_for(lambda: storage.get_run(db, run_id).steps_stored > 0, timeout=120)
    return run_id


def finished_whole(db, run_id: int, worker) -> None:
    done = wait_for(lambda: (v := storage.get_run(db, run_id)).status != "running" and v, 180)
    assert done.status == "completed", done.error
    assert storage.get_metrics(db, run_id)["step"].tolist() == list(range(STEPS))
    follower = storage.submit_run(db, make_run_config("concave", "mdmm", steps=100))
    wait_for(lambda: storage.get_run(db, follower).status == "completed", timeout=60)
    assert worker.poll() is None  # the same worker: it reconnected by itself


def test_a_server_restart_mid_run_loses_no_step(server, db, worker):
    run_id = running(db)
    server.stop()  # every connection gone; for a while no new one either
    time.sleep(1.0)
    server.start()
    db.dispose()  # the test's own pooled connections died with the server
    assert storage.get_run(db, run_id).status == "running"  # the fault landed mid-run
    finished_whole(db, run_id, worker)


def test_dropped_connections_mid_run_lose_no_step(db, worker):
    run_id = running(db)
    kill = text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    dropped = 0
    for _ in range(3):
        with db.connect() as connection:
            dropped += connection.execute(kill).scalar_one()
        time.sleep(0.3)
    assert dropped >= 3 and storage.get_run(db, run_id).status == "running"
    finished_whole(db, run_id, worker)

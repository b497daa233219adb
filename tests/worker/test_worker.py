"""The worker end to end: real processes on a temporary SQLite database."""

from __future__ import annotations

import csv
import json
import os
import signal
import time

import pytest
from sqlalchemy import text

import storage
from moo_core import make_run_config
from tests.worker._helpers import cli, last_json, start_worker, wait_for


def submit(*args: str) -> int:
    return last_json(cli("submit", *args))["run_id"]


def test_submit_serve_status_export(db, tmp_path):
    run_id = submit(
        "--problem", "concave", "--method", "mdmm", "--epsilon", "0.6", "--steps", "500"
    )
    assert last_json(cli("status", str(run_id)))["status"] == "queued"
    served = last_json(cli("serve", "--exit-when-idle"))
    assert served["processed"] == 1
    status = last_json(cli("status", str(run_id)))
    assert status["status"] == "completed"
    assert status["steps_stored"] == 500
    assert status["progress"] == pytest.approx(1.0)
    assert status["seconds"] > 0
    assert status["error"] is None
    out = tmp_path / "steps.csv"
    cli("export", str(run_id), "--out", str(out))
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["step", "f", "g", "lambda", "violation", "grad_cos"]
    assert len(rows) == 500 and rows[0]["step"] == "0" and rows[-1]["step"] == "499"
    listed = last_json(cli("list"))
    assert listed[0]["id"] == run_id and listed[0]["problem"] == "concave"


def test_sweep_runs_as_one_job(db):
    run_id = submit(
        "--problem", "concave", "--method", "mdmm", "--steps", "300", "--over", "epsilon=0.2:0.8:4"
    )
    cli("serve", "--exit-when-idle")
    assert last_json(cli("status", str(run_id)))["status"] == "completed"
    points = storage.get_sweep_points(db, run_id)
    assert len(points) == 4


def test_bad_input_exits_2(db):
    done = cli("submit", "--problem", "nope", "--method", "mdmm", check=False)
    assert done.returncode == 2 and "nope" in done.stderr and "Traceback" not in done.stderr
    done = cli("status", "12345", check=False)
    assert done.returncode == 2 and "12345" in done.stderr


def test_divergence_is_recorded(db):
    run_id = submit(
        "--problem", "convex", "--method", "weighted_sum", "--set", "lr=10", "--steps", "500"
    )
    cli("serve", "--exit-when-idle")
    status = last_json(cli("status", str(run_id)))
    assert status["status"] == "diverged"
    assert 0 < status["steps_stored"] < 500


def test_malformed_config_fails_that_run_alone(db):
    bad = submit("--problem", "concave", "--method", "mdmm", "--steps", "50")
    good = submit("--problem", "concave", "--method", "mdmm", "--steps", "50")
    with db.begin() as connection:
        connection.execute(
            text("UPDATE runs SET config = :config WHERE id = :id"),
            {"config": json.dumps({"problem": "concave", "method": "no_such_method"}), "id": bad},
        )
    cli("serve", "--exit-when-idle")
    bad_status = last_json(cli("status", str(bad)))
    assert bad_status["status"] == "failed" and "no_such_method" in bad_status["error"]
    assert last_json(cli("status", str(good)))["status"] == "completed"


def test_cancel_queued_from_the_cli(db):
    run_id = submit("--problem", "concave", "--method", "mdmm", "--steps", "100")
    assert last_json(cli("cancel", str(run_id)))["cancelled"] is True
    assert storage.get_run(db, run_id).status == "cancelled"


def test_cancel_running(db):
    run_id = submit("--problem", "concave", "--method", "mdmm", "--steps", "5000000")
    worker = start_worker("--heartbeat", "0.2")
    try:
        wait_for(lambda: storage.get_run(db, run_id).steps_stored > 0)
        assert storage.request_cancel(db, run_id) is True
        wait_for(lambda: storage.get_run(db, run_id).status == "cancelled", timeout=60)
    finally:
        worker.kill()
        worker.wait()
    view = storage.get_run(db, run_id)
    assert view.steps_stored > 0


def test_killed_worker_run_is_reaped_and_queue_goes_on(db):
    doomed = submit("--problem", "concave", "--method", "mdmm", "--steps", "5000000")
    worker = start_worker("--heartbeat", "0.2")
    try:
        wait_for(lambda: storage.get_run(db, doomed).steps_stored > 0)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    stored = storage.get_run(db, doomed).steps_stored
    assert storage.get_run(db, doomed).status == "running"
    follower = submit("--problem", "concave", "--method", "mdmm", "--steps", "100")
    time.sleep(1.2)
    cli("serve", "--exit-when-idle", "--grace", "1")
    dead = storage.get_run(db, doomed)
    assert dead.status == "failed" and "heartbeat" in dead.error
    assert dead.steps_stored >= stored
    assert storage.get_run(db, follower).status == "completed"


def test_four_workers_drain_100_runs_without_double_claims(db):
    ids = [storage.submit_run(db, make_run_config("convex", "mdmm", steps=20)) for _ in range(100)]
    workers = [start_worker("--exit-when-idle") for _ in range(4)]
    processed = 0
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        processed += json.loads(out.strip().splitlines()[-1])["processed"]
    assert processed == 100
    views = [storage.get_run(db, run_id) for run_id in ids]
    assert {v.status for v in views} == {"completed"}
    assert all(v.steps_stored == 20 for v in views)

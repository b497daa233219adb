"""Real data through the queue: a CSV uploaded to the database, trained by a worker."""

from __future__ import annotations

import io

import pytest

import storage
from moo_core import make_run_config, make_sweep_config
from moo_core.data import DATASETS
from tests.worker._helpers import cli, last_json
from worker.loop import WorkerOptions, serve

SMALL = ("--steps", "60", "--device", "cpu", "--hidden", "8")


def test_a_submitted_csv_is_stored_once_and_trained_from_the_database(db, tmp_path):
    data = tmp_path / "local.csv"
    data.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(100)))
    task = ("--dataset", str(data), "--target", "y", "--objective", "l1", "--method", "mdmm")
    first = last_json(cli("submit", *task, "--epsilon", "0.2", *SMALL))["run_id"]
    second = last_json(cli("submit", *task, "--epsilon", "0.3", *SMALL))["run_id"]
    stored = storage.list_datasets(db)
    assert len(stored) == 1 and stored[0].name == "local.csv" and stored[0].bytes > 0
    config = storage.get_run(db, first).config
    assert config["task"]["dataset"] == stored[0].ref  # not the local path
    data.unlink()  # the worker reads the database, not the file
    assert serve(db, WorkerOptions(exit_when_idle=True, poll=0.01)) == 2
    for run_id in (first, second):
        view = storage.get_run(db, run_id)
        assert view.status == "completed", view.error
        assert view.steps_stored == 60
        assert set(view.summary["validation"]) == {"f", "g"}


@pytest.mark.parametrize(
    "content",
    [b"", b"only\n1\n2\n", b"\x00\xff\x00binary", b"a,a\n1,2\n"],
    ids=["empty", "one column", "binary", "duplicate names"],
)
def test_bad_data_exits_2_and_stores_nothing(db, tmp_path, content):
    data = tmp_path / "bad.csv"
    data.write_bytes(content)
    done = cli("submit", "--dataset", str(data), "--target", "a", "--objective", "l1",
               "--method", "mdmm", check=False)  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert storage.list_datasets(db) == [] and storage.list_runs(db) == []


def _upload(engine, name: str) -> str:
    """A built-in dataset written as CSV and uploaded, as a user would."""
    buffer = io.StringIO()
    DATASETS.get(name).load().to_csv(buffer, index=False)
    return storage.store_dataset(engine, f"{name}.csv", buffer.getvalue().encode()).ref


@pytest.mark.parametrize("name", DATASETS.names())
def test_upload_run_front_on_every_builtin(db, name):
    entry = DATASETS.get(name)
    objective = "l1" if entry.default_objective in ("parity", "bounds") else entry.default_objective
    task = {"dataset": _upload(db, name), "target": entry.default_target, "objective": objective,
            "hidden": "16", "batch_size": 128}  # fmt: skip
    run = make_run_config(None, "mdmm", steps=150, device="cpu", constraint="le", task=task)
    sweep_id = storage.submit_run(db, make_sweep_config(run, "epsilon", 0.01, 0.3, 3))
    assert serve(db, WorkerOptions(exit_when_idle=True, poll=0.01)) == 1
    view = storage.get_run(db, sweep_id)
    assert view.status == "completed", view.error
    points = storage.get_sweep_points(db, sweep_id)
    assert len(points) == 3 and any(p["nondominated"] for p in points)
    assert all(p["status"] == "completed" for p in points)
    assert view.summary["hypervolume"] is not None and view.summary["hypervolume"] >= 0

"""`python -m worker export | status | list` for runs with m ≥ 3 objectives (synthetic
stored steps, the CLI called in-process on the `db` fixture's database), and a DTLZ2 run
and sweep through the queue end to end."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

import storage
from moo_core import make_run_config
from moo_core.records import RunOutcome, RunResult, step_columns
from tests.worker._helpers import cli, last_json
from worker.cli import main


def cli_json(capsys, *args: str):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def stored_run(engine, m: int, steps: int = 6) -> tuple[int, dict[str, np.ndarray]]:
    run_id = storage.submit_run(engine, make_run_config("convex", "mdmm", steps=steps))
    base = np.arange(steps, dtype=float)
    columns = {name: base + 10.0 * k for k, name in enumerate(step_columns(m))}
    columns[step_columns(m)[-3]][1] = math.nan  # the last multiplier: NaN on step 1
    storage.append_metrics(engine, run_id, 0, columns)
    return run_id, columns


@pytest.mark.parametrize(
    ("m", "header"),
    [
        (2, ["step", "f", "g", "lambda", "violation", "grad_cos"]),
        (3, ["step", "f", "g1", "g2", "lambda1", "lambda2", "violation", "grad_cos"]),
        (4, ["step", "f", "g1", "g2", "g3", "lambda1", "lambda2", "lambda3", "violation",
             "grad_cos"]),
    ],
)  # fmt: skip
def test_export_names_each_objective_and_multiplier(db, tmp_path, capsys, m, header):
    run_id, columns = stored_run(db, m)
    out = tmp_path / "steps.csv"
    assert cli_json(capsys, "export", str(run_id), "--out", str(out))["rows"] == 6
    with out.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == header
    assert [row[0] for row in rows[1:]] == [str(step) for step in range(6)]
    assert rows[2][-3] == ""  # the last multiplier, NaN on step 1: an empty cell
    for name in header[1:]:
        written = [float(row[header.index(name)] or "nan") for row in rows[1:]]
        np.testing.assert_array_equal(written, columns[name])


def test_status_and_list_show_a_three_objective_summary(db, capsys):
    run_id, _ = stored_run(db, 3)
    outcome = RunOutcome(
        status="completed",
        steps=6,
        f=0.5,
        g=0.25,
        lam=1.5,
        violation=0.0,
        front_distance=None,
        objectives=(0.5, 0.25, 0.75),
        multipliers=(1.5, math.nan),
    )
    summary = RunResult(outcome, seconds=0.1, device="cpu").summary()
    storage.finish_run(db, run_id, "completed", seconds=0.1, summary=summary, device="cpu")
    status = cli_json(capsys, "status", str(run_id))
    assert status["status"] == "completed" and status["steps_stored"] == 6
    final = status["summary"]["final"]
    assert final["objectives"] == [0.5, 0.25, 0.75]
    assert final["lambda"] == final["multipliers"] == [1.5, None]  # NaN → null in JSON
    listed = cli_json(capsys, "list")
    assert [(row["id"], row["status"], row["method"]) for row in listed] == [
        (run_id, "completed", "mdmm")
    ]


def test_a_dtlz2_run_and_sweep_go_through_the_queue(db, tmp_path):
    """Submitted by the CLI, trained by a worker process, read back and exported."""
    dtlz2 = ("--problem", "dtlz2", "--method", "mdmm", "--epsilon", "0.5,0.5", "--steps", "50")
    run_id = last_json(cli("submit", *dtlz2))["run_id"]
    sweep_id = last_json(cli("submit", *dtlz2, "--over", "epsilon1=0.3:0.6:3"))["run_id"]
    assert last_json(cli("serve", "--exit-when-idle"))["processed"] == 2
    view = storage.get_run(db, run_id)
    assert view.status == "completed" and view.steps_stored == 50, view.error
    assert len(view.summary["final"]["objectives"]) == 3
    assert len(view.summary["final"]["lambda"]) == 2
    metrics = storage.get_metrics(db, run_id)
    assert list(metrics)[6:] == ["g1", "g2", "lambda1", "lambda2"]
    assert np.isfinite(metrics["g2"]).all() and np.isfinite(metrics["lambda2"]).all()
    np.testing.assert_array_equal(metrics["g"], metrics["g1"])
    out = tmp_path / "steps.csv"
    cli("export", str(run_id), "--out", str(out))
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["step", *step_columns(3)] and len(rows) == 50
    assert float(rows[-1]["g2"]) == metrics["g2"][-1]
    assert storage.get_run(db, sweep_id).status == "completed"
    points = storage.get_sweep_points(db, sweep_id)
    assert [p["epsilon1"] for p in points] == pytest.approx([0.3, 0.45, 0.6])
    assert all(p["g2"] is not None and p["lambda2"] is not None for p in points)

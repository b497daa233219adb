from datetime import datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from ui import tables


def _run(i, status="completed", method="mdmm", experiment=1, kind="run"):
    config = {"problem": "concave", "method": method, "epsilon": 0.6, "steps": 100}
    return SimpleNamespace(
        id=i, experiment_id=experiment, kind=kind, status=status, config=config,
        steps_stored=100, created=None, seconds=1.0, summary=None,
    )  # fmt: skip


def test_history_rows_and_filters():
    experiments = {1: SimpleNamespace(name="baseline", tags=["paper", "fig2"]), 2: None}
    runs = [_run(1), _run(2, "failed", "bdmm", experiment=2), _run(3, "running")]
    rows = tables.history_rows(runs, experiments)
    assert rows[0]["experiment"] == "baseline" and rows[0]["tags"] == "paper, fig2"
    assert rows[1]["experiment"] == 2 and rows[1]["tags"] == ""
    ids = lambda rs: [r["run"] for r in rs]  # noqa: E731
    assert ids(tables.filter_rows(rows)) == [1, 2, 3]
    assert ids(tables.filter_rows(rows, statuses=["failed", "running"])) == [2, 3]
    assert ids(tables.filter_rows(rows, methods=["bdmm"])) == [2]
    assert ids(tables.filter_rows(rows, subjects=["convex"])) == []
    assert ids(tables.filter_rows(rows, text="FIG2")) == [1, 3]
    assert ids(tables.filter_rows(rows, text="#2")) == [2]


def test_parse_tags():
    assert tables.parse_tags(" paper, fig2,,Paper , ") == ["paper", "fig2"]
    assert tables.parse_tags("") == []


def test_trajectory_csv_matches_export_format():
    metrics = {
        "step": np.array([0, 1]),
        "f": np.array([1.0, 0.5]),
        "g": np.array([0.0, 0.25]),
        "lambda": np.array([np.nan, 0.1]),
        "violation": np.array([0.6, 0.35]),
        "grad_cos": np.array([-1.0, 0.0]),
    }
    text = tables.trajectory_csv(metrics)
    assert text.splitlines() == [
        "step,f,g,lambda,violation,grad_cos",
        "0,1.0,0.0,,0.6,-1.0",
        "1,0.5,0.25,0.1,0.35,0.0",
    ]
    assert tables.points_csv([{"epsilon": 0.2, "f": 1.0}]).splitlines() == ["epsilon,f", "0.2,1.0"]


def test_steps_to_converge():
    step = np.arange(6)
    assert tables.steps_to_converge(step, [1, 1e-4, 1, 1e-4, 0, 1e-5]) == 3
    assert tables.steps_to_converge(step, [0] * 6) == 0
    assert tables.steps_to_converge(step, [0, 0, 0, 0, 0, 1]) is None
    assert tables.steps_to_converge(step, [0, 0, 0, 0, 0, np.nan]) is None
    assert tables.steps_to_converge([], []) is None


def test_progress_text_has_eta_while_running():
    started = datetime(2026, 11, 23, 12, 0, 0)
    now = started + timedelta(seconds=10)
    text = tables.progress_text(2500, 0.25, started, now, active=True)
    assert text == "2,500 steps stored · 25 % · elapsed 10 s · ETA 30 s"
    assert "ETA" not in tables.progress_text(10_000, 1.0, started, now, active=False)
    assert "waiting" in tables.progress_text(0, 0.0, started, now, active=True)
    assert tables.duration(3725) == "1 h 02 min" and tables.duration(65) == "1 min 5 s"


@pytest.mark.parametrize("violations", [[0.5, 1e-4], [0.5, 0.4]])
def test_compare_row(violations):
    view = _run(7)
    view.summary = {"final": {"f": 0.7, "g": 0.6, "lambda": 0.9}, "violation": violations[-1]}
    row = tables.compare_row(view, {"step": np.array([0, 1]), "violation": np.array(violations)})
    converged = next(v for k, v in row.items() if k.startswith("steps to"))
    assert converged == (1 if violations[-1] < 1e-3 else None)
    assert (row["f"], row["g"], row["violation"]) == (0.7, 0.6, violations[-1])

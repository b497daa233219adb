"""`python -m worker status` and `list` show the convergence verdict: the summary's converged,
reason and steps_to_converge; ✓ / ✗ / — (unknown: an old or unfinished run) in `list`."""

from __future__ import annotations

import numpy as np
import pytest

import storage
from moo_core import make_run_config
from moo_core.config import make_sweep_config
from tests.worker._helpers import cli, last_json

REASON = "not converged: λ still moving (range 4.7 over the last 25 % of steps)"


def finished(db, summary: dict | None, method: str = "mdmm", sweep: bool = False) -> int:
    """A run stored as a worker leaves it (no training): queued, claimed, finished."""
    config = make_run_config("concave", method, steps=20)
    if sweep:
        config = make_sweep_config(config, "epsilon", 0.2, 0.8, 3)
    run_id = storage.submit_run(db, config)
    storage.claim_next_run(db, "w")
    storage.finish_run(db, run_id, "completed", seconds=0.1, summary=summary)
    return run_id


def test_status_and_list_show_each_verdict(db):
    good = finished(
        db, {"converged": True, "reason": "converged: violation ≤ 1e-3", "steps_to_converge": 412}
    )
    bad = finished(db, {"converged": False, "reason": REASON, "steps_to_converge": None}, "bdmm")
    old = finished(db, {"final": {"f": 0.5}})  # stored before verdicts existed
    status = last_json(cli("status", str(good)))
    assert (status["converged"], status["steps_to_converge"]) == (True, 412)
    assert status["reason"] == "converged: violation ≤ 1e-3"
    status = last_json(cli("status", str(bad)))
    assert (status["converged"], status["reason"]) == (False, REASON)
    assert status["steps_to_converge"] is None
    status = last_json(cli("status", str(old)))
    assert status["converged"] is status["reason"] is status["steps_to_converge"] is None
    assert status["summary"] == {"final": {"f": 0.5}}  # the old keys are all still there
    done = cli("list")
    assert "✓" in done.stdout and "λ" not in done.stdout  # readable, not \u2713
    marks = {row["id"]: row["converged"] for row in last_json(done)}
    assert marks == {good: "✓", bad: "✗", old: "—"}


@pytest.mark.parametrize(("converged_points", "mark"), [(3, "✓"), (2, "✗"), (None, "—")])
def test_a_sweep_counts_its_converged_points(db, converged_points, mark):
    points = [{"f": 0.5, "g": 0.5}] * 3
    summary = {"points": points}
    if converged_points is not None:
        summary["converged_points"] = converged_points
    run_id = finished(db, summary, sweep=True)
    status = last_json(cli("status", str(run_id)))
    assert status["converged_points"] == converged_points and status["points"] == 3
    assert status["converged"] is {"✓": True, "✗": False, "—": None}[mark]
    assert last_json(cli("list"))[0]["converged"] == mark


def test_a_queued_run_has_no_verdict_yet(db):
    run_id = storage.submit_run(db, make_run_config("concave", "mdmm", steps=20))
    status = last_json(cli("status", str(run_id)))
    assert status["status"] == "queued" and status["converged"] is None
    assert last_json(cli("list"))[0]["converged"] == "—"


def test_status_names_what_went_wrong_in_plain_words(db):
    """moo_core.diagnosis from the stored summary and steps: λ grew in every eighth of the
    run (kept growing), the verdict suspected ε out of reach, the validation rows break it."""
    summary = {
        "converged": False,
        "reason": "suspected infeasible: λ grew from 1 to 2 over the last 25 % of steps",
        "final": {"f": 1.0, "g": 0.9, "lambda": 2.0, "objectives": [1.0, 0.9]},
        "validation": {"f": 1.1, "g": 0.95},
        "violation": 0.4,
    }
    run_id = finished(db, summary)
    steps = np.arange(20)
    storage.append_metrics(
        db,
        run_id,
        0,
        {
            "f": np.ones(20),
            "g": np.full(20, 0.9),
            "lambda": 0.1 * (steps + 1.0),
        },
    )
    said = last_json(cli("status", str(run_id)))["warnings"]
    assert said[0].startswith("λ kept growing through the whole run, to 2")
    assert said[1].startswith("ε = 0.5 looks out of reach: g ended at 0.9")
    assert said[2].startswith("On the validation rows g = 0.95 breaks ε (g = ε, ε = 0.5)")

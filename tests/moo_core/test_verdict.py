"""Verdicts (moo_core.verdict) on runs whose behaviour is known, true inequalities, and the
well-posed geometric mean."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from moo_core import Balancer, ConfigError, make_run_config, make_sweep_config, sweep
from moo_core.verdict import Tail, judge

from ._helpers import cli, run_once


def test_an_inequality_that_starts_violated_ends_inactive():
    """g ≤ 5 from x = (−0.5, 0), where g = 6.25: the optimum is f = 0, g = 4, λ = 0."""
    hp = {"damping": 1.0}
    args = dict(constraint="le", epsilon=5.0, init="-0.5,0", steps=20000, hp=hp)
    outcome = run_once("convex", "mdmm", **args).outcome
    assert outcome.f == pytest.approx(0.0, abs=1e-6)
    assert outcome.g == pytest.approx(4.0, abs=1e-5)
    assert outcome.lam == pytest.approx(0.0, abs=1e-9)
    assert outcome.converged, outcome.reason
    # the mdmm package's squared slack (selectable) turns it into the equality g = 5
    slack = run_once("convex", "mdmm", **{**args, "hp": {**hp, "inequality": "slack"}}).outcome
    assert slack.g == pytest.approx(5.0, abs=1e-4) and slack.f > 0.05


def test_mdmm_converges_where_bdmm_cycles():
    mdmm = run_once("concave", "mdmm", epsilon=0.6, steps=6000).outcome
    assert mdmm.converged, mdmm.reason
    assert mdmm.f == pytest.approx(0.6629, abs=1e-4) and mdmm.g == pytest.approx(0.6, abs=1e-3)
    assert 1000 < mdmm.steps_to_converge < 6000
    bdmm = run_once("concave", "bdmm", epsilon=0.6, steps=6000).outcome
    assert bdmm.status == "completed" and not bdmm.converged
    assert "λ still moving" in bdmm.reason and "violation" in bdmm.reason
    assert bdmm.steps_to_converge is None


def test_an_infeasible_epsilon_is_suspected():
    outcome = run_once("concave", "mdmm", constraint="le", epsilon=-0.1, steps=12000).outcome
    assert not outcome.converged
    assert outcome.reason.startswith("suspected infeasible"), outcome.reason


def test_an_escape_to_the_plateau_is_not_converged():
    outcome = run_once("concave", "mdmm", epsilon=0.6, hp={"lr": 10.0}).outcome
    assert (outcome.f, outcome.g) == pytest.approx((1.0, 1.0), abs=1e-6)
    assert not outcome.converged
    assert outcome.reason.startswith("stuck on a plateau"), outcome.reason


def test_the_zdt3_box_corner_is_a_trap_not_an_answer():
    outcome = run_once("zdt3", "mdmm", epsilon=-0.1).outcome
    assert not outcome.converged
    assert outcome.reason.startswith("stuck at the box boundary"), outcome.reason


def test_sweep_points_carry_verdicts():
    config = make_run_config("concave", "augmented_lagrangian", steps=3000, device="cpu")
    result = sweep(make_sweep_config(config, "epsilon", 0.1, 0.9, 5))
    points = result.points()
    assert all(p["converged"] is True for p in points), [p["reason"] for p in points]
    assert result.summary()["converged_points"] == 5
    assert all(isinstance(p["steps_to_converge"], int) for p in points)
    short = sweep(make_sweep_config(make_run_config("concave", "bdmm", steps=3000), "epsilon",
                                    0.5, 0.7, 3))  # fmt: skip
    assert short.summary()["converged_points"] == 0


def test_the_cli_summary_has_the_verdict():
    done = cli("run", "--problem", "concave", "--method", "mdmm", "--steps", "200")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["converged"] is False and summary["reason"]
    assert summary["steps_to_converge"] is None


def tail(violations, multipliers=None, objectives=None, tolerance=1e-3):
    violations = np.asarray(violations, dtype=float).reshape(-1, 1)
    count = len(violations)
    objectives = np.ones((count, 2)) if objectives is None else np.asarray(objectives)
    lams = None if multipliers is None else np.asarray(multipliers, dtype=float).reshape(-1, 1)
    return Tail(objectives, lams, violations, np.array([tolerance]))


def test_judge_tells_a_slow_approach_from_an_infeasible_one():
    rising = np.linspace(1.0, 2.0, 50)
    stalled = judge(tail(np.full(50, 0.1), rising), status="completed", enforces=True,
                    stationarity=0.5, steps_to_converge=None)  # fmt: skip
    assert stalled.reason.startswith("suspected infeasible")
    approaching = judge(tail(np.linspace(0.1, 0.05, 50), rising), status="completed",
                        enforces=True, stationarity=0.5, steps_to_converge=None)  # fmt: skip
    assert approaching.reason.startswith("not converged: violation")


def test_judge_reports_what_a_penalty_leaves():
    verdict = judge(tail(np.full(20, 0.05)), status="completed", enforces=False,
                    stationarity=1e-6, steps_to_converge=3)  # fmt: skip
    assert verdict.converged and "violation 0.05 remains" in verdict.reason
    assert verdict.steps_to_converge is None
    assert judge(tail([0.0]), status="diverged", enforces=True, stationarity=None,
                 steps_to_converge=None).reason == "diverged"  # fmt: skip


def test_geometric_mean_is_refused_where_the_log_is_undefined():
    with pytest.raises(ConfigError, match=re.escape("g reaches -0.7733; set shift above 0.7733")):
        make_run_config("zdt3", "geometric_mean")
    make_run_config("zdt3", "geometric_mean", hyperparams={"shift": 0.8})
    balancer = Balancer("geometric_mean", shift=0.1)
    with pytest.raises(ConfigError, match=re.escape("g = -0.2 with shift 0.1")):
        balancer.weigh(torch.tensor([[0.5, -0.2]]))


def test_geometric_mean_weights_stay_bounded_and_it_reaches_the_front():
    weights = Balancer("geometric_mean", shift=0.01).weigh(torch.tensor([[0.0, 0.5]])).weights
    assert torch.isfinite(weights).all() and float(weights.max()) <= 1 / 0.01
    outcome = run_once("concave", "geometric_mean", steps=3000).outcome
    assert outcome.front_distance < 1e-3


def test_one_reading_of_steps_to_converge_for_the_engine_and_the_pages():
    """The engine's steps_to_converge (kept while training) is the step moo_core.verdict's
    settled_from reads from the stored steps, as the lessons and pages read it."""
    from moo_core import run
    from moo_core.verdict import settled_from, tolerance

    config = make_run_config("concave", "mdmm", epsilon=0.6, steps=6000)
    result = run(config, keep_trajectory=True, threads=1)
    violation = result.trajectory["violation"]
    stored = settled_from(np.arange(len(violation)), violation, tolerance(0.6))
    assert result.outcome.converged and stored == result.outcome.steps_to_converge
    assert tolerance(-20.0) == pytest.approx(0.02) and tolerance(0.5) == pytest.approx(1e-3)

"""The best constant prediction's loss (baseline_f) and the verdict that a run which learned
nothing is not converged; the plain-word warnings of moo_core.diagnosis."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from moo_core import make_run_config, make_sweep_config, run, sweep
from moo_core.diagnosis import block_means, ran_away, warnings_of
from moo_core.tasks import _objectives as objectives
from moo_core.tasks._baseline import constant_loss
from moo_core.verdict import NO_LEARNING, Verdict, judge_baseline, learned

from ._helpers import cli

RNG = np.random.default_rng(3)
SKEWED = RNG.gamma(1.5, 40.0, size=400)  # a long right tail: mean, median and Huber's c differ


def _torch_loss(loss: str, constant: float, y: np.ndarray, delta: float) -> float:
    prediction = torch.full((1, len(y)), constant, dtype=torch.float64)
    target = torch.tensor(y)
    if loss == "huber":
        return float(objectives.huber_loss(prediction, target, delta))
    return float(objectives.mse_loss(prediction, target))


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_the_regression_baseline_is_the_lowest_constant_loss(loss):
    delta = float(SKEWED.std())
    best = constant_loss(loss, SKEWED, delta=delta)
    grid = np.linspace(SKEWED.min(), SKEWED.max(), 4001)
    on_grid = min(_torch_loss(loss, c, SKEWED, delta) for c in grid)
    assert best <= on_grid + 1e-9 and best == pytest.approx(on_grid, rel=1e-6)
    for c in (SKEWED.mean(), np.median(SKEWED)):  # neither is Huber's minimiser here
        assert best <= _torch_loss(loss, c, SKEWED, delta) + 1e-9
    if loss == "huber":
        assert best < _torch_loss(loss, np.median(SKEWED), SKEWED, delta) - 1e-3
        assert best < _torch_loss(loss, SKEWED.mean(), SKEWED, delta) - 1e-3


def test_the_classification_baseline_is_the_label_entropy():
    labels = np.array([0] * 60 + [1] * 30 + [2] * 10)
    p = np.array([0.6, 0.3, 0.1])
    logits = torch.log(torch.tensor(p)).reshape(1, 1, 3).expand(1, 100, 3)
    softmax = float(objectives.cross_entropy(logits, torch.tensor(labels)))
    assert constant_loss("ce", labels, classes=3) == pytest.approx(softmax, rel=1e-9)
    sigmoid = torch.logit(torch.tensor(p)).reshape(1, 1, 3).expand(1, 100, 3)
    ovr = float(objectives.one_vs_rest_cross_entropy(sigmoid, torch.tensor(labels)))
    assert constant_loss("ce", labels, 3, one_vs_rest=True) == pytest.approx(ovr, rel=1e-9)


def test_a_verdict_needs_f_below_the_baseline():
    ok = Verdict(True, "converged: objectives settled")
    assert judge_baseline(ok, 80.0, 100.0) is ok and judge_baseline(ok, 1.0, None) is ok
    flat = judge_baseline(ok, 99.0, 100.0)
    assert not flat.converged and flat.reason.startswith(f"not converged: {NO_LEARNING} (f = 99")
    bad = judge_baseline(Verdict(False, "not converged: λ still moving"), 101.0, 100.0)
    assert bad.reason.endswith("; λ still moving") and NO_LEARNING in bad.reason
    assert judge_baseline(Verdict(False, "diverged"), 500.0, 100.0).reason == "diverged"
    assert learned([94.0, 96.0, 1.0], [100.0, 100.0, np.nan]).tolist() == [True, False, True]


def test_a_network_held_to_an_unreachable_parity_learns_nothing_and_says_so():
    """The issue's case: diabetes, parity ≤ 0.05 target units: λ climbs without end and f
    stays at the target's variance. Not converged, with baseline_f in the summary and each
    failure named in plain words on stderr."""
    done = cli(
        "run", "--dataset", "diabetes", "--target", "target", "--group", "sex", "--objective",
        "parity", "--method", "mdmm", "--constraint", "le", "--epsilon", "0.05", "--steps", "2000",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["baseline_f"] == pytest.approx(summary["final"]["f"], rel=0.05)
    assert summary["converged"] is False and NO_LEARNING in summary["reason"]
    said = done.stderr
    assert "warning: The network learned nothing" in said
    assert "warning: λ kept growing" in said
    assert "warning: On the validation rows g = " in said
    assert summary["warnings"] == [line[9:] for line in said.splitlines() if line[:8] == "warning:"]


def test_a_network_that_learns_beats_its_baseline_in_runs_and_sweeps():
    task = {"dataset": "breast_cancer", "target": "target", "objective": "l1", "hidden": "16"}
    config = make_run_config(None, "weighted_sum", steps=300, task=task, device="cpu")
    summary = run(config).summary()
    assert summary["final"]["f"] < 0.5 * summary["baseline_f"]
    assert NO_LEARNING not in summary["reason"]
    swept = sweep(make_sweep_config(config, "weight", 0.1, 0.9, 2))
    baselines = {p["baseline_f"] for p in swept.points()}
    assert baselines == {summary["baseline_f"]}


def test_runaway_needs_growth_in_every_eighth_and_at_the_end():
    steps = np.arange(8000)
    growing = 2.0 * steps  # as the diabetes λ: about the same growth every eighth
    cycling = 2 + 2 * np.sin(steps / 350)
    settled = 1 - np.exp(-steps / 300)
    means = block_means(steps, np.stack([growing, cycling, settled], axis=1), 8000)
    assert ran_away(means) == [0]
    summary = {"final": {"f": 1.0, "g": 0.5, "lambda": 89.4}, "violation": 0.2, "reason": ""}
    summary["converged"] = False
    alone = means[:, :1]
    said = warnings_of(summary, {"epsilon": 0.3, "constraint": "le"}, alone)
    assert said and said[0].startswith("λ kept growing") and "ε = 0.3" in said[0]
    assert warnings_of({**summary, "converged": True}, {"epsilon": 0.3}, alone) == []
    assert warnings_of({**summary, "violation": 0.0}, {"epsilon": 0.3}, alone) == []  # held

"""Every registered method trains a task, and a batched sweep equals its single runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from moo_core import METHODS, make_run_config, make_sweep_config, run, sweep

TASKS = {
    "classification": {"dataset": "moons", "target": "label", "objective": "l1", "hidden": "8"},
    "regression": {
        "dataset": "diabetes",
        "target": "target",
        "objective": "parity",
        "group": "sex",
        "hidden": "8",
    },
}


@pytest.mark.parametrize("kind", sorted(TASKS))
@pytest.mark.parametrize("method", METHODS.names())
def test_every_method_trains_a_task(method, kind):
    config = make_run_config(
        None, method, epsilon=0.05, constraint="le", steps=60, device="cpu", task=TASKS[kind]
    )
    result = run(config, keep_trajectory=True)
    assert result.outcome.status == "completed"
    assert result.outcome.steps == 60
    summary = result.summary()
    final = summary["final"]
    assert len(final["objectives"]) == 2
    for value in (
        final["f"],
        final["g"],
        final["lambda"],
        *final["objectives"],
        *(final["multipliers"] or ()),
        *summary["validation"].values(),
    ):
        assert value is None or math.isfinite(value)
    assert np.isfinite(result.trajectory["f"]).all() and np.isfinite(result.trajectory["g"]).all()
    assert summary["task"]["objective"] == TASKS[kind]["objective"]


def test_a_batched_sweep_equals_its_single_runs():
    base = make_run_config(
        None, "mdmm", constraint="le", steps=40, device="cpu", task=TASKS["classification"]
    )
    batched = sweep(make_sweep_config(base, "epsilon", 0.05, 0.2, 3))
    for value, outcome in zip(batched.values, batched.outcomes, strict=True):
        single = run(make_run_config(
            None, "mdmm", epsilon=value, constraint="le", steps=40, device="cpu",
            task=TASKS["classification"],
        )).outcome  # fmt: skip
        assert outcome.f == pytest.approx(single.f, rel=1e-4, abs=1e-6)
        assert outcome.g == pytest.approx(single.g, rel=1e-4, abs=1e-6)
        assert outcome.extra["val_f"] == pytest.approx(single.extra["val_f"], rel=1e-4, abs=1e-6)


def test_the_seed_draws_the_network_and_nothing_else():
    def final(seed: int) -> float:
        config = make_run_config(
            None, "weighted_sum", steps=20, seed=seed, device="cpu", task=TASKS["classification"]
        )
        return run(config).outcome.f

    assert final(0) == final(0)
    assert final(0) != final(1)

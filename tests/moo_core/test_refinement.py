"""The refinement example: refine a fast simulation toward the full one with a per-object
Huber loss f under an MMD constraint g ≤ ε on the ensemble (MDMM)."""

from __future__ import annotations

import pytest

from moo_core import make_run_config, run

TASK = {
    "dataset": "fastsim",
    "target": "full",
    "objective": "mmd",
    "loss": "huber",
    "hidden": "32,32",
    "batch_size": 256,
}
STEPS = 800
EPSILON = 0.006


@pytest.fixture(scope="module")
def unconstrained():
    config = make_run_config(
        None, "weighted_sum", steps=STEPS, device="cpu", hyperparams={"weight": 0.0}, task=TASK
    )
    return run(config).summary()


def test_huber_alone_leaves_the_refined_distribution_off_the_full_one(unconstrained):
    assert unconstrained["final"]["g"] > 2 * EPSILON
    assert unconstrained["validation"]["g"] > 2 * EPSILON


def test_mdmm_brings_the_mmd_within_epsilon_at_little_huber_cost(unconstrained):
    config = make_run_config(
        None,
        "mdmm",
        epsilon=EPSILON,
        constraint="le",
        steps=STEPS,
        device="cpu",
        # tuned on the balanced objectives (moo_core.scaling: g over g0^(3/4)·ε^(1/4), about
        # 0.45 here); on g over its start value (1.88) the same dynamics took δ = 10, lr_λ = 0.05
        hyperparams={"damping": 0.5, "lr_lambda": 0.003},
        task=TASK,
    )
    refined = run(config).summary()
    assert refined["status"] == "completed"
    assert refined["final"]["g"] <= EPSILON
    assert refined["final"]["lambda"] > 0  # the constraint is active
    assert refined["final"]["f"] <= 1.10 * unconstrained["final"]["f"]
    assert refined["validation"]["f"] <= 1.10 * unconstrained["validation"]["f"]

"""DTLZ2 (m = 3): the problem against its definition, and MDMM landing on its spherical front."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from moo_core import PROBLEMS, make_run_config, make_sweep_config, sweep

from ._helpers import run_once


def test_dtlz2_declares_three_objectives_and_a_spherical_front():
    problem = PROBLEMS.get("dtlz2")
    assert problem.n_objectives == 3 and problem.dim == 12
    front = problem().front(400)
    assert front.shape[1] == 3 and (front >= -1e-12).all()
    np.testing.assert_allclose(np.linalg.norm(front, axis=1), 1.0, atol=1e-12)
    assert problem.describe()["objective_names"] == ["f", "g1", "g2"]


def test_dtlz2_values_follow_the_definition():
    x = torch.rand(5, 12, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    values = PROBLEMS.get("dtlz2")().evaluate([x], 0)
    radius = 1.0 + ((x[:, 2:] - 0.5) ** 2).sum(1)
    # on the sphere of that radius, whatever the angles
    torch.testing.assert_close(values.norm(dim=1), radius)
    torch.testing.assert_close(values[:, 2], radius * torch.sin(x[:, 0] * math.pi / 2))


def test_dtlz2_exact_front_distance():
    problem = PROBLEMS.get("dtlz2")()
    on, off, nan = problem.front_distances([[0.6, 0.0, 0.8], [1.2, 0.0, 1.6], [np.nan, 0, 0]])
    assert on == pytest.approx(0.0, abs=1e-12)
    assert off == pytest.approx(1.0)
    assert np.isnan(nan)


@pytest.mark.parametrize(("epsilons", "kinds"), [((0.5, 0.5), "eq,eq"), ((0.3, 0.6), "eq,eq")])
def test_mdmm_with_two_equality_constraints_lands_on_the_sphere(epsilons, kinds):
    hp = {"lr": 0.03, "lr_lambda": 0.05}
    result = run_once(
        "dtlz2", "mdmm", epsilon=",".join(map(str, epsilons)), constraint=kinds, steps=3000, hp=hp
    )
    outcome = result.outcome
    assert outcome.status == "completed"
    assert outcome.front_distance < 1e-5  # on the unit sphere
    assert outcome.violation < 1e-4  # at both ε
    f, g1, g2 = outcome.objectives
    assert (g1, g2) == pytest.approx(epsilons, abs=1e-4)
    assert f == pytest.approx(math.sqrt(1.0 - epsilons[0] ** 2 - epsilons[1] ** 2), abs=1e-4)
    assert len(outcome.multipliers) == 2 and all(lam > 0 for lam in outcome.multipliers)


def test_sweeping_one_constraint_keeps_the_other_fixed():
    hp = {"lr": 0.03, "lr_lambda": 0.05}
    config = make_run_config(
        "dtlz2", "mdmm", epsilon="0.4,0.4", steps=2000, device="cpu", hyperparams=hp
    )
    swept = make_sweep_config(config, "epsilon2", 0.2, 0.6, 3)
    assert [r.epsilons() for r in swept.runs()] == [(0.4, 0.2), (0.4, 0.4), (0.4, 0.6)]
    result = sweep(swept)
    for value, outcome in zip(swept.values, result.outcomes, strict=True):
        assert outcome.objectives[1] == pytest.approx(0.4, abs=2e-3)
        assert outcome.objectives[2] == pytest.approx(value, abs=2e-3)
    assert result.hypervolume is not None and result.hypervolume > 0
    assert {"f", "g1", "g2", "lambda1", "lambda2"} <= set(result.points()[0])

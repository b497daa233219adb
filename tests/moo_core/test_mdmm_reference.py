"""Step-for-step agreement with the reference `mdmm` package (Crowson) on the concave problem."""

from __future__ import annotations

import mdmm
import numpy as np
import pytest
import torch

from moo_core.problems import PROBLEMS

from ._helpers import run_once

STEPS = 500
LR = 0.01
DAMPING = 10.0


def reference_trajectory(constraint_cls, epsilon: float, steps: int = STEPS):
    """The package's own loop; returns per-step f, g and lmbda (before each update)."""
    problem = PROBLEMS.get("concave")()
    x = torch.tensor(problem.default_init, dtype=torch.float32, requires_grad=True)

    def objectives():
        return problem.objectives(x)

    constraint = constraint_cls(lambda: objectives()[1], epsilon, damping=DAMPING)
    method = mdmm.MDMM([constraint])
    optimizer = method.make_optimizer([x], optimizer=torch.optim.SGD, lr=LR)
    fs, gs, lams = [], [], []
    for _ in range(steps):
        f, _ = objectives()
        result = method(f)
        fs.append(f.item())
        gs.append(result.fn_values[0].item())
        lams.append(constraint.lmbda.item())
        optimizer.zero_grad()
        result.value.backward()
        optimizer.step()
    return np.array(fs), np.array(gs), np.array(lams)


def ours(constraint: str, epsilon: float):
    hp = {"optimizer": "sgd", "lr": LR, "lr_lambda": LR, "damping": DAMPING}
    result = run_once(
        "concave", "mdmm", epsilon=epsilon, constraint=constraint, steps=STEPS, hp=hp, keep=True
    )
    return result.trajectory


@pytest.mark.parametrize(
    ("constraint", "constraint_cls", "epsilon"),
    [("eq", mdmm.EqConstraint, 0.6), ("le", mdmm.MaxConstraint, 0.3)],
)
def test_mdmm_matches_the_reference_package(constraint, constraint_cls, epsilon):
    ref_f, ref_g, ref_lam = reference_trajectory(constraint_cls, epsilon)
    trajectory = ours(constraint, epsilon)
    assert len(trajectory["f"]) == STEPS
    np.testing.assert_allclose(trajectory["f"], ref_f, rtol=0, atol=1e-5)
    np.testing.assert_allclose(trajectory["g"], ref_g, rtol=0, atol=1e-5)
    # our λ is the negative of the package's lmbda; λ is logged before its update
    np.testing.assert_allclose(trajectory["lambda"], -ref_lam, rtol=0, atol=1e-5)
    # the comparison is not vacuous: the constraint is active and λ moves
    assert np.abs(ref_lam).max() > 0.05
    if constraint == "le":
        assert ref_g[0] > epsilon  # infeasible at the start, so the slack matters

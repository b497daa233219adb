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
    # the package's inequalities are the squared-slack form (projected is moo_core's default)
    hp = {"optimizer": "sgd", "lr": LR, "lr_lambda": LR, "damping": DAMPING, "inequality": "slack"}
    result = run_once(
        "concave", "mdmm", epsilon=epsilon, constraint=constraint, steps=STEPS, hp=hp, keep=True
    )
    return result.trajectory


# (our constraint, the package's class, ε, the sign between our λ and the package's lmbda,
# whether the constraint binds from the start). The package writes the infeasibility as ε − g
# (− s²) for equality and max constraints, so there λ = −lmbda; for min constraints it writes
# g − ε − s², which is our residual, so there λ = +lmbda.
CASES = [
    ("eq", mdmm.EqConstraint, 0.6, -1.0, True),
    ("eq", mdmm.EqConstraint, 0.3, -1.0, True),
    ("le", mdmm.MaxConstraint, 0.3, -1.0, True),  # g(start) = 0.835 > 0.3: active
    ("le", mdmm.MaxConstraint, 0.9, -1.0, False),  # feasible start: the slack absorbs it
    ("ge", mdmm.MinConstraint, 0.9, 1.0, True),
    ("ge", mdmm.MinConstraint, 0.3, 1.0, False),
]


@pytest.mark.parametrize(("constraint", "constraint_cls", "epsilon", "sign", "active"), CASES)
def test_mdmm_matches_the_reference_package(constraint, constraint_cls, epsilon, sign, active):
    ref_f, ref_g, ref_lam = reference_trajectory(constraint_cls, epsilon)
    trajectory = ours(constraint, epsilon)
    assert len(trajectory["f"]) == STEPS
    np.testing.assert_allclose(trajectory["f"], ref_f, rtol=0, atol=1e-5)
    np.testing.assert_allclose(trajectory["g"], ref_g, rtol=0, atol=1e-5)
    # λ is logged before its update, as the package's lmbda is read before the step
    np.testing.assert_allclose(trajectory["lambda"], sign * ref_lam, rtol=0, atol=1e-5)
    if active:  # the comparison is not vacuous: λ moves
        assert np.abs(ref_lam).max() > 0.05


def test_bdmm_is_mdmm_without_damping():
    hp = {"optimizer": "sgd", "lr": LR, "lr_lambda": LR}
    bdmm = run_once("concave", "bdmm", epsilon=0.6, steps=STEPS, hp=hp, keep=True).trajectory
    mdmm_0 = run_once(
        "concave", "mdmm", epsilon=0.6, steps=STEPS, hp={**hp, "damping": 0.0}, keep=True
    ).trajectory
    for name in ("f", "g", "lambda"):
        np.testing.assert_array_equal(bdmm[name], mdmm_0[name])

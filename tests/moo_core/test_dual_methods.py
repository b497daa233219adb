"""The augmented Lagrangian and νPI methods: step-for-step agreement with cooper (cooper-optim
1.0.1, its own loop), convergence to the MDMM answer, several constraints, bad settings."""

from __future__ import annotations

import math

import cooper
import numpy as np
import pytest
import torch

from moo_core import Balancer
from moo_core.problems import PROBLEMS

from ._helpers import cli, run_once

STEPS = 300
LR = 0.01
KINDS = {"eq": cooper.ConstraintType.EQUALITY, "le": cooper.ConstraintType.INEQUALITY}


class Concave(cooper.ConstrainedMinimizationProblem):
    """The concave problem with one constraint g − ε (= 0 or ≤ 0) in cooper's terms."""

    def __init__(self, kind, epsilon, formulation, penalty=None):
        super().__init__()
        self.problem, self.epsilon = PROBLEMS.get("concave")(), epsilon
        self.multiplier = cooper.multipliers.DenseMultiplier(num_constraints=1)
        coefficient = None
        if penalty is not None:
            coefficient = cooper.penalty_coefficients.DensePenaltyCoefficient(torch.tensor(penalty))
        self.constraint = cooper.Constraint(
            KINDS[kind], formulation, multiplier=self.multiplier, penalty_coefficient=coefficient
        )

    def compute_cmp_state(self, x):
        f, g = self.problem.objectives(x.unsqueeze(0))
        violation = cooper.ConstraintState(violation=g - self.epsilon)
        return cooper.CMPState(loss=f[0], observed_constraints={self.constraint: violation})


def cooper_trajectory(method, hp, kind, epsilon):
    """cooper's loop: SGD on x, the formulation's dual optimizer on λ; f, g, λ per step."""
    if method == "augmented_lagrangian":
        cmp = Concave(kind, epsilon, cooper.formulations.AugmentedLagrangian, hp["penalty"])
        dual = torch.optim.SGD(cmp.dual_parameters(), lr=hp["penalty"], maximize=True)
        alternating = hp["updates"] == "alternating"
    else:
        cmp = Concave(kind, epsilon, cooper.formulations.Lagrangian)
        init = {"sgd": cooper.optim.nuPIInitType.SGD, "zeros": cooper.optim.nuPIInitType.ZEROS}
        dual = cooper.optim.nuPI(
            cmp.dual_parameters(),
            lr=hp["lr_lambda"],
            Kp=hp["kp"],
            Ki=hp["ki"],
            ema_nu=hp["ema_nu"],
            init_type=init[hp["init"]],
            maximize=True,
        )
        alternating = False
    x = torch.tensor(cmp.problem.default_init, dtype=torch.float32, requires_grad=True)
    primal = torch.optim.SGD([x], lr=LR)
    optimizer_class = (
        cooper.optim.AlternatingPrimalDualOptimizer
        if alternating
        else cooper.optim.SimultaneousOptimizer
    )
    optimizer = optimizer_class(cmp, primal_optimizers=primal, dual_optimizers=dual)
    rows = []
    for _ in range(STEPS):
        with torch.no_grad():
            f, g = cmp.problem.objectives(x.unsqueeze(0))
        rows.append((f.item(), g.item(), cmp.multiplier.weight.item()))
        optimizer.roll(compute_cmp_state_kwargs={"x": x})
    return np.array(rows).T


AL = {"penalty": 20.0, "updates": "alternating"}
NUPI = {"lr_lambda": 0.1, "kp": 100.0, "ki": 1.0, "ema_nu": 0.0, "init": "sgd"}
# (method, hyperparameters, kind, ε): le 0.3 binds from the start; le 0.9 holds at the start
# (λ projected at 0, its pull clipped) and binds later
CASES = [
    ("augmented_lagrangian", AL, "eq", 0.6),
    ("augmented_lagrangian", AL, "le", 0.3),
    ("augmented_lagrangian", AL, "le", 0.9),
    ("augmented_lagrangian", {**AL, "updates": "simultaneous", "penalty": 2.0}, "eq", 0.6),
    ("augmented_lagrangian", {**AL, "updates": "simultaneous", "penalty": 2.0}, "le", 0.3),
    ("nupi", NUPI, "eq", 0.6),
    ("nupi", NUPI, "le", 0.3),
    ("nupi", NUPI, "le", 0.9),
    ("nupi", {**NUPI, "ema_nu": 0.5, "kp": 30.0, "ki": 3.0}, "eq", 0.6),
    ("nupi", {**NUPI, "ema_nu": 0.9, "init": "zeros"}, "le", 0.3),
]


@pytest.mark.parametrize(("method", "hp", "kind", "epsilon"), CASES)
def test_matches_cooper_step_for_step(method, hp, kind, epsilon):
    ref_f, ref_g, ref_lam = cooper_trajectory(method, hp, kind, epsilon)
    settings = {"optimizer": "sgd", "lr": LR, **hp}
    ours = run_once(
        "concave", method, epsilon=epsilon, constraint=kind, steps=STEPS, hp=settings, keep=True
    ).trajectory
    np.testing.assert_allclose(ours["f"], ref_f, rtol=0, atol=1e-5)
    np.testing.assert_allclose(ours["g"], ref_g, rtol=0, atol=1e-5)
    # λ reaches 30 and ρ = 20 scales each float32 rounding of d: 1e-5 of λ's own scale
    scale = max(1.0, np.abs(ref_lam).max())
    np.testing.assert_allclose(ours["lambda"], ref_lam, rtol=0, atol=1e-5 * scale)
    assert np.abs(ref_lam).max() > 0.1  # not vacuous: λ moves


@pytest.mark.parametrize("method", ["augmented_lagrangian", "nupi"])
def test_defaults_converge_to_the_mdmm_answer(method):
    outcome = run_once("concave", method, epsilon=0.6, steps=3000).outcome
    f, g = outcome.objectives
    assert abs(g - 0.6) < 1e-3
    assert abs(f - 0.6629) < 1e-3


@pytest.mark.parametrize("method", ["augmented_lagrangian", "nupi"])
def test_two_constraints_of_different_kinds_on_dtlz2(method):
    # g₁ = 0.5, g₂ ≤ 0.6 on the sphere f² + g₁² + g₂² = 1: g₂ binds, f = √0.39
    outcome = run_once(
        "dtlz2", method, epsilon=(0.5, 0.6), constraint=("eq", "le"), steps=3000
    ).outcome
    assert outcome.status == "completed"
    assert len(outcome.multipliers) == 2
    assert all(math.isfinite(v) for v in (*outcome.objectives, *outcome.multipliers))
    np.testing.assert_allclose(outcome.objectives, [math.sqrt(0.39), 0.5, 0.6], atol=1e-3)


@pytest.mark.parametrize("method", ["augmented_lagrangian", "nupi"])
def test_checkpoint_resumes_the_same_trajectory(method):
    x0 = torch.tensor([[0.6, -0.4], [0.2, 0.1]])
    problem = PROBLEMS.get("concave")()

    def steps(balancer, x, count):
        lams = []
        for _ in range(count):
            x.grad = None
            f, g = problem.objectives(x)
            lams.append(balancer.backward(f, [g], [x]).multipliers)
            with torch.no_grad():
                x -= LR * x.grad
        return torch.stack(lams)

    constraints = [("le", torch.tensor([0.3, 0.9]))]
    whole = steps(Balancer(method, constraints), x0.clone().requires_grad_(), 40)
    first = Balancer(method, constraints)
    x = x0.clone().requires_grad_()
    steps(first, x, 20)
    resumed = Balancer(method, constraints)
    resumed.load_state_dict(first.state_dict())
    torch.testing.assert_close(steps(resumed, x, 20), whole[20:])


@pytest.mark.parametrize(
    ("method", "setting"),
    [
        ("augmented_lagrangian", "penalty=-1"),
        ("nupi", "kp=-1"),
        ("nupi", "ki=-0.5"),
        ("nupi", "ema_nu=1"),
    ],
)
def test_bad_hyperparameters_exit_2_with_one_line(method, setting):
    result = cli("run", "--problem", "concave", "--method", method, "--set", setting)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert setting.split("=")[0] in result.stderr

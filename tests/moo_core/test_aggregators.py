"""The aggregators against the reference libraries: TorchJD 0.18.0 (UPGrad, DualProj, IMTL-G,
CAGrad, Nash-MTL, MGDA, PCGrad) on the `.grad` of random MLP losses, LibMTL 1.1.5 (UW, DWA)
step for step; then every aggregator trains on dtlz2 and concave through the CLI, and bad
hyperparameters exit 2."""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import sys
import types
import warnings

import cvxpy
import numpy as np
import pytest
import torch
from torchjd.aggregation import IMTLG, MGDA, CAGrad, DualProj, NashMTL, PCGrad, UPGrad
from torchjd.autojac import backward, jac_to_grad

from moo_core import Balancer
from moo_core.cli import main
from moo_core.methods._cagrad import cagrad_inner
from moo_core.methods._dual_cone import _active_sets, normalize, prepared, project_dual_cone

AGGREGATORS = ("upgrad", "cagrad", "imtl_g", "dualproj", "nash_mtl", "uncertainty", "dwa")
SEEDS = range(4)


def mlp(m: int, seed: int):
    """A small tanh MLP with m outputs and its m squared-error losses (float64)."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(16, 5, generator=generator, dtype=torch.float64)
    targets = torch.randn(16, m, generator=generator, dtype=torch.float64)
    hidden = (0.5 * torch.randn(5, 8, generator=generator, dtype=torch.float64)).requires_grad_()
    bias = torch.zeros(8, dtype=torch.float64, requires_grad=True)
    head = (0.5 * torch.randn(8, m, generator=generator, dtype=torch.float64)).requires_grad_()
    params = [hidden, bias, head]

    def losses():
        return ((torch.tanh(inputs @ hidden + bias) @ head - targets) ** 2).mean(0)

    return params, losses


def grads_of(method: str, aggregator, m: int, seed: int, steps: int = 1, **hyperparameters):
    """TorchJD's and moo_core's `.grad` after `steps` steps on the same losses."""
    params, losses = mlp(m, seed)
    balancer = Balancer(method, **hyperparameters)
    reference, ours = [], []
    for _ in range(steps):
        for param in params:
            param.grad = None
        backward(list(losses()))
        jac_to_grad(params, aggregator)
        reference.append([param.grad.clone() for param in params])
        for param in params:
            param.grad = None
        values = losses()
        balancer.backward(values[0], list(values[1:]), params)
        ours.append([param.grad.clone() for param in params])
    return reference, ours


def relative_difference(reference, ours) -> float:
    """The largest ‖ours − reference‖ / ‖reference‖ over parameters and steps."""
    return max(
        ((mine - theirs).norm() / theirs.norm()).item()
        for ref_step, our_step in zip(reference, ours, strict=True)
        for theirs, mine in zip(ref_step, our_step, strict=True)
    )


@pytest.fixture
def tight_clarabel(monkeypatch):
    """TorchJD's CAGradWeighting calls cvxpy's `solve(CLARABEL)` with the solver's default
    tolerances (gap 1e-8), which leave its weights ~1e-4 off the optimum (the objective is
    flat there): tighten them, so that TorchJD's own program is solved to 1e-5."""
    solve = cvxpy.Problem.solve

    def tight(self, *args, **kwargs):
        kwargs.update(tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11, tol_ktratio=1e-9)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "solution may be inaccurate" at these tolerances
            return solve(self, *args, max_iter=500, **kwargs)

    monkeypatch.setattr(cvxpy.Problem, "solve", tight)


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize(
    ("method", "make"), [("upgrad", UPGrad), ("dualproj", DualProj), ("imtl_g", IMTLG)]
)
def test_gram_weightings_match_torchjd(method, make, m):
    worst = max(relative_difference(*grads_of(method, make(), m, seed)) for seed in SEEDS)
    assert worst < 1e-5, worst  # measured ≤ 3e-15


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize("c", [0.5, 2.0])
def test_cagrad_matches_torchjd(m, c, tight_clarabel):
    worst = max(relative_difference(*grads_of("cagrad", CAGrad(c=c), m, s, c=c)) for s in SEEDS)
    assert worst < 1e-5, worst  # measured ≤ 3e-6


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize(("max_norm", "every"), [(1.0, 1), (0.0, 1), (1.0, 2)])
def test_nash_mtl_matches_torchjd(m, max_norm, every):
    """Four steps, so that `update_weights_every` reuses TorchJD's and our previous α."""
    worst = 0.0
    for seed in SEEDS:
        aggregator = NashMTL(n_tasks=m, max_norm=max_norm, update_weights_every=every)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pair = grads_of(
                "nash_mtl", aggregator, m, seed, steps=4,
                max_norm=max_norm, update_weights_every=every,
            )  # fmt: skip
        worst = max(worst, relative_difference(*pair))
    assert worst < 1e-5, worst  # measured ≤ 5e-7


def test_nash_mtl_meets_the_bargaining_condition():
    """αᵢ·(Gα)ᵢ = 1 for every task (Navon et al. 2022, eq. 4), before any clipping."""
    generator = torch.Generator().manual_seed(3)
    jacobian = torch.randn(6, 5, 9, generator=generator, dtype=torch.float64)
    gram = jacobian @ jacobian.transpose(1, 2)
    alpha = Balancer("nash_mtl", max_norm=0.0).weigh(torch.ones(6, 5), gram).weights
    assert (alpha > 0).all()
    condition = alpha * (gram @ alpha.unsqueeze(-1)).squeeze(-1)
    torch.testing.assert_close(condition, torch.ones_like(condition), rtol=0, atol=1e-9)


@pytest.mark.parametrize("m", [2, 3])
def test_mgda_matches_torchjd_tightly(m):
    aggregator = MGDA(epsilon=1e-12, max_iters=100_000)
    worst = max(relative_difference(*grads_of("mgda", aggregator, m, seed)) for seed in SEEDS)
    assert worst < 1e-5, worst  # measured ≤ 2e-11


def test_mgda_five_tasks_matches_torchjd_at_its_tolerance():
    """TorchJD's Frank–Wolfe converges sublinearly: after 20,000 iterations its weights are
    still ~5e-4 off (1e-5 takes 10⁶ iterations, 100 s); moo_core's exact QP must agree to
    that and reach a norm no larger."""
    for seed in SEEDS:
        reference, ours = grads_of("mgda", MGDA(epsilon=1e-12, max_iters=20_000), 5, seed)
        assert relative_difference(reference, ours) < 2e-3
        norm = lambda grads: sum(g.pow(2).sum() for g in grads[0])  # noqa: E731
        assert norm(ours) <= norm(reference) * (1 + 1e-12)


def test_pcgrad_two_tasks_matches_torchjd():
    worst = max(relative_difference(*grads_of("pcgrad", PCGrad(), 2, seed)) for seed in SEEDS)
    assert worst < 1e-5, worst


def test_the_large_m_fallback_reaches_the_exact_answer():
    """Beyond m = 8 the dual-cone QP is solved by projected descent: against the exact
    enumeration at m = 9."""
    generator = torch.Generator().manual_seed(8)
    jacobian = torch.randn(2, 9, 12, generator=generator, dtype=torch.float64)
    gram = jacobian @ jacobian.transpose(1, 2)
    u = torch.full((2, 9), 1.0 / 9, dtype=torch.float64)
    exact = _active_sets(u, prepared(gram))
    torch.testing.assert_close(project_dual_cone(u, gram), exact, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("m", [3, 6, 10])
def test_cagrad_inner_problem_is_solved_exactly_for_any_m(m):
    """CAGrad's inner problem min over the simplex of bᵀw + φ‖g_w‖ against cvxpy's CLARABEL
    at tight tolerances (TorchJD's formulation), rank-deficient Grams included: never a
    worse value."""
    generator = torch.Generator().manual_seed(m)
    for dimension in (m - 1, 2 * m):
        jacobian = torch.randn(3, m, dimension, generator=generator, dtype=torch.float64)
        gram = normalize(jacobian @ jacobian.transpose(1, 2))
        u = torch.full((3, m), 1.0 / m, dtype=torch.float64)
        b = (gram @ u.unsqueeze(-1)).squeeze(-1)
        for c in (0.5, 2.0):
            phi = c * (u * b).sum(-1).sqrt()
            ours = cagrad_inner(gram, b, phi)
            for k in range(3):
                w = cvxpy.Variable(m)
                root = np.linalg.cholesky(gram[k].numpy() + 1e-12 * np.eye(m))
                cost = b[k].numpy() @ w + phi[k].item() * cvxpy.norm(root.T @ w, 2)
                problem = cvxpy.Problem(cvxpy.Minimize(cost), [w >= 0, cvxpy.sum(w) == 1])
                problem.solve(cvxpy.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12)
                value = b[k] @ ours[k] + phi[k] * (ours[k] @ gram[k] @ ours[k]).sqrt()
                assert value <= problem.value + 1e-8, (value.item(), problem.value)


# ---- LibMTL ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libmtl():
    """LibMTL's UW and DWA classes, imported without the package's __init__ (it imports
    torchvision, which is not installed here: LibMTL is installed with --no-deps)."""
    spec = importlib.util.find_spec("LibMTL")
    package = types.ModuleType("LibMTL")
    package.__path__ = list(spec.submodule_search_locations)
    saved = sys.modules.get("LibMTL")
    sys.modules["LibMTL"] = package
    try:
        uw = importlib.import_module("LibMTL.weighting.UW").UW
        dwa = importlib.import_module("LibMTL.weighting.DWA").DWA
    finally:
        if saved is None:
            sys.modules.pop("LibMTL")
        else:
            sys.modules["LibMTL"] = saved
    return uw, dwa


def loss_sequence(m: int, steps: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(steps, m, generator=generator) * 2.0 + 0.05


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_uncertainty_matches_libmtl_uw(libmtl, m, optimizer):
    """LibMTL's UW driven directly (its loss_scale trained by a torch optimizer) against the
    lab's weights over 30 steps of the same losses: the method stepping its log-variances
    itself (the lab's engine, its `optimizer` setting) and the same torch optimizer stepping
    them through `parameters()` (a user's own loop, as LibMTL does)."""
    uw = libmtl[0]()
    uw.task_num, uw.device = m, "cpu"
    uw.init_param()
    make = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    optim = make([uw.loss_scale], lr=0.05)
    builtin = Balancer.configured("uncertainty", optimizer=optimizer, lr_log_variance=0.05)
    own = Balancer("uncertainty")
    own_optim = make(list(own.parameters()), lr=0.05)
    for values in loss_sequence(m, 30, seed=m):
        optim.zero_grad()
        reference = uw.backward(values.clone().requires_grad_(True))
        optim.step()
        ours = builtin.weigh(values.unsqueeze(0)).weights[0]
        np.testing.assert_allclose(ours.numpy(), reference, rtol=1e-5)
        own_optim.zero_grad()
        mine = own.weigh(values.unsqueeze(0)).weights[0]
        own_optim.step()
        np.testing.assert_allclose(mine.numpy(), reference, rtol=1e-6)


@pytest.mark.parametrize("m", [2, 3, 5])
@pytest.mark.parametrize("temperature", [2.0, 0.5])
def test_dwa_matches_libmtl(libmtl, m, temperature):
    """LibMTL's DWA driven directly, one lab step per LibMTL epoch (its loss buffer holds the
    losses of the steps so far)."""
    dwa = libmtl[1]()
    dwa.task_num, dwa.device = m, "cpu"
    losses = loss_sequence(m, 12, seed=10 + m)
    dwa.train_loss_buffer = losses.T.double().numpy()
    balancer = Balancer("dwa", temperature=temperature)
    for epoch, values in enumerate(losses):
        dwa.epoch = epoch
        reference = dwa.backward(values.clone().requires_grad_(True), T=temperature)
        ours = balancer.weigh(values.unsqueeze(0)).weights[0]
        np.testing.assert_allclose(ours.numpy(), reference, rtol=1e-6)


# ---- through the CLI ------------------------------------------------------------------------


@pytest.mark.parametrize("problem", ["dtlz2", "concave"])
@pytest.mark.parametrize("method", AGGREGATORS)
def test_each_aggregator_trains_200_steps_through_the_cli(method, problem, capsys):
    args = ["run", "--problem", problem, "--method", method, "--steps", "200", "--device", "cpu"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "completed" and summary["steps"] == 200
    final = summary["final"]
    assert len(final["objectives"]) == (3 if problem == "dtlz2" else 2)
    assert all(math.isfinite(v) for v in final["objectives"] + final["multipliers"])


BAD = {
    "upgrad": "c=0.5",  # no hyperparameter of its own
    "dualproj": "reg_eps=1",
    "imtl_g": "lr=0",
    "cagrad": "c=-1",
    "nash_mtl": "update_weights_every=0",
    "uncertainty": "lr_log_variance=0",
    "dwa": "temperature=0",
}


@pytest.mark.parametrize("method", AGGREGATORS)
def test_bad_hyperparameters_exit_2_with_one_line(method, capsys):
    args = ["run", "--problem", "concave", "--method", method, "--set", BAD[method]]
    assert main([*args, "--steps", "5", "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert BAD[method].split("=")[0] in err

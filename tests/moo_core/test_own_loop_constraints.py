"""Constraints in a user's own Adam loop, held as well as the reference `mdmm` package holds
them: an MLP with `le` constraints mean|W₁| ≤ 0.03 and mean(pred²) ≤ ½·var(y), lr 3e-3,
6,000 steps, λ stepped by the user's optimizer (`balancer.parameters()`)."""

from __future__ import annotations

import mdmm
import numpy as np
import pytest
import torch

from moo_core import Balancer

STEPS, LR, BOUND_W, DAMPING = 6000, 3e-3, 0.03, 10.0
TAIL = 1000  # the last steps, averaged: the end of an oscillating path is not its level


def problem():
    torch.manual_seed(0)
    x = torch.randn(512, 8)
    y = 3.0 * x[:, :1] + x[:, 1:4].sum(1, keepdim=True) + 0.1 * torch.randn(512, 1)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
    return x, y, model, 0.5 * y.var().item()


def package_loop() -> np.ndarray:
    """The package's own loop: MaxConstraint (squared slack), its make_optimizer with Adam."""
    x, y, model, bound = problem()
    held = {}
    sparsity = mdmm.MaxConstraint(lambda: model[0].weight.abs().mean(), BOUND_W, damping=DAMPING)
    power = mdmm.MaxConstraint(lambda: held["p"].pow(2).mean(), bound, damping=DAMPING)
    constrained = mdmm.MDMM([sparsity, power])
    optimizer = constrained.make_optimizer(model.parameters(), optimizer=torch.optim.Adam, lr=LR)
    path = []
    for _ in range(STEPS):
        held["p"] = prediction = model(x)
        result = constrained(torch.nn.functional.mse_loss(prediction, y))
        path.append((result.fn_values[0].item(), result.fn_values[1].item()))
        optimizer.zero_grad()
        result.value.backward()
        optimizer.step()
    return np.array(path)


def balancer_loop(**hyperparameters) -> np.ndarray:
    x, y, model, bound = problem()
    balancer = Balancer(
        "mdmm", [("le", BOUND_W), ("le", bound)], damping=DAMPING, **hyperparameters
    )
    optimizer = torch.optim.Adam([*model.parameters(), *balancer.parameters()], lr=LR)
    path = []
    for _ in range(STEPS):
        prediction = model(x)
        loss = torch.nn.functional.mse_loss(prediction, y)
        sparsity, power = model[0].weight.abs().mean(), prediction.pow(2).mean()
        path.append((sparsity.item(), power.item()))
        optimizer.zero_grad()
        balancer.backward(loss, [sparsity, power], model.parameters())
        optimizer.step()
    return np.array(path)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return package_loop()


def held_within(path: np.ndarray, share: float) -> bool:
    """Both constraints bind here: each tail mean within `share` of its bound, either side."""
    bounds = np.array([BOUND_W, problem()[3]])
    return bool((np.abs(path[-TAIL:].mean(0) / bounds - 1.0) <= share).all())


def test_the_package_holds_both_within_5_percent(reference):
    assert held_within(reference, 0.05), reference[-TAIL:].mean(0)  # measured 0.0300, 5.666


def test_the_slack_form_on_the_users_optimizer_is_the_package_step_for_step(reference):
    """inequality="slack" with λ and the slack on the user's Adam: the package's own method
    (its λ is minus ours for `le`), to rounding."""
    np.testing.assert_allclose(balancer_loop(inequality="slack"), reference, rtol=1e-5)


def test_projected_multipliers_on_the_users_optimizer_hold_within_5_percent():
    """The default projected λ ≥ 0, stepped by the user's Adam: within 5 % after 6,000 steps
    as the package (the built-in ascent at lr_lambda = 3e-3 ends at 0.0358, 19 % over)."""
    path = balancer_loop()
    assert held_within(path, 0.05), path[-TAIL:].mean(0)  # measured 0.0300 (1 thread),
    # 0.0294 (2 threads); 5.68 against 5.666

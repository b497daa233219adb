"""Each method's coefficients (a, b) against its formula; the batched optimizers against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moo_core import METHODS, hyperparams_of
from moo_core.methods import Constraint, Gram
from moo_core.optim import BatchedAdam, BatchedSGD

K = 6


def make(method: str, constraint: str = "eq", epsilon: float = 0.5, **overrides):
    cls = METHODS.get(method)
    settings = {}
    for spec in hyperparams_of(cls):
        value = overrides.get(spec.name, spec.default)
        settings[spec.name] = torch.full((K,), float(value)) if spec.sweepable else value
    return cls(settings, Constraint(constraint, torch.full((K,), epsilon)))


def vectors(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    u = torch.randn(K, 3, generator=generator, dtype=torch.float64)
    v = torch.randn(K, 3, generator=generator, dtype=torch.float64)
    return u, v, Gram((u * u).sum(1), (v * v).sum(1), (u * v).sum(1))


def values(seed: int = 0):
    generator = torch.Generator().manual_seed(seed + 100)
    return (
        torch.rand(K, generator=generator, dtype=torch.float64) + 0.05,
        torch.rand(K, generator=generator, dtype=torch.float64) + 0.05,
    )


@pytest.mark.parametrize("seed", range(5))
def test_pcgrad_projects_conflicting_gradients(seed):
    u, v, gram = vectors(seed)
    a, b = make("pcgrad").weights(*values(seed), gram)
    got = a[:, None] * u + b[:, None] * v
    for k in range(K):
        uk, vk = u[k], v[k]
        dot = float(uk @ vk)
        if dot < 0:
            expected = (uk - dot / float(vk @ vk) * vk) + (vk - dot / float(uk @ uk) * uk)
            # the projected gradients no longer conflict with the other task
            assert float((uk - dot / float(vk @ vk) * vk) @ vk) == pytest.approx(0.0, abs=1e-9)
        else:
            expected = uk + vk
        torch.testing.assert_close(got[k], expected)


@pytest.mark.parametrize("weight", [0.0, 0.3, 1.0])
def test_weighted_sum(weight):
    f, g = values()
    a, b = make("weighted_sum", weight=weight).weights(f, g, vectors()[2])
    torch.testing.assert_close(a, torch.full((K,), 1.0 - weight, dtype=a.dtype))
    torch.testing.assert_close(b, torch.full((K,), weight, dtype=b.dtype))


@pytest.mark.parametrize("alpha", [0.0, 0.25, 0.9])
def test_geometric_mean_is_the_gradient_of_the_log_product(alpha):
    f, g = values()
    shift = 0.01  # inside every log: weights stay ≤ 1/shift
    a, b = make("geometric_mean", alpha=alpha, shift=shift).weights(f, g, vectors()[2])
    torch.testing.assert_close(a, (1.0 - alpha) / (f + shift))
    torch.testing.assert_close(b, alpha / (g + shift))
    assert (a >= 0).all() and (b >= 0).all()  # descent on both, never ascent


@pytest.mark.parametrize("kind", ["eq", "le", "ge"])
@pytest.mark.parametrize("shape", ["squared", "hinge"])
def test_penalty_slope(kind, shape):
    mu, epsilon = 3.0, 0.5
    g = torch.tensor([0.1, 0.4, 0.5, 0.6, 0.9, 1.5], dtype=torch.float64)
    f = torch.ones(K, dtype=torch.float64)
    a, b = make("penalty", kind, epsilon, penalty_weight=mu, kind=shape).weights(f, g, vectors()[2])
    gap = (g - epsilon).numpy()
    active = {"eq": gap, "le": np.maximum(gap, 0.0), "ge": np.minimum(gap, 0.0)}[kind]
    slope = 2.0 * active if shape == "squared" else np.sign(active)
    np.testing.assert_allclose(a.numpy(), 1.0)
    np.testing.assert_allclose(b.numpy(), mu * slope, atol=1e-7)


def test_gradnorm_weights_stay_positive_and_sum_to_two():
    method = make("gradnorm", lr_weights=0.5)
    for step in range(20):
        gram = vectors(step)[2]
        f, g = values(step)
        a, b = method.weights(f, g, gram)
        if step == 0:
            torch.testing.assert_close(a, torch.ones_like(a))
            torch.testing.assert_close(b, torch.ones_like(b))
        assert (a > 0).all() and (b > 0).all()
        torch.testing.assert_close(a + b, torch.full_like(a, 2.0))
        torch.testing.assert_close(method.multiplier(), b)  # the weight that step used


def test_gradnorm_moves_weight_to_the_smaller_gradient():
    # equal loss ratios, ‖∇g‖ ≪ ‖∇f‖: balancing the weighted norms raises w_g
    method = make("gradnorm", lr_weights=0.01)
    gram = Gram(torch.full((K,), 100.0), torch.full((K,), 1.0), torch.zeros(K))
    f = g = torch.ones(K)
    for _ in range(10):
        method.weights(f, g, gram)
    _, b = method.weights(f, g, gram)
    assert (b > 1.0).all()


@pytest.mark.parametrize("method", ["bdmm", "mdmm"])
def test_multiplier_ascends_on_the_residual(method):
    m = make(method, "eq", 0.5, lr_lambda=0.1)
    f = torch.ones(K)
    g = torch.full((K,), 0.8)  # residual 0.3
    damping = 0.0 if method == "bdmm" else 10.0
    a, b = m.weights(f, g, vectors()[2])
    torch.testing.assert_close(a, torch.ones(K))
    torch.testing.assert_close(b, torch.full((K,), damping * 0.3))  # λ = 0 at the first step
    torch.testing.assert_close(m.multiplier(), torch.zeros(K))  # logged: the λ used
    a, b = m.weights(f, g, vectors()[2])
    torch.testing.assert_close(b, torch.full((K,), 0.03 + damping * 0.3))
    torch.testing.assert_close(m.multiplier(), torch.full((K,), 0.03))


def directions(steps: int, rows: int, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(rows, 4, generator=generator) for _ in range(steps)]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(BatchedSGD, torch.optim.SGD), (BatchedAdam, torch.optim.Adam)],
)
def test_batched_optimizers_match_torch_row_by_row(ours, theirs):
    lrs = [0.001, 0.01, 0.3]
    start = torch.randn(3, 4, generator=torch.Generator().manual_seed(9))
    batched = start.clone()
    optimizer = ours([batched], torch.tensor(lrs))
    steps = directions(50, 3)
    alive = torch.ones(3, dtype=torch.bool)
    for direction in steps:
        optimizer.step([direction], alive)
    for k, lr in enumerate(lrs):
        x = start[k].clone().requires_grad_(True)
        reference = theirs([x], lr=lr)
        for direction in steps:
            reference.zero_grad()
            x.grad = direction[k].clone()
            reference.step()
        torch.testing.assert_close(batched[k], x.detach(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("optimizer", [BatchedSGD, BatchedAdam])
def test_dead_rows_do_not_move(optimizer):
    x = torch.zeros(3, 4)
    opt = optimizer([x], torch.full((3,), 0.1))
    alive = torch.tensor([True, False, True])
    for direction in directions(5, 3):
        opt.step([direction], alive)
    assert (x[1] == 0).all()
    assert (x[0] != 0).any() and (x[2] != 0).any()

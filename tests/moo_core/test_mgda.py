"""The closed-form MGDA weight for two gradients equals a brute-force search."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from moo_core.methods import METHODS, Constraint, Gram, min_norm_weight

GRID = np.linspace(0.0, 1.0, 100_001)


def gram_of(u: np.ndarray, v: np.ndarray) -> Gram:
    t = torch.tensor
    return Gram(t([u @ u]), t([v @ v]), t([u @ v]))


def brute_force(u: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """min over γ of ‖γu + (1 − γ)v‖ on a fine grid: (best γ, best norm)."""
    combos = GRID[:, None] * u[None, :] + (1.0 - GRID[:, None]) * v[None, :]
    norms = np.linalg.norm(combos, axis=1)
    best = int(np.argmin(norms))
    return float(GRID[best]), float(norms[best])


def norm_at(gamma: float, u: np.ndarray, v: np.ndarray) -> float:
    return float(np.linalg.norm(gamma * u + (1.0 - gamma) * v))


def random_pairs():
    rng = np.random.default_rng(0)
    pairs = [(rng.normal(size=d), rng.normal(size=d)) for d in (2, 3, 5, 10) for _ in range(5)]
    u = rng.normal(size=4)
    pairs += [
        (u, 2.5 * u),  # parallel, same direction: the shorter one wins
        (2.5 * u, u),
        (u, -3.0 * u),  # opposite: zero is in the hull
        (-0.5 * u, u),
        (u, u.copy()),  # identical
        (np.array([1.0, 0.0]), np.array([0.0, 1.0])),  # orthogonal, equal length
        (np.array([1.0, 0.0]), np.array([0.0, 3.0])),
        (np.array([1.0, 0.0]), np.array([1.0, 1e-3])),  # nearly parallel
        (np.array([3.0, 0.1]), np.array([1.0, 0.0])),  # min at an end (γ = 0)
        (np.array([1.0, 0.0]), np.array([3.0, 0.1])),  # min at an end (γ = 1)
    ]
    return pairs


@pytest.mark.parametrize(("u", "v"), random_pairs())
def test_min_norm_weight_equals_brute_force(u, v):
    gamma = float(min_norm_weight(gram_of(u, v))[0])
    assert 0.0 <= gamma <= 1.0
    best_gamma, best_norm = brute_force(u, v)
    # the norm it reaches is the minimum (γ itself is not unique when u = v)
    assert norm_at(gamma, u, v) <= best_norm + 1e-9
    if not np.allclose(u, v):
        assert gamma == pytest.approx(best_gamma, abs=2e-5)


def test_min_norm_weight_is_batched():
    rng = np.random.default_rng(1)
    us, vs = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    gram = Gram(
        torch.tensor((us * us).sum(1)),
        torch.tensor((vs * vs).sum(1)),
        torch.tensor((us * vs).sum(1)),
    )
    gammas = min_norm_weight(gram)
    assert gammas.shape == (6,)
    for k in range(6):
        assert float(gammas[k]) == pytest.approx(brute_force(us[k], vs[k])[0], abs=2e-5)


def test_mgda_direction_is_a_common_descent_direction():
    rng = np.random.default_rng(2)
    us, vs = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    t = torch.tensor
    gram = Gram(t((us * us).sum(1)), t((vs * vs).sum(1)), t((us * vs).sum(1)))
    method = METHODS.get("mgda")({}, Constraint("eq", torch.zeros(8, dtype=torch.float64)))
    a, b = method.weights(torch.ones(8), torch.ones(8), gram)
    torch.testing.assert_close(a + b, torch.ones(8, dtype=torch.float64))
    direction = a.numpy()[:, None] * us + b.numpy()[:, None] * vs
    assert ((direction * us).sum(1) >= -1e-9).all()
    assert ((direction * vs).sum(1) >= -1e-9).all()
    torch.testing.assert_close(method.multiplier(), b)

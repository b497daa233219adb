"""The loss of the best constant prediction: what a network that learned nothing achieves.

A run whose f is not clearly below it has learned nothing from the features (the diabetes
network held to a parity gap it could not meet ended at f ≈ the target's variance), however
well it kept its constraint. Computed in float64 on the rows f is reported on, for each loss
exactly as `_objectives` defines it:

- mse: the mean, so f = the targets' variance (ddof 0);
- huber (δ): the minimiser of the mean Huber loss, found by bisection on its derivative
  −mean(clip(y − c, −δ, δ)), which is monotone in c (the median is optimal only as δ → 0,
  the mean only as δ → ∞: with δ = the targets' std neither is);
- ce (softmax): the class frequencies p, so f = −Σ p log p (the label entropy);
- one-vs-rest ce (sigmoids, under sum_to_one): each class's frequency, so f = Σ H(p_c), the
  binary entropies summed over the classes.
"""

from __future__ import annotations

import numpy as np

BISECTIONS = 200  # halves [min y, max y] until it is one float64 wide


def constant_loss(
    loss: str,
    targets: np.ndarray,
    classes: int = 0,
    one_vs_rest: bool = False,
    delta: float | None = None,
) -> float:
    """f of the best constant prediction of `targets` (class indices when `classes` > 0)."""
    if classes:
        counts = np.bincount(np.asarray(targets, dtype=np.int64), minlength=classes)
        p = counts / max(1, counts.sum())
        if one_vs_rest:
            return float(sum(_entropy(np.array([q, 1.0 - q])) for q in p))
        return _entropy(p)
    y = np.asarray(targets, dtype=np.float64)
    if loss == "huber":
        return _huber_minimum(y, float(delta if delta is not None else y.std()))
    return float(y.var())


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _huber(residual: np.ndarray, delta: float) -> np.ndarray:
    small = np.abs(residual) <= delta
    return np.where(small, 0.5 * residual**2, delta * (np.abs(residual) - 0.5 * delta))


def _huber_minimum(y: np.ndarray, delta: float) -> float:
    """min over c of mean Huber(y − c): bisection on the derivative's sign."""
    if delta <= 0:  # a constant target (std 0): the constant fits it exactly
        return 0.0
    low, high = float(y.min()), float(y.max())
    for _ in range(BISECTIONS):
        middle = 0.5 * (low + high)
        if middle in (low, high):
            break
        slope = -np.clip(y - middle, -delta, delta).mean()  # d/dc of the mean loss
        low, high = (middle, high) if slope < 0 else (low, middle)
    return float(_huber(y - 0.5 * (low + high), delta).mean())

from __future__ import annotations

import numpy as np
import torch

from moo_core.methods._base import Gram, Method

ACTIVE_SET_TOLERANCE = 1e-12  # a free weight enters while its gradient exceeds this (G/tr G)


def min_norm_weight(gram: Gram) -> torch.Tensor:
    """γ ∈ [0, 1] minimising ‖γ∇f + (1 − γ)∇g‖ (exact for two vectors)."""
    spread = (gram.ff - 2.0 * gram.fg + gram.gg).clamp_min(1e-30)
    return ((gram.gg - gram.fg) / spread).clamp(0.0, 1.0)


def min_norm_weights(gram: torch.Tensor) -> torch.Tensor:
    """Weights α on the simplex minimising ‖Σᵢ αᵢ∇Lᵢ‖² = αᵀGα per row of a (K, m, m) Gram
    matrix, exactly: the closed form for m = 2; beyond, Lawson & Hanson's active-set NNLS
    (1974) on H = G/tr G + 11ᵀ with right-hand side 1, whose solution x ≥ 0 normalised to
    sum 1 is the min-norm point (its KKT conditions are those of the simplex QP: (Gα)ᵢ equal
    on the support, no smaller off it). It ends in at most a few m solves of m × m systems
    (NumPy, one row at a time): exact where Frank–Wolfe (Sener & Koltun 2018, Alg. 2) only
    approaches the optimum sublinearly."""
    m = gram.shape[-1]
    if m == 2:
        gamma = min_norm_weight(Gram(gram[:, 0, 0], gram[:, 1, 1], gram[:, 0, 1]))
        return torch.stack([gamma, 1.0 - gamma], -1)
    rows = gram.detach().to("cpu", torch.float64).numpy()
    weights = np.stack([_active_set(row) for row in rows])
    return torch.from_numpy(weights).to(gram.device, gram.dtype)


def _active_set(gram: np.ndarray) -> np.ndarray:
    m = gram.shape[0]
    if not np.isfinite(gram).all():
        return np.full(m, 1.0 / m)
    scale = np.trace(gram)
    h = (gram / scale if scale > 0 else np.zeros_like(gram)) + 1.0
    x, free = np.zeros(m), np.zeros(m, dtype=bool)
    for _ in range(3 * m):  # each pass adds one weight; dropping ones is the inner loop
        slope = 1.0 - h @ x
        slope[free] = -np.inf
        enter = int(np.argmax(slope))
        if slope[enter] <= ACTIVE_SET_TOLERANCE:
            break
        free[enter] = True
        while True:
            index = np.flatnonzero(free)
            z = np.zeros(m)
            z[index] = _solve(h[np.ix_(index, index)])
            if (z[index] > 0.0).all():
                x = z
                break
            negative = index[z[index] <= 0.0]
            ratios = x[negative] / (x[negative] - z[negative])
            blocking = int(np.argmin(ratios))
            x = x + ratios[blocking] * (z - x)
            x[negative[blocking]] = 0.0  # exactly: it leaves the free set
            free &= x > 0.0
            x[~free] = 0.0
    return x / x.sum()


def _solve(h: np.ndarray) -> np.ndarray:
    """h·z = 1 (least squares where h is singular: duplicate gradients)."""
    ones = np.ones(h.shape[0])
    try:
        return np.linalg.solve(h, ones)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(h, ones, rcond=None)[0]


class Mgda(Method, method="mgda"):
    """MGDA (Désidéri 2012; Sener & Koltun, NeurIPS 2018): step along the min-norm point of
    the convex hull of the gradients (`min_norm_weights`), a common descent direction: every
    ⟨∇Lᵢ, d⟩ ≥ ‖d‖² ≥ 0, and d = 0 exactly at Pareto-stationary points, where it stops. The
    weights sum to 1; the lab's multiplier columns record the weights on the others (1 − γ
    for two). ε is not used."""

    def weigh(self, values, gram):
        weights = min_norm_weights(gram)
        self.state["used"] = weights
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

from __future__ import annotations

import itertools

import torch

from moo_core.methods._base import Gram, Method

EXACT_UP_TO = 6  # 2^m − 1 faces: exact up to 63 small solves a step
FRANK_WOLFE_STEPS = 1000
FRANK_WOLFE_TOLERANCE = 1e-6  # stop once the step γ falls below it


def min_norm_weight(gram: Gram) -> torch.Tensor:
    """γ ∈ [0, 1] minimising ‖γ∇f + (1 − γ)∇g‖ (exact for two vectors)."""
    spread = (gram.ff - 2.0 * gram.fg + gram.gg).clamp_min(1e-30)
    return ((gram.gg - gram.fg) / spread).clamp(0.0, 1.0)


def min_norm_weights(gram: torch.Tensor) -> torch.Tensor:
    """Weights α on the simplex minimising ‖Σᵢ αᵢ∇Lᵢ‖² = αᵀGα per row of a (K, m, m) Gram
    matrix: the closed form for m = 2; for m ≤ EXACT_UP_TO the exact simplex QP (the optimum
    lies on some face of the simplex: solve each face's equality-constrained QP, keep the
    feasible solution with the least norm); Frank–Wolfe (Sener & Koltun 2018, Alg. 2) beyond."""
    m = gram.shape[-1]
    if m == 2:
        gamma = min_norm_weight(Gram(gram[:, 0, 0], gram[:, 1, 1], gram[:, 0, 1]))
        return torch.stack([gamma, 1.0 - gamma], -1)
    if m <= EXACT_UP_TO:
        return _faces(gram)
    return _frank_wolfe(gram)


def _faces(gram: torch.Tensor) -> torch.Tensor:
    rows, m = gram.shape[0], gram.shape[-1]
    best = torch.full((rows, m), 1.0 / m, dtype=gram.dtype, device=gram.device)
    best_norm = torch.full((rows,), float("inf"), dtype=gram.dtype, device=gram.device)
    for size in range(1, m + 1):
        for face in itertools.combinations(range(m), size):
            index = torch.tensor(face, device=gram.device)
            sub = gram[:, index][:, :, index]
            kkt = torch.zeros(rows, size + 1, size + 1, dtype=gram.dtype, device=gram.device)
            kkt[:, :size, :size] = sub
            kkt[:, :size, size] = kkt[:, size, :size] = 1.0
            rhs = torch.zeros(rows, size + 1, 1, dtype=gram.dtype, device=gram.device)
            rhs[:, size] = 1.0
            solution = (torch.linalg.pinv(kkt) @ rhs)[:, :size, 0]
            alpha = torch.zeros(rows, m, dtype=gram.dtype, device=gram.device)
            alpha[:, index] = solution
            norm = (alpha * (gram @ alpha.unsqueeze(-1)).squeeze(-1)).sum(-1)
            scale = gram.diagonal(dim1=-2, dim2=-1).amax(-1)
            feasible = (solution >= -1e-9).all(-1) & ((solution.sum(-1) - 1.0).abs() < 1e-6)
            better = feasible & (norm < best_norm - 1e-12 * scale)
            best = torch.where(better.unsqueeze(-1), alpha.clamp_min(0.0), best)
            best_norm = torch.where(better, norm, best_norm)
    return best / best.sum(-1, keepdim=True)


def _frank_wolfe(gram: torch.Tensor) -> torch.Tensor:
    m = gram.shape[-1]
    alpha = torch.full(gram.shape[:-1], 1.0 / m, dtype=gram.dtype, device=gram.device)
    moving = torch.ones(gram.shape[0], dtype=torch.bool, device=gram.device)
    for _ in range(FRANK_WOLFE_STEPS):
        slopes = (gram @ alpha.unsqueeze(-1)).squeeze(-1)  # G·α
        vertex = torch.nn.functional.one_hot(slopes.argmin(-1), m).to(gram.dtype)
        a = (alpha * (gram @ vertex.unsqueeze(-1)).squeeze(-1)).sum(-1)  # αᵀGe
        b = (alpha * slopes).sum(-1)  # αᵀGα
        c = (vertex * (gram @ vertex.unsqueeze(-1)).squeeze(-1)).sum(-1)  # eᵀGe
        exact = (b - a) / (b + c - 2.0 * a).clamp_min(1e-30)
        gamma = torch.where(c <= a, 1.0, torch.where(b <= a, 0.0, exact))
        gamma = torch.where(moving, gamma, torch.zeros_like(gamma))
        alpha = (1.0 - gamma.unsqueeze(-1)) * alpha + gamma.unsqueeze(-1) * vertex
        moving &= gamma >= FRANK_WOLFE_TOLERANCE
        if not bool(moving.any()):
            break
    return alpha


class Mgda(Method, method="mgda"):
    """MGDA (Désidéri 2012; Sener & Koltun, NeurIPS 2018): step along the min-norm point of
    the convex hull of the gradients (`min_norm_weights`), a common descent direction; it
    stops at the first Pareto-stationary point. The multiplier columns report the weights on
    the others (1 − γ for two). ε is not used."""

    def weigh(self, values, gram):
        weights = min_norm_weights(gram)
        self.state["used"] = weights
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

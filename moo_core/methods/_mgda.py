from typing import ClassVar

import torch
from torch import Tensor

from moo_core.methods._base import Gram, Method
from moo_core.methods._registry import METHODS

FRANK_WOLFE_STEPS = 100
FRANK_WOLFE_TOLERANCE = 1e-3  # stop once the step γ falls below it, as TorchJD's MGDA does


def min_norm_weight(gram: Gram) -> Tensor:
    """γ ∈ [0, 1] minimising ‖γ∇f + (1 − γ)∇g‖ (exact for two vectors)."""
    spread = (gram.ff - 2.0 * gram.fg + gram.gg).clamp_min(1e-30)
    return ((gram.gg - gram.fg) / spread).clamp(0.0, 1.0)


def min_norm_weights(gram: Tensor) -> Tensor:
    """Weights α on the simplex minimising ‖Σᵢ αᵢ∇Lᵢ‖² = αᵀGα per row of a (K, m, m) Gram
    matrix: exact for m = 2, Frank–Wolfe (Sener & Koltun 2018, Alg. 2) for m > 2."""
    m = gram.shape[-1]
    if m == 2:
        gamma = min_norm_weight(Gram(gram[:, 0, 0], gram[:, 1, 1], gram[:, 0, 1]))
        return torch.stack([gamma, 1.0 - gamma], -1)
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


@METHODS.register("mgda")
class Mgda(Method):
    """MGDA (Désidéri 2012; Sener & Koltun, NeurIPS 2018): step along the min-norm point of
    the convex hull of the gradients, a common descent direction; it stops at the first
    Pareto-stationary point. The multiplier columns report the weights on the others (1 − γ
    for two). ε is not used."""

    summary = "min-norm common descent direction"
    needs_gram = True
    # Adam by default: with SGD the min-norm step stalls on ZDT's box edge x₁ = 0, where ∇g is
    # unbounded and the min-norm weight on it drops to ~0.
    defaults: ClassVar[dict] = {"optimizer": "adam"}

    def weigh(self, values, gram):
        weights = min_norm_weights(gram)
        self.state["used"] = weights
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

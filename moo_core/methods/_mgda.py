from typing import ClassVar

import torch

from moo_core.methods._base import Method
from moo_core.methods._registry import METHODS


def min_norm_weight(gram) -> torch.Tensor:
    """γ ∈ [0, 1] minimising ‖γ∇f + (1 − γ)∇g‖ (exact for two vectors)."""
    spread = (gram.ff - 2.0 * gram.fg + gram.gg).clamp_min(1e-30)
    return ((gram.gg - gram.fg) / spread).clamp(0.0, 1.0)


@METHODS.register("mgda")
class Mgda(Method):
    """MGDA (Désidéri 2012; Sener & Koltun, NeurIPS 2018): step along the min-norm point of
    the convex hull of {∇f, ∇g}, a common descent direction; it stops at the first
    Pareto-stationary point. `lambda` reports the weight on g, 1 − γ. ε is not used."""

    summary = "min-norm common descent direction"
    # Adam by default: with SGD the min-norm step stalls on ZDT's box edge x₁ = 0, where ∇g is
    # unbounded and the min-norm weight on it drops to ~0.
    defaults: ClassVar[dict] = {"optimizer": "adam"}

    def __init__(self, settings, constraint):
        super().__init__(settings, constraint)
        self.weight_g: torch.Tensor | None = None

    def weights(self, f, g, gram):
        gamma = min_norm_weight(gram)
        self.weight_g = 1.0 - gamma
        return gamma, self.weight_g

    def multiplier(self):
        return self.weight_g

from __future__ import annotations

import torch

from moo_core.methods._base import Method


class ImtlG(Method, method="imtl_g"):
    """IMTL-G (Liu et al., ICLR 2021, "Towards Impartial Multi-task Learning"), in the form of
    Quinton & Rey 2024 that allows linearly dependent gradients (TorchJD's IMTLGWeighting): the
    step has equal projections on every unit gradient. With dᵢ = ‖∇Lᵢ‖ = √Gᵢᵢ, v = G⁺d and
    w = v / Σv (w = 0 where |Σv| < 10⁻¹²). ε is not used."""

    def weigh(self, values, gram):
        norms = gram.diagonal(dim1=-2, dim2=-1).clamp_min(0.0).sqrt()
        v = (torch.linalg.pinv(gram) @ norms.unsqueeze(-1)).squeeze(-1)
        total = v.sum(-1, keepdim=True)
        degenerate = total.abs() < 1e-12
        weights = torch.where(degenerate, 0.0, v / torch.where(degenerate, 1.0, total))
        self.state["used"] = weights
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

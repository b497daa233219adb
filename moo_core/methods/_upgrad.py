from __future__ import annotations

import torch

from moo_core.methods._base import Method
from moo_core.methods._dual_cone import project_dual_cone


class UpGrad(Method, method="upgrad"):
    """UPGrad (Quinton & Rey 2024, "Jacobian Descent for Multi-Objective Optimization"): each
    gradient ∇Lᵢ, scaled by 1/m, is projected onto the dual cone of all the gradients (the
    directions that conflict with none), and the projections are summed. In Gram form, as
    TorchJD's UPGradWeighting: vᵢ = argmin vᵀGv s.t. v ≥ eᵢ/m, weights w = Σᵢ vᵢ, with G
    normalised by its trace and regularised by 10⁻⁴·I (`project_dual_cone`). ε is not used."""

    def weigh(self, values, gram):
        rows, m = values.shape
        u = torch.eye(m, dtype=gram.dtype, device=gram.device).div(m).repeat(rows, 1)
        per_task = project_dual_cone(u, gram.repeat_interleave(m, 0)).reshape(rows, m, m)
        weights = self.state["used"] = per_task.sum(1)
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

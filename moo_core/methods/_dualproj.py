from __future__ import annotations

import torch

from moo_core.methods._base import Method
from moo_core.methods._dual_cone import project_dual_cone


class DualProj(Method, method="dualproj"):
    """DualProj (the projection of GEM, Lopez-Paz & Ranzato 2017, eq. 11, as TorchJD's DualProj):
    the mean gradient is projected onto the dual cone of the gradients, so that the step
    conflicts with none. In Gram form: w = argmin vᵀGv s.t. v ≥ 1/m, G normalised by its trace
    and regularised by 10⁻⁴·I as TorchJD's DualProjWeighting (`project_dual_cone`). ε is not
    used."""

    def weigh(self, values, gram):
        u = torch.full_like(values, 1.0 / values.shape[-1], dtype=gram.dtype)
        weights = self.state["used"] = project_dual_cone(u, gram)
        return weights

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

from __future__ import annotations

import torch

from moo_core.methods._base import Method, as_column


class GradNorm(Method, method="gradnorm"):
    """GradNorm (Chen et al., ICML 2018): task weights wᵢ (summing to m, the number of tasks)
    are moved so that each weighted gradient norm Gᵢ = wᵢ‖∇Lᵢ‖ tracks Ḡ·rᵢ^α, rᵢ the task's
    relative inverse training rate (Lᵢ(t)/Lᵢ(0) over its mean). Gradients over all shared
    parameters; the target is held constant, as in the paper. The multiplier columns report
    the weights on the others (w_g for two tasks). ε is not used."""

    def weigh(self, values, gram):
        losses, tasks = values, values.shape[-1]
        if "task_weights" not in self.state:
            self.state["task_weights"] = torch.ones_like(losses)
            self.state["initial"] = losses.abs().clamp_min(1e-12)
        norms = gram.diagonal(dim1=-2, dim2=-1).sqrt()
        current = self.state["used"] = self.state["task_weights"]
        weighted = current * norms
        ratio = losses / self.state["initial"]
        ratio = ratio / ratio.mean(-1, keepdim=True).clamp_min(1e-12)
        alpha = as_column(self.settings["alpha"], values)
        target = weighted.mean(-1, keepdim=True) * ratio.clamp_min(0.0) ** alpha
        step = torch.sign(weighted - target) * norms
        updated = current - as_column(self.settings["lr_weights"], values) * step
        updated = updated.clamp_min(1e-3)
        self.state["task_weights"] = tasks * updated / updated.sum(-1, keepdim=True)
        return current

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

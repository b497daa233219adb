import torch

from moo_core.methods._base import Method, as_row
from moo_core.methods._registry import METHODS
from moo_core.registry import Hyperparam


@METHODS.register("gradnorm")
class GradNorm(Method):
    """GradNorm (Chen et al., ICML 2018): task weights w_f, w_g (summing to 2) are moved so that
    each weighted gradient norm Gᵢ = wᵢ‖∇Lᵢ‖ tracks Ḡ·rᵢ^α, rᵢ the task's relative inverse
    training rate (Lᵢ(t)/Lᵢ(0) over its mean). Gradients over all shared parameters; the target
    is held constant, as in the paper. `lambda` reports w_g. ε is not used."""

    summary = "adaptive task weights that balance gradient norms"
    hyperparams = (
        Hyperparam("alpha", "float", 1.5, "Restoring force α", 0.0, 10.0),
        Hyperparam(
            "lr_weights",
            "float",
            0.01,
            "Learning rate of the task weights",
            1e-6,
            10.0,
            log_scale=True,
        ),
    )

    def __init__(self, settings, constraint):
        super().__init__(settings, constraint)
        self.task_weights: torch.Tensor | None = None
        self.initial: torch.Tensor | None = None
        self.used: torch.Tensor | None = None

    def weights(self, f, g, gram):
        losses = torch.stack([f, g], dim=-1)
        if self.task_weights is None:
            self.task_weights = torch.ones_like(losses)
            self.initial = losses.abs().clamp_min(1e-12)
        norms = torch.stack([gram.ff, gram.gg], dim=-1).sqrt()
        current = self.used = self.task_weights
        weighted = current * norms
        ratio = losses / self.initial
        ratio = ratio / ratio.mean(-1, keepdim=True).clamp_min(1e-12)
        target = weighted.mean(-1, keepdim=True) * ratio.clamp_min(0.0) ** as_row(
            self.settings["alpha"], f
        ).unsqueeze(-1)
        step = torch.sign(weighted - target) * norms
        updated = current - as_row(self.settings["lr_weights"], f).unsqueeze(-1) * step
        updated = updated.clamp_min(1e-3)
        self.task_weights = 2.0 * updated / updated.sum(-1, keepdim=True)
        return current[..., 0], current[..., 1]

    def multiplier(self):
        return None if self.used is None else self.used[..., 1]

    def state_dict(self):
        return {} if self.task_weights is None else {"task_weights": self.task_weights}

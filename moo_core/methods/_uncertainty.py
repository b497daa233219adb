from __future__ import annotations

import torch

from moo_core.methods._base import Method, as_column

INITIAL_LOG_VARIANCE = -0.5  # LibMTL's UW: loss_scale starts at −0.5
BETAS, EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam's defaults


class Uncertainty(Method, method="uncertainty"):
    """Uncertainty weighting (Kendall, Gal & Cipolla, CVPR 2018), as LibMTL's UW: a learned
    log-variance sᵢ per task (from −0.5) and the loss Σᵢ Lᵢ / (2·exp(sᵢ)) + sᵢ/2, so the task
    weights are wᵢ = exp(−sᵢ)/2 (the paper's regression form). After each step the sᵢ take a
    step down ∂/∂sᵢ = 1/2 − Lᵢ·exp(−sᵢ)/2 with the run's optimizer kind (`optimizer`: SGD, or
    Adam with torch's defaults, its moments kept in the state) at rate `lr_log_variance`
    (LibMTL trains them with the model's optimizer). ε is not used."""

    @classmethod
    def stepped_state(cls, settings, kinds):
        return ("log_variance",)  # LibMTL trains them with the model's optimizer

    def weigh(self, values, gram):
        if "log_variance" not in self.state:
            self.state["log_variance"] = torch.full_like(values, INITIAL_LOG_VARIANCE)
        log_variance = self.state["log_variance"]
        weights = self.state["used"] = 0.5 * torch.exp(-log_variance)
        gradient = 0.5 - values * weights
        if self.outside:  # the caller's optimizer steps sᵢ
            self.gradient = gradient
            return weights
        lr = as_column(self.settings["lr_log_variance"], values)
        if self.settings.get("optimizer") == "adam":
            gradient = self._adam(gradient)
        self.state["log_variance"] = log_variance - lr * gradient
        return weights

    def state_gradients(self):
        return {"log_variance": self.gradient}

    def _adam(self, gradient):
        """torch.optim.Adam's update direction (bias-corrected m̂ / (√v̂ + eps))."""
        count = self.state.get("adam_count", torch.zeros_like(gradient[..., :1])) + 1
        first = self.state.get("adam_first", torch.zeros_like(gradient))
        second = self.state.get("adam_second", torch.zeros_like(gradient))
        first = BETAS[0] * first + (1 - BETAS[0]) * gradient
        second = BETAS[1] * second + (1 - BETAS[1]) * gradient**2
        self.state.update(adam_count=count, adam_first=first, adam_second=second)
        corrected = first / (1 - BETAS[0] ** count)
        return corrected / ((second / (1 - BETAS[1] ** count)).sqrt() + EPS)

    def multipliers(self):
        used = self.state.get("used")
        return None if used is None else used[..., 1:]

"""BDMM and MDMM (Platt & Barr, "Constrained Differential Optimization", NeurIPS 1987).

L = f + Σᵢ λᵢ·cᵢ + (δ/2)·Σᵢ cᵢ², cᵢ = gᵢ − εᵢ; descent on the parameters, ascent on each λᵢ:
λᵢ ← λᵢ + lr_λ·cᵢ. BDMM is the case δ = 0. Inequalities use a slack variable s as the reference
`mdmm` package does: c = g − ε + s² for `le` (g ≤ ε), c = g − ε − s² for `ge`, s initialised
so that c = 0 where the constraint already holds and descended with the parameters' learning
rate. The package writes the infeasibility as ε − g for `eq`/`le` and g − ε for `ge`, so λ here
is minus its `lmbda` for `eq`/`le` and equal to it for `ge`.

The weights are [1, λᵢ + δ·cᵢ]: they depend on the values only, so one backward of Σ wᵢ·Lᵢ
gives the parameters' gradient.
"""

import torch

from moo_core.methods._base import Method, as_column
from moo_core.methods._registry import LR_LAMBDA, METHODS
from moo_core.registry import Hyperparam

SLACK_SIGN = {"eq": 0.0, "le": 1.0, "ge": -1.0}


class _Multiplier(Method):
    uses_epsilon = True

    def damping(self, values):
        """δ as a (K, 1) column (0 for BDMM)."""
        return torch.zeros_like(values[:, :1])

    def weigh(self, values, gram):
        gap = values[:, 1:] - self.constraints.epsilon
        if "rates" not in self.__dict__:
            self._start(values, gap)
        lam = self.state["lambda_used"] = self.state["lambda"]
        residual = gap
        if self.slack_signs is not None:  # inequalities: c = g − ε ± s²
            sign, slack = self.slack_signs, self.state["slack"]
            residual = gap + sign * slack**2
        pull = lam + self.damping_column * residual  # ∂L/∂c
        if self.slack_signs is not None:
            descended = slack - self.rates["lr"] * pull * 2.0 * sign * slack
            self.state["slack"] = torch.where(sign != 0, descended, slack)  # eq: no slack
        self.state["lambda"] = lam + self.rates["lr_lambda"] * residual
        return torch.cat([self.ones, pull], -1)

    def _start(self, values, gap) -> None:
        """λ = 0; s so that c = 0 where an inequality already holds; settings as columns."""
        kinds = self.constraints.kinds
        sign = torch.tensor([SLACK_SIGN[k] for k in kinds], dtype=gap.dtype).to(gap.device)
        self.slack_signs = sign if any(k != "eq" for k in kinds) else None
        self.rates = {name: as_column(self.settings[name], values) for name in ("lr", "lr_lambda")}
        self.damping_column = self.damping(values)
        self.ones = torch.ones_like(values[:, :1])
        if "lambda" not in self.state:  # else resumed from a checkpoint
            self.state["lambda"] = torch.zeros_like(gap)
            self.state["slack"] = (-sign * gap).clamp_min(0.0).sqrt()

    def multipliers(self):
        return self.state.get("lambda_used")


@METHODS.register("bdmm")
class Bdmm(_Multiplier):
    """Basic differential multiplier method: L = f + λ(g − ε). Its fixed point is a saddle;
    it oscillates around the constraint where the front is concave."""

    summary = "L = f + λ(g − ε); descent on x, ascent on λ"
    hyperparams = (LR_LAMBDA,)


@METHODS.register("mdmm")
class Mdmm(_Multiplier):
    """Modified differential multiplier method: L = f + λ(g − ε) + (δ/2)(g − ε)². The damping
    term makes the constrained optimum an attractor for any front shape."""

    summary = "L = f + λ(g − ε) + (δ/2)(g − ε)²"
    hyperparams = (
        Hyperparam("damping", "float", 10.0, "Damping δ", 0.0, 1e4),
        LR_LAMBDA,
    )

    def damping(self, values):
        return as_column(self.settings["damping"], values)

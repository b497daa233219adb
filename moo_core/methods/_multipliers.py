"""BDMM and MDMM (Platt & Barr, "Constrained Differential Optimization", NeurIPS 1987).

L = f + Σᵢ λᵢ·dᵢ + (δ/2)·Σᵢ dᵢ²; descent on the parameters, ascent on each λᵢ:
λᵢ ← λᵢ + lr_λ·dᵢ. BDMM is the case δ = 0. dᵢ is the constraint's defect (`_dual`).

Inequalities (`le`, `ge`), `inequality=projected` (the default): λᵢ ≥ 0 after every ascent
step and the pull max(λᵢ + δ·dᵢ, 0), so a constraint that holds stops pulling.
`inequality=slack`: a slack variable s as the reference `mdmm` package has it:
c = g − ε + s² for `le`, c = g − ε − s² for `ge`, s initialised so that c = 0 where the
constraint already holds and descended with the parameters' learning rate; L = f + λc +
(δ/2)c². Kept for agreement with that package; it has a flaw: a constraint that starts
violated starts with s = 0, and ∂c/∂s = 2s keeps it there, so the inequality acts as an
equality. The package writes the infeasibility as ε − g for `eq`/`le` and g − ε for `ge`, so
in the slack form λ here is minus its `lmbda` for `eq`/`le` and equal to it for `ge`.

The weights are [1, ±pull]: they depend on the values only, so one backward of Σ wᵢ·Lᵢ
gives the parameters' gradient.
"""

from __future__ import annotations

import torch

from moo_core.methods._base import as_column
from moo_core.methods._dual import DualMethod

SLACK_SIGN = {"eq": 0.0, "le": 1.0, "ge": -1.0}


class _Multiplier(DualMethod):
    @classmethod
    def stepped_state(cls, settings, kinds):
        slack = settings.get("inequality") == "slack" and any(k != "eq" for k in kinds)
        return ("lambda", "slack") if slack else ("lambda",)

    def damping(self, values):
        """δ as a (K, 1) column (0 for BDMM)."""
        return torch.zeros_like(values[:, :1])

    def __init__(self, settings, constraints, seeds=None):
        super().__init__(settings, constraints, seeds)
        slack = settings.get("inequality") == "slack"
        if slack and any(kind != "eq" for kind in constraints.kinds):
            self.weigh = self._slack_weigh  # the package's form, chosen once

    def pull(self, lam, defect):
        return lam + self.damping_column * defect

    def _prepare(self, values):
        super()._prepare(values)
        self.damping_column = self.damping(values)

    def _slack_weigh(self, values, gram=None):
        gap = values[:, 1:] - self.constraints.epsilon
        if "slack_signs" not in self.__dict__:
            self.damping_column = self.damping(values)
            kinds = self.constraints.kinds
            sign = torch.tensor([SLACK_SIGN[k] for k in kinds], dtype=gap.dtype).to(gap.device)
            self.slack_signs = sign
            self.rates = {
                name: as_column(self.settings[name], values) for name in ("lr", "lr_lambda")
            }
            self.ones = torch.ones_like(values[:, :1])
            if "lambda" not in self.state:  # else resumed from a checkpoint
                self.state["lambda"] = torch.zeros_like(gap)
                self.state["slack"] = (-sign * gap).clamp_min(0.0).sqrt()
        sign, slack = self.slack_signs, self.state["slack"]
        lam = self.state["lambda"]
        self.state["lambda_used"] = lam.clone() if self.outside else lam
        residual = gap + sign * slack**2  # c = g − ε ± s²
        pull = lam + self.damping_column * residual  # ∂L/∂c
        slope = pull * 2.0 * sign * slack  # ∂L/∂s (0 for eq: no slack)
        if self.outside:  # the caller's optimizer steps λ (ascent) and s (descent)
            self.outside_gradients = {"lambda": -residual, "slack": slope}
        else:
            self.state["slack"] = slack - self.rates["lr"] * slope
            self.state["lambda"] = lam + self.rates["lr_lambda"] * residual
        return torch.cat([self.ones, pull], -1)

    def state_gradients(self):
        slack = self.settings.get("inequality") == "slack" and "slack" in self.state
        return self.outside_gradients if slack else super().state_gradients()


class Bdmm(_Multiplier, method="bdmm"):
    """Basic differential multiplier method: L = f + λ(g − ε). Its fixed point is a saddle:
    where the front is concave it does not settle but cycles, g swinging across the front and
    λ with it."""


class Mdmm(_Multiplier, method="mdmm"):
    """Modified differential multiplier method: L = f + λ(g − ε) + (δ/2)(g − ε)². The damping
    term makes the constrained optimum an attractor for any front shape."""

    def damping(self, values):
        return as_column(self.settings["damping"], values)

"""BDMM and MDMM (Platt & Barr, "Constrained Differential Optimization", NeurIPS 1987).

L = f + λ·c + (δ/2)·c², c = g − ε; descent on the parameters, ascent on λ: λ ← λ + lr_λ·c.
BDMM is the case δ = 0. Inequalities use a slack variable s as the reference `mdmm` package
does: c = g − ε + s² for `le` (g ≤ ε), c = g − ε − s² for `ge`, s initialised so that c = 0
where the constraint already holds and descended with the parameters' learning rate.
The package writes the infeasibility as ε − g for `eq`/`le` and g − ε for `ge`, so λ here is
minus its `lmbda` for `eq`/`le` and equal to it for `ge`.
"""

import torch

from moo_core.methods._base import Method, as_row
from moo_core.methods._registry import LR_LAMBDA, METHODS
from moo_core.registry import Hyperparam

SLACK_SIGN = {"eq": 0.0, "le": 1.0, "ge": -1.0}


class _Multiplier(Method):
    uses_epsilon = True

    def __init__(self, settings, constraint):
        super().__init__(settings, constraint)
        self.lam: torch.Tensor | None = None
        self.lam_used: torch.Tensor | None = None
        self.slack: torch.Tensor | None = None

    def damping(self, like):
        return torch.zeros_like(like)

    def weights(self, f, g, gram):
        sign = SLACK_SIGN[self.constraint.kind]
        gap = g - self.constraint.epsilon
        if self.lam is None:
            self.lam = torch.zeros_like(g)
            self.slack = (-sign * gap).clamp_min(0.0).sqrt()
        residual = gap + sign * self.slack**2
        self.lam_used = self.lam
        pull = self.lam + self.damping(g) * residual  # ∂L/∂c
        if sign:
            lr = as_row(self.settings["lr"], g)
            self.slack = self.slack - lr * pull * 2.0 * sign * self.slack
        self.lam = self.lam + as_row(self.settings["lr_lambda"], g) * residual
        return torch.ones_like(f), pull

    def multiplier(self):
        return self.lam_used

    def state_dict(self):
        return {} if self.lam is None else {"lambda": self.lam, "slack": self.slack}


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

    def damping(self, like):
        return as_row(self.settings["damping"], like)

"""νPI control of the multipliers (Sohrabi, Ramirez, Zhang, Lacoste-Julien, Gallego-Posada,
"On PI controllers for updating Lagrange multipliers in constrained optimization", ICML 2024),
step for step as cooper's `nuPI` optimizer (cooper-optim 1.0.1) on the Lagrangian
L = f + Σᵢ λᵢ·dᵢ, the multipliers maximised with simultaneous updates.

The error is the defect eₜ = dᵢ(xₜ) (the dual gradient); ξ is its exponential average:
    λₜ₊₁ = λₜ + η·(κᵢ·eₜ + κₚ·(ξₜ − ξₜ₋₁)),  ξₜ = ν·ξₜ₋₁ + (1 − ν)·eₜ,
so κₚ·(ξₜ − ξₜ₋₁) = κₚ·(1 − ν)·(eₜ − ξₜ₋₁). An inequality's λᵢ is projected onto λᵢ ≥ 0 after
the step (cooper's multiplier `post_step_`); ξ keeps the unprojected errors. First step,
`init=sgd` (cooper's default): λ₁ = λ₀ + η·κᵢ·e₀ and ξ is 0 after it — what cooper's dense code
does (its docstring says ξ₀ = e₀). `init=zeros`: ξ₋₁ = 0, so λ₁ = λ₀ + η·(κᵢ + κₚ(1 − ν))·e₀.
κₚ = 0, ν = 0 is plain ascent (BDMM); κₚ = κᵢ = 1, ν = 0 is the optimistic gradient.

Defaults η = 0.1, κₚ = 100, κᵢ = 1, ν = 0: on `concave` at ε = 0.6 and lr 0.01 the linearised
iteration is stable once η·κₚ ≳ 2.5 (plain ascent is not: spectral radius 1.007) and fastest
near η·κₚ = 10 (0.986). The ranges exclude what is unstable whatever the problem: κₚ < 0 or
κᵢ < 0 (anti-damping; descent on λ) and ν ≥ 1 (cooper: ν in (−1, 1); ν < 0 only warns there).
"""

from __future__ import annotations

import dataclasses

from moo_core._lazy import torch
from moo_core.methods._dual import DualMethod
from moo_core.methods._registry import LR_LAMBDA, METHODS
from moo_core.registry import Hyperparam


@METHODS.register("nupi")
class NuPI(DualMethod):
    """L = f + Σ λᵢ(gᵢ − εᵢ) with νPI control of each λᵢ (Sohrabi et al. 2024; cooper's
    nuPI). The proportional term damps the cycling plain ascent (BDMM) shows on a concave
    front."""

    summary = "L = f + λ(g − ε); λ by a νPI controller of g − ε"
    dual_step = "νPI: λ ← λ + lr_lambda·(κᵢ·d + κₚ·(ξₜ − ξₜ₋₁)) (projected), its own"
    hyperparams = (
        dataclasses.replace(
            LR_LAMBDA, default=0.1, help="Step η of the multiplier λ (cooper's lr)"
        ),
        Hyperparam(
            "kp",
            "float",
            100.0,
            "Proportional gain κₚ (κₚ < 0 amplifies the oscillations it is there to damp)",
            0.0,
            1e4,
        ),
        Hyperparam(
            "ki",
            "float",
            1.0,
            "Integral gain κᵢ (κᵢ < 0 turns ascent into descent: λ grows with the slack)",
            0.0,
            1e4,
        ),
        Hyperparam(
            "ema_nu",
            "float",
            0.0,
            "Average ν of the error in the proportional term (ν = 1 freezes the average, "
            "ν > 1 makes it diverge; cooper allows (−1, 1))",
            0.0,
            0.999,
        ),
        Hyperparam(
            "init",
            "choice",
            "sgd",
            "First step: plain ascent η·κᵢ·e₀ (sgd, cooper's default) or ξ₋₁ = 0 (zeros)",
            choices=("sgd", "zeros"),
        ),
    )

    def ascend(self, lam, defect):
        ki, kp, nu = self.column("ki"), self.column("kp"), self.column("ema_nu")
        xi = self.state.get("xi")  # ξₜ₋₁; absent before the first step
        if xi is None and self.settings["init"] == "sgd":
            self.state["xi"] = torch.zeros_like(defect)  # as cooper's dense code, not e₀
            update = ki * defect
        else:
            xi = torch.zeros_like(defect) if xi is None else xi
            update = ki * defect + kp * (1.0 - nu) * (defect - xi)
            self.state["xi"] = nu * xi + (1.0 - nu) * defect
        return lam + self.column("lr_lambda") * update

"""The augmented Lagrangian (Hestenes 1969, "Multiplier and gradient methods"; Powell 1969,
"A method for nonlinear constraints in minimization problems"; for inequalities Rockafellar
1973, "The multiplier method of Hestenes and Powell applied to convex programming"), as
cooper's `AugmentedLagrangian` formulation (cooper-optim 1.0.1) with its recipe for the
augmented Lagrangian *method*: SGD on the multipliers with learning rate ρ.

L = f + Σᵢ λᵢ·dᵢ + (ρ/2)·dᵢ² for an equality; for an inequality cooper's (Nocedal & Wright
17.65) L = f + Σᵢ (1/2ρ)·(max(λᵢ + ρ·dᵢ, 0)² − λᵢ²). Both pull with ∂L/∂dᵢ = λᵢ + ρ·dᵢ (clipped
at 0 for an inequality); the dual step is λᵢ ← λᵢ + ρ·dᵢ, projected onto λᵢ ≥ 0 for an
inequality. cooper's dual Lagrangian is λ·d without ρ, so its dual gradient is dᵢ and the
step size is the dual optimizer's learning rate, which the method of multipliers sets to ρ.

`updates=simultaneous` is cooper's SimultaneousOptimizer (λₜ₊₁ from dᵢ(xₜ)); `alternating` is
its AlternatingPrimalDualOptimizer, the classical order (λₜ₊₁ from dᵢ(xₜ₊₁)): each step first
ascends with the defect at the current point — except the very first — then pulls. It is the
default because it is the one that settles on a concave front: linearised, with a = lr·|∇g|²
and c > 0 where L curves down across the constraint, the simultaneous iteration has
determinant 1 + c whatever ρ, the alternating one 1 − a·ρ + c; it settles for c < a·ρ < 4/3
(roughly), so ρ too large for the parameters' learning rate diverges too (ρ = 300 at lr 0.01
on `concave`). No fixed bound on ρ follows: it depends on lr and the problem.
"""

from __future__ import annotations

from moo_core._lazy import torch
from moo_core.methods._dual import DualMethod
from moo_core.methods._registry import METHODS
from moo_core.registry import Hyperparam


@METHODS.register("augmented_lagrangian")
class AugmentedLagrangian(DualMethod):
    """Augmented Lagrangian f + Σ λᵢdᵢ + (ρ/2)dᵢ² with the multiplier step λᵢ ← λᵢ + ρ·dᵢ
    (Hestenes 1969; Powell 1969; Rockafellar 1973; cooper's AugmentedLagrangian)."""

    summary = "L = f + λ(g − ε) + (ρ/2)(g − ε)²; λ ← λ + ρ(g − ε)"
    dual_step = "the method of multipliers λ ← λ + ρ·d (projected for inequalities), its own"
    hyperparams = (
        Hyperparam(
            "penalty",
            "float",
            20.0,
            "Penalty coefficient ρ, also the multiplier step (ρ < 0 rewards violation)",
            0.0,
            1e4,
        ),
        Hyperparam(
            "updates",
            "choice",
            "alternating",
            "Multiplier step from the defect before (simultaneous) or after (alternating) "
            "the parameters' step, as cooper's Simultaneous/AlternatingPrimalDual optimizers",
            choices=("simultaneous", "alternating"),
        ),
    )

    @property
    def alternating(self) -> bool:
        return self.settings["updates"] == "alternating"

    def weigh(self, values, gram):
        self.starting = "lambda" not in self.state  # else a step or a checkpoint came before
        return super().weigh(values, gram)

    def pull(self, lam, defect):
        if self.alternating:  # pull with λ stepped from the defect here (the base's own
            lam = self.ascend(lam, defect)  # ascend call then stores this same λ)
        return lam + self.column("penalty") * defect

    def ascend(self, lam, defect):
        if self.alternating and self.starting:  # cooper steps λ only after x has moved
            return lam
        stepped = lam + self.column("penalty") * defect
        if self.inequality is None:
            return stepped
        return torch.where(self.inequality, stepped.clamp_min(0.0), stepped)

    def multipliers(self):
        return self.state.get("lambda" if self.alternating else "lambda_used")

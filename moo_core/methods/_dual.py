"""What the Lagrangian methods share: one multiplier per constraint, projected for
inequalities, and a formulation kept apart from the dual dynamics (cooper's split).

Each constraint has a defect dᵢ that is positive where it is violated: gᵢ − εᵢ for `eq` and
`le`, εᵢ − gᵢ for `ge`. A method gives its formulation's pull ∂L/∂dᵢ (`pull`) and its dual
step (`ascend`); for an inequality the multiplier is projected onto λᵢ ≥ 0 after every step
and the pull is clipped at 0, as in the augmented Lagrangian for inequalities (Rockafellar
1973) and cooper's inequality multipliers: an inequality that holds with λᵢ = 0 pulls on
nothing, so the optimum may lie inside it. The weight on gᵢ is ±pull (− for `ge`).
"""

from __future__ import annotations

import torch

from moo_core.methods._base import Method, as_column

DIRECTION = {"eq": 1.0, "le": 1.0, "ge": -1.0}


class DualMethod(Method):
    def pull(self, lam: torch.Tensor, defect: torch.Tensor) -> torch.Tensor:
        """∂L/∂d of the formulation (the Lagrangian's is λ)."""
        return lam

    def ascend(self, lam: torch.Tensor, defect: torch.Tensor) -> torch.Tensor:
        """The dual step before projection (plain ascent: λ + lr_λ·d)."""
        return lam + self.columns["lr_lambda"] * defect

    def column(self, name: str) -> torch.Tensor:
        """A number hyperparameter as a (K, 1) column, made once."""
        return self.columns[name]

    def weigh(self, values, gram):
        if "columns" not in self.__dict__:
            self._prepare(values)
        defect = values[:, 1:] - self.constraints.epsilon
        if self.any_ge:  # ε − g for `ge`
            defect = self.direction * defect
        if "lambda" not in self.state:  # else resumed from a checkpoint
            self.state["lambda"] = torch.zeros_like(defect)
        if self.outside:
            return self._weigh_outside(defect)
        lam = self.state["lambda_used"] = self.state["lambda"]
        pull, stepped = self.pull(lam, defect), self.ascend(lam, defect)
        if self.inequality is not None:
            pull = torch.where(self.inequality, pull.clamp_min(0.0), pull)
            stepped = torch.where(self.inequality, stepped.clamp_min(0.0), stepped)
        self.state["lambda"] = stepped
        return self._weights(pull)

    def _weights(self, pull: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.ones, self.direction * pull if self.any_ge else pull], -1)

    def _weigh_outside(self, defect: torch.Tensor) -> torch.Tensor:
        """λ is stepped by the caller's optimizer (as the mdmm package does): project what it
        left onto λ ≥ 0 for inequalities, pull with it and hand back the ascent direction d,
        zero where a projected λ sits at 0 and d would push it below."""
        lam = self.state["lambda"]  # a view of the optimizer's parameter: project in place
        if self.inequality is not None:
            lam.copy_(torch.where(self.inequality, lam.clamp_min(0.0), lam))
            blocked = self.inequality & (lam <= 0.0) & (defect < 0.0)
            self.ascent = torch.where(blocked, 0.0, defect)
        else:
            self.ascent = defect
        lam = self.state["lambda_used"] = lam.clone()  # the optimizer moves the view later
        pull = self.pull(lam, defect)
        if self.inequality is not None:
            pull = torch.where(self.inequality, pull.clamp_min(0.0), pull)
        return self._weights(pull)

    def state_gradients(self) -> dict[str, torch.Tensor]:
        return {"lambda": -self.ascent}  # the optimizer's descent is an ascent on λ

    def _prepare(self, values: torch.Tensor) -> None:
        kinds = self.constraints.kinds
        like = values[:, 1:]
        self.direction = torch.tensor([DIRECTION[k] for k in kinds], dtype=like.dtype).to(
            like.device
        )
        self.any_ge = "ge" in kinds
        mask = torch.tensor([k != "eq" for k in kinds], device=like.device)
        self.inequality = mask if bool(mask.any()) else None
        self.ones = torch.ones_like(values[:, :1])
        self.columns = {
            name: as_column(value, values)
            for name, value in self.settings.items()
            if isinstance(value, torch.Tensor)
        }

    def multipliers(self):
        return self.state.get("lambda_used")

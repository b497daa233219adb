"""`Report`: what one balancing step did, as a record to log (weights, multipliers, values)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from moo_core.methods import Constraints
from moo_core.methods import min_cosine as _min_cosine


@dataclass(frozen=True)
class Report:
    """What one step did. `weights` (m,) — or (K, m) for stacked runs — are the coefficients
    of the objectives' gradients in the step (they sum to 1 for MGDA, IMTL-G and CAGrad with
    c = 0, not in general: see each method). `multipliers` (m − 1,) are the Lagrange
    multipliers of BDMM, MDMM, the augmented Lagrangian and νPI, None for the others.
    `values` are the objective values; `gram` the Gram matrix where the method read it;
    `recorded` what the lab records in its multiplier columns where that is not
    `multipliers` (a task-balancing method's weights on the others; `columns`)."""

    weights: torch.Tensor
    multipliers: torch.Tensor | None
    values: torch.Tensor
    constraints: Constraints | None = None
    gram: torch.Tensor | None = None
    recorded: torch.Tensor | None = None

    @property
    def columns(self) -> torch.Tensor | None:
        """The lab's multiplier columns (λ, or the weights on the others, or None)."""
        return self.multipliers if self.recorded is None else self.recorded

    @property
    def violation(self) -> torch.Tensor | None:
        """The largest constraint violation (None without constraints)."""
        if self.constraints is None or not self.constraints.count:
            return None
        stacked = self.values if self.values.dim() > 1 else self.values.unsqueeze(0)
        violation = self.constraints.violation(stacked[:, 1:])
        return violation if self.values.dim() > 1 else violation[0]

    def min_cosine(self) -> torch.Tensor | None:
        """The smallest pairwise cosine between the objectives' gradients (needs the Gram)."""
        return None if self.gram is None else _min_cosine(self.gram)

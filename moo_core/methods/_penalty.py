from __future__ import annotations

import torch

from moo_core.methods._base import Method, as_column


class Penalty(Method, method="penalty"):
    """L = f + μ·Σᵢ P(gᵢ − εᵢ), one term per constraint. `hinge`: P = max(g − ε, 0) for `le`,
    max(ε − g, 0) for `ge`, |g − ε| for `eq`; `squared`: the square of the same. A fixed μ
    trades the constraints off against f, so the result misses ε by an amount that shrinks
    only as μ grows."""

    def weigh(self, values, gram):
        mu = as_column(self.settings["penalty_weight"], values)
        gap = values[:, 1:] - self.constraints.epsilon
        masks = self.constraints.masks(gap)
        active = torch.where(
            masks["le"], gap.clamp_min(0.0), torch.where(masks["ge"], gap.clamp_max(0.0), gap)
        )
        slope = torch.sign(active) if self.settings["kind"] == "hinge" else 2.0 * active
        return torch.cat([torch.ones_like(values[:, :1]), mu * slope], -1)

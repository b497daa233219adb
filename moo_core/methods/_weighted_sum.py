from __future__ import annotations

import torch

from moo_core.methods._base import Method, as_column
from moo_core.methods._specs import parse_shares


class WeightedSum(Method, method="weighted_sum"):
    """L = (1 − w)·f + w·Σᵢ sᵢ·gᵢ (Σ sᵢ = 1; for two objectives L = (1 − w)·f + w·g). Finds only
    the convex hull of a front: on a concave front every w ends at one of its two ends (Das &
    Dennis, 1997)."""

    def weigh(self, values, gram):
        """Fixed weights: computed on the first step, the same tensor after."""
        if "fixed" not in self.__dict__ or self.fixed.shape[0] != values.shape[0]:
            self.fixed = self._weights(values)
        return self.fixed

    def _weights(self, values):
        weight = as_column(self.settings["weight"], values)
        others = values.shape[-1] - 1
        self.spec.check(self.settings, others + 1)
        shares = parse_shares(self.settings.get("shares", ""))
        split = torch.tensor(shares or (1.0,) * others, dtype=values.dtype, device=values.device)
        return torch.cat([1.0 - weight, weight * split / split.sum()], -1)

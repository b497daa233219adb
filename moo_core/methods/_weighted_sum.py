from __future__ import annotations

from moo_core._lazy import torch
from moo_core.methods._base import Method, as_column
from moo_core.methods._registry import METHODS
from moo_core.registry import ConfigError, Hyperparam, parse_floats


def parse_shares(text: str) -> tuple[float, ...]:
    """ "1,2" → (1.0, 2.0); "" → () (equal shares)."""
    return tuple(float(part) for part in parse_floats("shares", text).split(",") if part)


@METHODS.register("weighted_sum")
class WeightedSum(Method):
    """L = (1 − w)·f + w·Σᵢ sᵢ·gᵢ (Σ sᵢ = 1; for two objectives L = (1 − w)·f + w·g). Finds only
    the convex hull of a front: on a concave front every w ends at one of its two ends (Das &
    Dennis, 1997)."""

    summary = "L = (1 − w)·f + w·g"
    constant_weights = True
    hyperparams = (
        Hyperparam(
            "weight", "float", 0.5, "Weight w on the others (on g for two objectives)", 0.0, 1.0
        ),
        Hyperparam(
            "shares",
            "floats",
            "",
            "How w is split among g₁, g₂, … (comma-separated; empty: equally)",
        ),
    )

    @classmethod
    def check(cls, settings: dict, objectives: int) -> None:
        shares = parse_shares(settings.get("shares", ""))
        if shares and len(shares) != objectives - 1:
            raise ConfigError(
                f"shares={settings['shares']!r} has {len(shares)} numbers; "
                f"{objectives} objectives need {objectives - 1}"
            )

    def weigh(self, values, gram):
        """Fixed weights: computed on the first step, the same tensor after."""
        if "fixed" not in self.__dict__ or self.fixed.shape[0] != values.shape[0]:
            self.fixed = self._weights(values)
        return self.fixed

    def _weights(self, values):
        weight = as_column(self.settings["weight"], values)
        others = values.shape[-1] - 1
        self.check(self.settings, others + 1)
        shares = parse_shares(self.settings.get("shares", ""))
        split = torch.tensor(shares or (1.0,) * others, dtype=values.dtype, device=values.device)
        return torch.cat([1.0 - weight, weight * split / split.sum()], -1)

from __future__ import annotations

import torch

from moo_core.methods._base import Method, as_column
from moo_core.records import objective_names
from moo_core.registry import ConfigError


class GeometricMean(Method, method="geometric_mean"):
    """Minimise (f + s)^(1−α)·Πᵢ (gᵢ + s)^(α/(m−1)), in log space:
    L = (1 − α)·log(f + s) + α·mean log(gᵢ + s); for two objectives (f + s)^(1−α)·(g + s)^α.

    The shift s > 0 makes the problem well posed: without it log f → −∞ as f → 0, so the
    product has no balanced minimiser and the gradient (1 − α)/f blows up as f underflows
    (a floor of 1e-12 scaled it by ~5e11). With it every weight stays ≤ 1/s and the minimiser
    is a point of the front (on a concave front, an end). Each shifted objective must stay
    positive: a problem whose g can fall to −s or below is refused when the run is configured,
    and a value that does so in training stops the run with an error naming it. The widely
    copied snippet negates the product and so *maximises* it; this minimises.
    """

    def weigh(self, values, gram):
        if "shift_column" not in self.__dict__:
            self.shift_column = as_column(self.settings["shift"], values)
            self.alpha = as_column(self.settings["alpha"], values)
        shifted = values + self.shift_column
        if not bool((shifted > 0).all()):
            self._refuse(shifted)
        share = self.alpha / (values.shape[-1] - 1)
        return torch.cat([(1.0 - self.alpha) / shifted[:, :1], share / shifted[:, 1:]], -1)

    def _refuse(self, shifted) -> None:
        bad = (shifted <= 0) & torch.isfinite(shifted)
        if not bool(bad.any()):
            return  # NaN rows: the run diverged, the recorder says so
        row, column = (int(i) for i in bad.nonzero()[0])
        name = objective_names(shifted.shape[-1])[column]
        value = float(shifted[row, column] - self.shift_column[row, 0])
        raise ConfigError(
            f"geometric_mean needs every objective + shift > 0, but {name} = {value:.4g} "
            f"with shift {float(self.shift_column[row, 0]):g}; raise shift above {-value:.4g}"
        )

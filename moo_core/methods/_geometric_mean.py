from typing import ClassVar

import torch

from moo_core.methods._base import Method, as_column
from moo_core.methods._registry import METHODS
from moo_core.registry import Hyperparam

FLOOR = 1e-12  # log(0) guard


@METHODS.register("geometric_mean")
class GeometricMean(Method):
    """Minimise f^(1−α)·Πᵢ gᵢ^(α/(m−1)), in log space: L = (1 − α)·log f + α·mean log gᵢ (needs
    positive objectives; for two, f^(1−α)·g^α).

    The widely copied snippet negates the product and so *maximises* it; this minimises.
    """

    summary = "minimise f^(1−α)·g^α (in log space)"
    hyperparams = (Hyperparam("alpha", "float", 0.5, "Exponent α on g", 0.0, 1.0),)
    defaults: ClassVar[dict] = {"optimizer": "adam"}

    def weigh(self, values, gram):
        alpha = as_column(self.settings["alpha"], values)
        share = alpha / (values.shape[-1] - 1)
        floored = values.clamp_min(FLOOR)
        return torch.cat([(1.0 - alpha) / floored[:, :1], share / floored[:, 1:]], -1)

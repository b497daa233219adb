from typing import ClassVar

from moo_core.methods._base import Method, as_row
from moo_core.methods._registry import METHODS
from moo_core.registry import Hyperparam

FLOOR = 1e-12  # log(0) guard


@METHODS.register("geometric_mean")
class GeometricMean(Method):
    """Minimise f^(1−α)·g^α, in log space: L = (1 − α)·log f + α·log g (needs f, g > 0).

    The widely copied snippet negates the product and so *maximises* it; this minimises.
    """

    summary = "minimise f^(1−α)·g^α (in log space)"
    hyperparams = (Hyperparam("alpha", "float", 0.5, "Exponent α on g", 0.0, 1.0),)
    defaults: ClassVar[dict] = {"optimizer": "adam"}

    def weights(self, f, g, gram):
        alpha = as_row(self.settings["alpha"], f)
        return (1.0 - alpha) / f.clamp_min(FLOOR), alpha / g.clamp_min(FLOOR)

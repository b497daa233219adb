from moo_core.methods._base import Method, as_row
from moo_core.methods._registry import METHODS
from moo_core.registry import Hyperparam


@METHODS.register("weighted_sum")
class WeightedSum(Method):
    """L = (1 − w)·f + w·g. Finds only the convex hull of a front: on a concave front every
    w ends at one of its two ends (Das & Dennis, 1997)."""

    summary = "L = (1 − w)·f + w·g"
    hyperparams = (Hyperparam("weight", "float", 0.5, "Weight w on g", 0.0, 1.0),)

    def weights(self, f, g, gram):
        weight = as_row(self.settings["weight"], f)
        return 1.0 - weight, weight

import torch

from moo_core.methods._base import Method, as_row
from moo_core.methods._registry import METHODS
from moo_core.registry import Hyperparam


@METHODS.register("penalty")
class Penalty(Method):
    """L = f + μ·P(g − ε). `hinge`: P = max(g − ε, 0) for `le`, max(ε − g, 0) for `ge`,
    |g − ε| for `eq`; `squared`: the square of the same. A fixed μ trades the constraint off
    against f, so the result misses ε by an amount that shrinks only as μ grows."""

    summary = "L = f + μ·P(g − ε), hinge or squared"
    uses_epsilon = True
    hyperparams = (
        Hyperparam("penalty_weight", "float", 10.0, "Penalty weight μ", 0.0, 1e4, log_scale=False),
        Hyperparam("kind", "choice", "squared", "Penalty shape", choices=("hinge", "squared")),
    )

    def weights(self, f, g, gram):
        mu = as_row(self.settings["penalty_weight"], f)
        gap = g - self.constraint.epsilon
        kind = self.constraint.kind
        active = gap if kind == "eq" else gap.clamp_min(0.0) if kind == "le" else gap.clamp_max(0.0)
        slope = torch.sign(active) if self.settings["kind"] == "hinge" else 2.0 * active
        return torch.ones_like(f), mu * slope

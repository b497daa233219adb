import math

import numpy as np

from moo_core.problems._base import Problem
from moo_core.problems._registry import PROBLEMS

SHIFT = 1.0 / math.sqrt(2.0)


@PROBLEMS.register("concave")
class Concave(Problem):
    """Fonseca–Fleming with n = 2 (Fonseca & Fleming, 1995):
    f = 1 − exp(−Σ(xᵢ − 1/√2)²), g = 1 − exp(−Σ(xᵢ + 1/√2)²).

    Pareto set: x₁ = x₂ = u/√2, u ∈ [−1, 1]; front f = 1 − exp(−(u − 1)²),
    g = 1 − exp(−(u + 1)²) (concave).
    """

    summary = "Fonseca–Fleming (n = 2); concave front"
    dim = 2
    default_init = (0.6, -0.4)
    init_box = (-1.5, 1.5)
    reference_point = (1.1, 1.1)
    g_range = (0.0, 1.0 - math.exp(-4.0))

    def objectives(self, x):
        f = 1.0 - (-((x - SHIFT) ** 2).sum(-1)).exp()
        g = 1.0 - (-((x + SHIFT) ** 2).sum(-1)).exp()
        return f, g

    def analytic_gradients(self, x):
        f, g = self.objectives(x)
        return f, g, 2.0 * (x - SHIFT) * (1.0 - f)[:, None], 2.0 * (x + SHIFT) * (1.0 - g)[:, None]

    def front(self, points):
        u = np.linspace(-1.0, 1.0, points)
        return np.column_stack([1.0 - np.exp(-((u - 1.0) ** 2)), 1.0 - np.exp(-((u + 1.0) ** 2))])

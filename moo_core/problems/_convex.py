from __future__ import annotations

import numpy as np

from moo_core._lazy import torch
from moo_core.problems._base import Problem
from moo_core.problems._registry import PROBLEMS

CENTRE_G = (2.0, 0.0)


@PROBLEMS.register("convex")
class Convex(Problem):
    """f = ‖x‖², g = ‖x − (2, 0)‖², x ∈ R².

    Pareto set: x = (t, 0), t ∈ [0, 2]; front g = (2 − √f)², f ∈ [0, 4] (convex).
    """

    summary = "f = ‖x‖², g = ‖x − (2,0)‖²; convex front g = (2 − √f)²"
    dim = 2
    default_init = (1.0, 1.5)
    init_box = (-1.0, 3.0)
    reference_point = (4.4, 4.4)
    g_range = (0.0, 4.0)

    def objectives(self, x):
        centre = torch.tensor(CENTRE_G, dtype=x.dtype, device=x.device)
        return (x**2).sum(-1), ((x - centre) ** 2).sum(-1)

    def analytic_gradients(self, x):
        centre = torch.tensor(CENTRE_G, dtype=x.dtype, device=x.device)
        f, g = self.objectives(x)
        return f, g, 2.0 * x, 2.0 * (x - centre)

    def front(self, points):
        f = np.linspace(0.0, 4.0, points)
        return np.column_stack([f, (2.0 - np.sqrt(f)) ** 2])

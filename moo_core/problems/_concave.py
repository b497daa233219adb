import math

import numpy as np

from moo_core._lazy import torch
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

    def __init__(self, init=None):
        super().__init__(init)
        self.centres = {}  # (dtype, device) → the centres of f and g, made once

    def objectives(self, x):
        f = 1.0 - (-((x - SHIFT) ** 2).sum(-1)).exp()
        g = 1.0 - (-((x + SHIFT) ** 2).sum(-1)).exp()
        return f, g

    def analytic_gradients(self, x):
        """f, g, ∇f = 2(x − c_f)(1 − f), ∇g = 2(x − c_g)(1 − g): both objectives in one set of
        kernels on (2, K, n), the same operations as `objectives` (same bits, fewer kernels)."""
        offset = x - self._centres(x)  # x − 1/√2 and x + 1/√2
        values = torch.rsub((-(offset**2).sum(-1)).exp(), 1.0)
        grads = 2.0 * offset * torch.rsub(values, 1.0).unsqueeze(-1)
        return values[0], values[1], grads[0], grads[1]

    def _centres(self, x):
        key = (x.dtype, x.device)
        if key not in self.centres:
            self.centres[key] = torch.tensor([SHIFT, -SHIFT], dtype=x.dtype, device=x.device)
        return self.centres[key].reshape(2, *[1] * x.dim())

    def front(self, points):
        u = np.linspace(-1.0, 1.0, points)
        return np.column_stack([1.0 - np.exp(-((u - 1.0) ** 2)), 1.0 - np.exp(-((u + 1.0) ** 2))])

import math

import torch

from moo_core.problems._base import Problem

SHIFT = 1.0 / math.sqrt(2.0)


class Concave(Problem, problem="concave"):
    """Fonseca–Fleming with n = 2 (Fonseca & Fleming, 1995):
    f = 1 − exp(−Σ(xᵢ − 1/√2)²), g = 1 − exp(−Σ(xᵢ + 1/√2)²).

    Pareto set: x₁ = x₂ = u/√2, u ∈ [−1, 1]; front f = 1 − exp(−(u − 1)²),
    g = 1 − exp(−(u + 1)²) (concave).
    """

    def __init__(self, init=None):
        super().__init__(init)
        self.centres = {}  # (dtype, device, dim) → the centres of f and g, made once

    def objectives(self, x):
        f = 1.0 - (-((x - SHIFT) ** 2).sum(-1)).exp()
        g = 1.0 - (-((x + SHIFT) ** 2).sum(-1)).exp()
        return f, g

    def analytic_gradients(self, x):
        """(f, g) as (2, K) and (∇f, ∇g) = 2(x − c)(1 − value) as (2, K, n): both objectives in
        one set of kernels, the same operations as `objectives` (same bits, fewer kernels)."""
        offset = x - self._centres(x)  # x − 1/√2 and x + 1/√2
        values = torch.rsub((-(offset**2).sum(-1)).exp(), 1.0)
        grads = 2.0 * offset * torch.rsub(values, 1.0).unsqueeze(-1)
        return values, grads

    def _centres(self, x):
        key = (x.dtype, x.device, x.dim())
        if key not in self.centres:
            centres = torch.tensor([SHIFT, -SHIFT], dtype=x.dtype, device=x.device)
            self.centres[key] = centres.reshape(2, *[1] * x.dim())
        return self.centres[key]

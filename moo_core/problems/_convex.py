from __future__ import annotations

import torch

from moo_core.problems._base import Problem

CENTRE_G = (2.0, 0.0)


class Convex(Problem, problem="convex"):
    """f = ‖x‖², g = ‖x − (2, 0)‖², x ∈ R².

    Pareto set: x = (t, 0), t ∈ [0, 2]; front g = (2 − √f)², f ∈ [0, 4] (convex).
    """

    def objectives(self, x):
        centre = torch.tensor(CENTRE_G, dtype=x.dtype, device=x.device)
        return (x**2).sum(-1), ((x - centre) ** 2).sum(-1)

    def __init__(self, init=None):
        super().__init__(init)
        self.centres = {}  # (dtype, device) → the centres of f and g, made once

    def analytic_gradients(self, x):
        """(f, g) as (2, K) and (∇f, ∇g) = (2x, 2(x − (2, 0))) as (2, K, 2): both objectives
        in one set of kernels, the same operations as `objectives` (x − 0 is x: same bits)."""
        offset = x - self._centres(x)
        values = (offset**2).sum(-1)
        grads = 2.0 * offset
        return values, grads

    def _centres(self, x):
        key = (x.dtype, x.device)
        if key not in self.centres:
            centres = torch.tensor([(0.0, 0.0), CENTRE_G], dtype=x.dtype, device=x.device)
            self.centres[key] = centres.unsqueeze(1)
        return self.centres[key]

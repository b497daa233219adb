"""DTLZ2 (Deb, Thiele, Laumanns & Zitzler, "Scalable test problems for evolutionary
multiobjective optimization", 2005) with m = 3 objectives and n = 12 variables in [0, 1]^n.
With d = Σᵢ₌₃ⁿ (xᵢ − 0.5)² (DTLZ's own "g", named d here): f = (1 + d)·cos(x₁π/2)·cos(x₂π/2),
g₁ = (1 + d)·cos(x₁π/2)·sin(x₂π/2), g₂ = (1 + d)·sin(x₁π/2). The front is d = 0: the positive
octant of the unit sphere, f² + g₁² + g₂² = 1 (moo_core.problems._specs). The box is kept by
projection after every step.
"""

from __future__ import annotations

import math

import torch

from moo_core.problems._base import Problem

HALF_PI = math.pi / 2.0


class Dtlz2(Problem, problem="dtlz2"):
    """DTLZ2 (m = 3, n = 12); front: the positive octant of the unit sphere."""

    def objectives(self, x):
        radius = 1.0 + ((x[..., 2:] - 0.5) ** 2).sum(-1)
        polar, azimuth = x[..., 0] * HALF_PI, x[..., 1] * HALF_PI
        return (
            radius * torch.cos(polar) * torch.cos(azimuth),
            radius * torch.cos(polar) * torch.sin(azimuth),
            radius * torch.sin(polar),
        )

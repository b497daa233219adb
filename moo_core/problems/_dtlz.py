"""DTLZ2 (Deb, Thiele, Laumanns & Zitzler, "Scalable test problems for evolutionary
multiobjective optimization", 2005) with m = 3 objectives and n = 12 variables in [0, 1]^n.

With d = Σᵢ₌₃ⁿ (xᵢ − 0.5)² (DTLZ's own "g", named d here): f = (1 + d)·cos(x₁π/2)·cos(x₂π/2),
g₁ = (1 + d)·cos(x₁π/2)·sin(x₂π/2), g₂ = (1 + d)·sin(x₁π/2). The front is d = 0: the positive
octant of the unit sphere, f² + g₁² + g₂² = 1. The box is kept by projection after every step.
"""

from __future__ import annotations

import math

import numpy as np

from moo_core._lazy import torch
from moo_core.problems._base import Problem, front_distance
from moo_core.problems._registry import PROBLEMS

HALF_PI = math.pi / 2.0
FRONT_SAMPLES = 10_000


@PROBLEMS.register("dtlz2")
class Dtlz2(Problem):
    """DTLZ2 (m = 3, n = 12); front: the positive octant of the unit sphere."""

    summary = "DTLZ2 (m = 3, n = 12); spherical front f² + g₁² + g₂² = 1"
    n_objectives = 3
    dim = 12
    # off the front (d = 0.625, radius 1.625) and off its edges, so a run has somewhere to go
    default_init = (0.5, 0.5) + (0.75,) * 10
    init_box = (0.0, 1.0)
    bounds = (0.0, 1.0)
    reference_point = (1.1, 1.1, 1.1)
    g_range = (0.0, 1.0)

    def objectives(self, x):
        radius = 1.0 + ((x[..., 2:] - 0.5) ** 2).sum(-1)
        polar, azimuth = x[..., 0] * HALF_PI, x[..., 1] * HALF_PI
        return (
            radius * torch.cos(polar) * torch.cos(azimuth),
            radius * torch.cos(polar) * torch.sin(azimuth),
            radius * torch.sin(polar),
        )

    def front(self, points):
        side = max(2, math.ceil(math.sqrt(points)))
        polar, azimuth = np.meshgrid(
            np.linspace(0.0, HALF_PI, side), np.linspace(0.0, HALF_PI, side), indexing="ij"
        )
        polar, azimuth = polar.ravel(), azimuth.ravel()
        return np.column_stack(
            [np.cos(polar) * np.cos(azimuth), np.cos(polar) * np.sin(azimuth), np.sin(polar)]
        )

    def distance_to_front(self, *point: float) -> float | None:
        """Exact distance from a point to the front: |‖y‖ − 1| in the positive octant (the
        nearest point of the sphere is y/‖y‖), else the distance to the sampled front."""
        values = np.asarray(point, dtype=float)
        if not np.isfinite(values).all():
            return None
        if (values >= 0).all() and np.linalg.norm(values) > 0:
            return float(abs(np.linalg.norm(values) - 1.0))
        return front_distance(self.front(FRONT_SAMPLES), *values)

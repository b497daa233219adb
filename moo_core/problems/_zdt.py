"""Zitzler–Deb–Thiele problems ZDT1–3 (Zitzler, Deb & Thiele, 2000), n = 30, x ∈ [0, 1]^n.

f = x₁; g = d·h(x₁/d) with d = 1 + 9·Σᵢ₌₂ⁿ xᵢ/(n − 1) (ZDT's own "g", named d here). The box
is kept by projection after every step. Fronts lie at d = 1.
"""

from __future__ import annotations

import math
from abc import abstractmethod

import numpy as np

from moo_core._lazy import torch
from moo_core.problems._base import Problem
from moo_core.problems._registry import PROBLEMS

TINY = 1e-12  # keeps √(f/d) differentiable at f = 0
ZDT3_SEGMENTS = (
    (0.0, 0.0830015349),
    (0.1822287280, 0.2577623634),
    (0.4093136748, 0.4538821041),
    (0.6183967944, 0.6525117038),
    (0.8233317983, 0.8518328654),
)


class _Zdt(Problem):
    dim = 30
    default_init = (0.5,) * 30
    init_box = (0.0, 1.0)
    bounds = (0.0, 1.0)
    reference_point = (1.1, 1.1)

    def objectives(self, x):
        f = x[..., 0]
        d = 1.0 + 9.0 * x[..., 1:].sum(-1) / (self.dim - 1)
        return f, d * self.shape(f / d, f)

    @staticmethod
    @abstractmethod
    def shape(ratio, f):
        """g/d as a function of f/d: what tells ZDT1, 2 and 3 apart."""

    def front(self, points):
        f = np.linspace(0.0, 1.0, points)
        return np.column_stack([f, self.shape(f, f)])


@PROBLEMS.register("zdt1")
class Zdt1(_Zdt):
    """ZDT1: h = 1 − √(f/d); convex front g = 1 − √f."""

    summary = "ZDT1 (n = 30); convex front g = 1 − √f"
    g_range = (0.0, 1.0)

    @staticmethod
    def shape(ratio, f):
        sqrt = np.sqrt if isinstance(ratio, np.ndarray) else lambda r: (r + TINY).sqrt()
        return 1.0 - sqrt(ratio)


@PROBLEMS.register("zdt2")
class Zdt2(_Zdt):
    """ZDT2: h = 1 − (f/d)²; concave front g = 1 − f²."""

    summary = "ZDT2 (n = 30); concave front g = 1 − f²"
    g_range = (0.0, 1.0)

    @staticmethod
    def shape(ratio, f):
        return 1.0 - ratio**2


@PROBLEMS.register("zdt3")
class Zdt3(_Zdt):
    """ZDT3: h = 1 − √(f/d) − (f/d)·sin(10πf); disconnected front (five pieces)."""

    summary = "ZDT3 (n = 30); disconnected front"
    g_range = (-0.7733, 1.0)

    @staticmethod
    def shape(ratio, f):
        if isinstance(ratio, np.ndarray):
            return 1.0 - np.sqrt(ratio) - ratio * np.sin(10.0 * math.pi * f)
        return 1.0 - (ratio + TINY).sqrt() - ratio * torch.sin(10.0 * math.pi * f)

    def front(self, points):
        widths = np.array([high - low for low, high in ZDT3_SEGMENTS])
        counts = np.maximum(2, np.round(points * widths / widths.sum()).astype(int))
        f = np.concatenate(
            [
                np.linspace(low, high, n)
                for (low, high), n in zip(ZDT3_SEGMENTS, counts, strict=True)
            ]
        )
        return np.column_stack([f, self.shape(f, f)])

"""Zitzler–Deb–Thiele problems ZDT1–3 (Zitzler, Deb & Thiele, 2000), n = 30, x ∈ [0, 1]^n.
f = x₁; g = d·h(x₁/d) with d = 1 + 9·Σᵢ₌₂ⁿ xᵢ/(n − 1) (ZDT's own "g", named d here). The box
is kept by projection after every step. Fronts lie at d = 1 (moo_core.problems._specs).
"""

from __future__ import annotations

import math
from abc import abstractmethod

import torch

from moo_core.problems._base import Problem

TINY = 1e-12  # keeps √(f/d) differentiable at f = 0


class _Zdt(Problem):
    def objectives(self, x):
        f = x[..., 0]
        d = 1.0 + 9.0 * x[..., 1:].sum(-1) / (self.dim - 1)
        return f, d * self.shape(f / d, f)

    @staticmethod
    @abstractmethod
    def shape(ratio, f):
        """g/d as a function of f/d: what tells ZDT1, 2 and 3 apart."""


class Zdt1(_Zdt, problem="zdt1"):
    """ZDT1: h = 1 − √(f/d); convex front g = 1 − √f."""

    @staticmethod
    def shape(ratio, f):
        return 1.0 - (ratio + TINY).sqrt()


class Zdt2(_Zdt, problem="zdt2"):
    """ZDT2: h = 1 − (f/d)²; concave front g = 1 − f²."""

    @staticmethod
    def shape(ratio, f):
        return 1.0 - ratio**2


class Zdt3(_Zdt, problem="zdt3"):
    """ZDT3: h = 1 − √(f/d) − (f/d)·sin(10πf); disconnected front (five pieces)."""

    @staticmethod
    def shape(ratio, f):
        return 1.0 - (ratio + TINY).sqrt() - ratio * torch.sin(10.0 * math.pi * f)

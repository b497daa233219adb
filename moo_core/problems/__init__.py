"""Toy problems with analytic Pareto fronts, registered by name in `PROBLEMS`."""

from moo_core.problems import _concave, _convex, _dtlz, _zdt  # noqa: F401  (registration)
from moo_core.problems._base import Objective, Problem, front_distance
from moo_core.problems._registry import PROBLEMS

__all__ = ["PROBLEMS", "Objective", "Problem", "front_distance"]

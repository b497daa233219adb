"""Toy problems with analytic fronts: their declarations in `PROBLEMS` (torch-free: moo_core.
problems._specs), their objectives one module each (loaded, with torch, by calling a spec)."""

from moo_core.problems._specs import PROBLEMS, ProblemSpec, front_distance
from moo_core.registry import lazy_names

_WHERE = {"Objective": "moo_core.problems._base", "Problem": "moo_core.problems._base"}
__all__ = ["PROBLEMS", "ProblemSpec", "front_distance", *_WHERE]
__getattr__ = lazy_names(__name__, _WHERE)

"""The scoreboard's benchmark: for one toy problem, a sweep per gradient method and one NSGA-II
job at a matched budget of objective evaluations (K settings × T steps = P × G). Pure: builds
validated configs, queues nothing."""

from __future__ import annotations

from moo_core.config import SweepConfig, make_run_config, make_sweep_config
from moo_core.methods import METHODS
from moo_core.nsga2 import Nsga2Config, make_nsga2_config
from moo_core.problems import PROBLEMS

SETTINGS, STEPS, POPULATION = 64, 3000, 100  # the 64 ε × 3000 steps, NSGA-II's P
DEFAULT_METHODS = ("mdmm", "weighted_sum")
WEIGHT = "weight"  # what a method without ε (weighted_sum) sweeps instead, over [0, 1]


def benchmark_methods() -> list[str]:
    """Methods whose setting moves the point along the front: ε, or weighted_sum's weight
    (the other aggregators land on one point whatever they are given)."""
    return [name for name in METHODS.names() if _swept(name) is not None]


def _swept(method: str) -> tuple[str, float, float] | None:
    if METHODS.get(method).uses_epsilon:
        return "epsilon", float("nan"), float("nan")  # the range is the problem's
    if method == "weighted_sum":
        return WEIGHT, 0.0, 1.0
    return None


def sweep_for(problem: str, method: str, settings: int = SETTINGS, steps: int = STEPS):
    """The method's sweep: ε over the problem's range of g (every constrained objective for
    m ≥ 3), or the weight over [0, 1]."""
    over, start, stop = _swept(method)
    if over == "epsilon":
        start, stop = PROBLEMS.get(problem).g_range
    run = make_run_config(problem, method, steps=steps)
    return make_sweep_config(run, over, start, stop, settings)


def generations_for(settings: int, steps: int, population: int) -> int:
    """G with P × G = K × T (rounded, at least 1)."""
    return max(1, round(settings * steps / population))


def benchmark_configs(
    problem: str,
    methods: tuple[str, ...] | list[str] = DEFAULT_METHODS,
    settings: int = SETTINGS,
    steps: int = STEPS,
    population: int = POPULATION,
) -> list[SweepConfig | Nsga2Config]:
    """One sweep per method, then NSGA-II with the same number of evaluations."""
    sweeps = [sweep_for(problem, method, settings, steps) for method in methods]
    generations = generations_for(settings, steps, population)
    return [*sweeps, make_nsga2_config(problem, population, generations)]

"""NSGA-II (Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist multiobjective genetic
algorithm: NSGA-II", 2002) from pymoo as an evolutionary baseline: one job gives a whole front.

pymoo drives the population; the objectives are OUR toy problems' (moo_core.problems, in
float64 through torch), so the front is the very problem the gradient sweeps train on. The
search box is the problem's `bounds`; a problem without bounds (convex, concave) searches its
`init_box`, where gradient runs start and where its Pareto set lies. Real-data tasks are not
supported (a network's weights are not a box a genetic algorithm searches well).

Budget: pymoo counts the initial population as generation 1, so P × G objective evaluations
(a gradient sweep of K settings × T steps evaluates K × T times: "matched" means P·G = K·T).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from moo_core.problems import PROBLEMS, front_distance
from moo_core.records import RunOutcome, SweepResult
from moo_core.registry import ConfigError, Hyperparam, parse_hyperparams

METHOD = "nsga2"  # the name under "method" in a stored job, beside the gradient methods
OVER = "member"  # a point is a member of the final population, numbered 0 … P − 1
IGD_FRONT_POINTS = 1000  # as moo_core.api
NSGA2_FIELDS = (
    Hyperparam("population", "int", 100, "Population size P", 4, 10_000),
    Hyperparam("generations", "int", 300, "Generations G (the first: the initial P)", 1, 100_000),
    Hyperparam("seed", "int", 0, "Random seed", 0, 2**31 - 1),
)


@dataclass(frozen=True)
class Nsga2Config:
    """One NSGA-II job on a toy problem: P members evolved for G generations."""

    problem: str
    population: int = 100
    generations: int = 300
    seed: int = 0

    @property
    def evaluations(self) -> int:
        return self.population * self.generations

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON; "method" lets every reader of run configs label it."""
        return {
            "problem": self.problem,
            "method": METHOD,
            "population": self.population,
            "generations": self.generations,
            "seed": self.seed,
        }


def make_nsga2_config(
    problem: str | None,
    population: Any = None,
    generations: Any = None,
    seed: Any = None,
    dataset: Any = None,
) -> Nsga2Config:
    """Validate against the registries; ConfigError naming the bad value."""
    if dataset is not None:
        raise ConfigError("nsga2 runs on toy problems only; a real-data task is not supported")
    if problem is None:
        raise ConfigError(f"nsga2 needs --problem, one of {', '.join(PROBLEMS.names())}")
    PROBLEMS.get(problem)  # an unknown name is named with the allowed ones
    given = {"population": population, "generations": generations, "seed": seed}
    fields = parse_hyperparams(
        NSGA2_FIELDS, {k: v for k, v in given.items() if v is not None}, "nsga2"
    )
    return Nsga2Config(problem=problem, **fields)


def nsga2_config_from_dict(data: Mapping[str, Any]) -> Nsga2Config:
    """Rebuild (and re-validate) a config from `Nsga2Config.to_dict()` output."""
    if data.get("task"):
        raise ConfigError("nsga2 runs on toy problems only; a real-data task is not supported")
    known = {"problem", "method", "population", "generations", "seed"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown nsga2 field {unknown[0]!r}")
    if data.get("method", METHOD) != METHOD:
        raise ConfigError(f"an nsga2 job's method is {METHOD!r}, not {data['method']!r}")
    return make_nsga2_config(**{k: data.get(k) for k in known - {"method"}})


def search_box(problem) -> tuple[float, float]:
    """The problem's bounds, else its init_box (unbounded problems: see the module doc)."""
    return problem.bounds if problem.bounds is not None else problem.init_box


def _pymoo_problem(problem):
    import torch  # imported when a job runs: validating a config loads neither
    from pymoo.core.problem import Problem as PymooProblem

    class Wrapped(PymooProblem):
        def __init__(self):
            low, high = search_box(problem)
            super().__init__(n_var=problem.dim, n_obj=problem.n_objectives, xl=low, xu=high)

        def _evaluate(self, x, out, *args, **kwargs):
            with torch.no_grad():
                values = problem.objectives(torch.from_numpy(np.asarray(x, dtype=np.float64)))
            out["F"] = torch.stack(values, -1).numpy()

    return Wrapped()


def run_nsga2(
    config: Nsga2Config,
    *,
    on_generation: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SweepResult:
    """Evolve the population; the final population's members are the points (like a sweep's
    settings), hypervolume and IGD are computed on its non-dominated ones as for sweeps."""
    from pymoo.algorithms.moo.nsga2 import NSGA2

    from moo_core.metrics import hypervolume, igd, nondominated

    problem = PROBLEMS.get(config.problem)()
    algorithm = NSGA2(pop_size=config.population)
    algorithm.setup(
        _pymoo_problem(problem),
        termination=("n_gen", config.generations),
        seed=config.seed,
        verbose=False,
    )
    started, status = time.perf_counter(), "completed"
    while algorithm.has_next():
        algorithm.next()
        if on_generation is not None:
            on_generation(int(algorithm.n_gen))
        if should_stop is not None and should_stop():
            status = "cancelled"
            break
    seconds = time.perf_counter() - started
    points = np.asarray(algorithm.pop.get("F"), dtype=float)
    generations = int(algorithm.n_gen) - (1 if status == "completed" else 0)
    front = problem.front(IGD_FRONT_POINTS)
    exact = getattr(problem, "distance_to_front", None)
    outcomes = [_outcome(row, status, generations, front, exact) for row in points]
    keep = nondominated(points)
    return SweepResult(
        over=OVER,
        values=tuple(range(len(points))),
        outcomes=outcomes,
        nondominated=keep,
        hypervolume=hypervolume(points[keep], problem.reference_point) if keep else None,
        igd=igd(points[keep], front) if keep else None,
        seconds=seconds,
        device="cpu",
        extra={
            "method": METHOD,
            "evaluations": int(algorithm.evaluator.n_eval),
            "generations": generations,
            "converged_points": None,  # a population member is not a run: no verdict
        },
    )


def _outcome(row: np.ndarray, status: str, generations: int, front, exact) -> RunOutcome:
    objectives = tuple(float(v) for v in row)
    distance = exact(*objectives) if exact is not None else front_distance(front, *objectives)
    return RunOutcome(
        status=status,
        steps=generations,
        f=objectives[0],
        g=objectives[1],
        lam=None,
        violation=float("nan"),  # no ε: nothing to violate
        front_distance=distance,
        objectives=objectives,
        multipliers=None,
    )


def max_front_distance(result: SweepResult) -> float | None:
    """The largest distance of a non-dominated point to the analytic front (the "every point
    within …" reading of a front's accuracy; IGD is the mean the other way round)."""
    distances = [result.outcomes[k].front_distance for k in result.nondominated]
    distances = [d for d in distances if d is not None]
    return max(distances) if distances else None

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


# Evaluations a second when this server has no finished job to go by: docs/benchmarks.md's
# "Gradient sweeps against NSGA-II" (a shared 2-core machine): a 64 × 3000 sweep in ~1.2 s,
# NSGA-II's 192,000 evaluations in 29.5 s on zdt1, 12.5 s on zdt2, 128.9 s on zdt3.
MEASURED_RATES = {"sweep": 160_000.0, "nsga2": 6_500.0}
MEASURED_NSGA2 = {"zdt1": 6_500.0, "zdt2": 15_400.0, "zdt3": 1_500.0}
STARTUP_SECONDS = 2.0  # a worker claims, builds and stores each job


def job_rates(rows) -> dict[tuple[str, str], float]:
    """(problem, "sweep" | "nsga2") → the median evaluations a second of the finished jobs in
    `rows` (ui.scoreboard's rows: this machine's own record)."""
    import statistics

    found: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        if row.get("evaluations") and row.get("seconds"):
            kind = "nsga2" if str(row.get("setting", "")).startswith("P =") else "sweep"
            found.setdefault((row["problem"], kind), []).append(row["evaluations"] / row["seconds"])
    return {key: statistics.median(rates) for key, rates in found.items()}


def estimate_seconds(problem: str, sweeps: int, settings: int, steps: int, population: int,
                     rows=()) -> tuple[float, str]:  # fmt: skip
    """(seconds, what the estimate rests on) for the benchmark: `sweeps` sweeps of K × T and
    one NSGA-II job of P × G evaluations, one after another on one worker."""
    rates = job_rates(rows)
    evaluations = settings * steps
    nsga = population * generations_for(settings, steps, population)
    sweep_rate = rates.get((problem, "sweep"), MEASURED_RATES["sweep"])
    nsga_rate = rates.get((problem, "nsga2"))
    mine = (problem, "sweep") in rates and nsga_rate is not None
    nsga_rate = nsga_rate or MEASURED_NSGA2.get(problem, MEASURED_RATES["nsga2"])
    seconds = sweeps * evaluations / sweep_rate + nsga / nsga_rate + (sweeps + 1) * STARTUP_SECONDS
    basis = (
        f"from the finished {problem} jobs on this server"
        if mine
        else "from rates measured on a shared 2-core machine (docs/benchmarks.md)"
    )
    return seconds, basis

"""Typed records: the only things that cross from moo_core into storage and the UI.

One schema, named once: a run has m ≥ 2 objectives, f (the primary) and m − 1 others (the
constrained ones for multiplier and penalty methods, the other tasks for the rest), and one
multiplier column per other objective. With m = 2 the names are the ones the lab always had
(f, g, lambda); with m ≥ 3 the others are numbered from 1: g1, g2, …, lambda1, lambda2, ….
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COLUMNS = ("f", "g", "lambda", "violation", "grad_cos")  # the m = 2 step columns


def objective_names(m: int) -> tuple[str, ...]:
    """("f", "g") for m = 2; ("f", "g1", …, "g{m−1}") for m ≥ 3."""
    if m < 2:
        raise ValueError(f"a run has at least 2 objectives, not {m}")
    return ("f", "g") if m == 2 else ("f", *(f"g{i}" for i in range(1, m)))


def multiplier_names(m: int) -> tuple[str, ...]:
    """("lambda",) for m = 2; ("lambda1", …, "lambda{m−1}") for m ≥ 3."""
    return ("lambda",) if m == 2 else tuple(f"lambda{i}" for i in range(1, m))


def step_columns(m: int) -> tuple[str, ...]:
    """Per-step columns of an m-objective run: objectives, multipliers, the largest violation
    over the constraints, and the smallest pairwise cosine between objective gradients."""
    return (*objective_names(m), *multiplier_names(m), "violation", "grad_cos")


def objective_count(columns) -> int:
    """m from a set of column names (a chunk's, a sweep point's or a stored run's, which for
    m ≥ 3 also carries g = g1 for older readers): the numbered g1, g2, … if any, else 2."""
    numbered = sum(1 for name in columns if name[:1] == "g" and name[1:].isdigit())
    return 1 + numbered if numbered else 2


@dataclass(frozen=True)
class StepChunk:
    """Steps [start, start + T) for K stacked runs: each column an array of shape (T, K),
    named by `step_columns(m)`. A row's entries are NaN once that row has diverged; the
    multiplier columns are NaN for methods with none, `grad_cos` where it was not computed."""

    start: int
    columns: dict[str, np.ndarray]

    @property
    def length(self) -> int:
        return int(self.columns["f"].shape[0])

    @property
    def objectives(self) -> int:
        return objective_count(self.columns)

    def row(self, k: int, steps: int | None = None) -> dict[str, np.ndarray]:
        """Row k's columns (its first `steps` steps only, if given)."""
        return {name: values[:steps, k] for name, values in self.columns.items()}

    def finite_steps(self, k: int) -> int:
        """How many of the chunk's steps row k recorded before it diverged (all, until then)."""
        return int(np.isfinite(self.columns["f"][:, k]).sum())


@dataclass(frozen=True)
class RunOutcome:
    """The end of one run (one row of a batch). `f`, `g` and `lam` are the first objective,
    the second and the first multiplier: the two-objective view of `objectives` and
    `multipliers` (None for a method without multipliers)."""

    status: str  # completed | diverged | cancelled
    steps: int  # steps with a finite record
    f: float
    g: float
    lam: float | None
    violation: float
    front_distance: float | None
    extra: dict[str, float] = field(default_factory=dict)  # a task's validation values
    objectives: tuple[float, ...] = ()
    multipliers: tuple[float | None, ...] | None = None
    converged: bool | None = None  # the verdict (moo_core.verdict): None where not judged
    reason: str | None = None
    steps_to_converge: int | None = None

    @property
    def m(self) -> int:
        return len(self.objectives) or 2

    def values(self) -> dict[str, float | None]:
        """Objectives and multipliers by their column names."""
        objectives = self.objectives or (self.f, self.g)
        names = objective_names(len(objectives))
        out: dict[str, float | None] = dict(zip(names, objectives, strict=True))
        lams = self.multipliers or (None,) * (len(objectives) - 1)
        out |= dict(zip(multiplier_names(len(objectives)), lams, strict=True))
        return out


@dataclass(frozen=True)
class RunResult:
    outcome: RunOutcome
    seconds: float
    device: str
    trajectory: dict[str, np.ndarray] | None = None  # column → (steps,), when recorded
    info: dict | None = None  # a task's description (loss, rows, features, …)
    device_reason: str = ""  # why this device (moo_core.devices)

    def summary(self) -> dict:
        o = self.outcome
        out = {
            "status": o.status,
            "steps": o.steps,
            "seconds": round(self.seconds, 6),
            "device": self.device,
            "device_reason": self.device_reason,
            "final": final_values(o),
            "violation": o.violation,
            "front_distance": o.front_distance,
            "converged": o.converged,
            "reason": o.reason,
            "steps_to_converge": o.steps_to_converge,
        }
        validation = validation_values(o)
        if validation:
            out["validation"] = validation
        if "baseline_f" in o.extra:  # a task: the loss of the best constant prediction
            out["baseline_f"] = o.extra["baseline_f"]
        if self.info is not None:
            out["task"] = self.info
        return out


def final_values(o: RunOutcome) -> dict:
    """`final` of a run summary: f and g (m = 2), `objectives` (m values), `multipliers`
    (m − 1 values, or null for a method without them) and `lambda`: the one multiplier for
    m = 2 (as it always was), the list of m − 1 for m ≥ 3."""
    objectives = list(o.objectives or (o.f, o.g))
    multipliers = None if o.multipliers is None else list(o.multipliers)
    out: dict = {"f": o.f, "g": o.g} if len(objectives) == 2 else {"f": o.f}
    out["lambda"] = o.lam if len(objectives) == 2 else multipliers
    out["objectives"] = objectives
    out["multipliers"] = multipliers
    return out


def validation_values(o: RunOutcome) -> dict:
    """A task's validation objectives by name ({} without a validation set)."""
    m = len(o.objectives) or 2
    names = objective_names(m)
    if f"val_{names[0]}" not in o.extra:
        return {}
    return {name: o.extra.get(f"val_{name}") for name in names}


@dataclass(frozen=True)
class SweepResult:
    over: str
    values: tuple[float, ...]
    outcomes: list[RunOutcome]
    nondominated: list[int]
    hypervolume: float | None
    igd: float | None
    seconds: float
    device: str
    extra: dict = field(default_factory=dict)
    device_reason: str = ""  # why this device (moo_core.devices)
    # per setting {"step": [...], "f": [...], …} at thinned steps (api.sweep's
    # trajectory_samples); not part of points() or summary()
    trajectories: list[dict] | None = None

    def points(self) -> list[dict]:
        """One dict per setting; objectives and multipliers under their column names."""
        kept = set(self.nondominated)
        return [
            {
                self.over: value,
                **o.values(),
                "violation": o.violation,
                "status": o.status,
                "steps": o.steps,
                "front_distance": o.front_distance,
                "nondominated": k in kept,
                "converged": o.converged,
                "reason": o.reason,
                "steps_to_converge": o.steps_to_converge,
                **o.extra,
            }
            for k, (value, o) in enumerate(zip(self.values, self.outcomes, strict=True))
        ]

    def summary(self) -> dict:
        return {
            "over": self.over,
            "seconds": round(self.seconds, 6),
            "device": self.device,
            "device_reason": self.device_reason,
            "points": self.points(),
            "hypervolume": self.hypervolume,
            "igd": self.igd,
            "converged_points": sum(1 for o in self.outcomes if o.converged),
            **self.extra,
        }

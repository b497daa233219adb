"""Typed records: the only things that cross from moo_core into storage and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COLUMNS = ("f", "g", "lambda", "violation", "grad_cos")


@dataclass(frozen=True)
class StepChunk:
    """Steps [start, start + T) for K stacked runs: each column an array of shape (T, K).
    A row's entries are NaN once that row has diverged; `lambda` is NaN for methods with none."""

    start: int
    columns: dict[str, np.ndarray]

    @property
    def length(self) -> int:
        return int(self.columns["f"].shape[0])

    def row(self, k: int) -> dict[str, np.ndarray]:
        return {name: values[:, k] for name, values in self.columns.items()}


@dataclass(frozen=True)
class RunOutcome:
    """The end of one run (one row of a batch)."""

    status: str  # completed | diverged | cancelled
    steps: int  # steps with a finite record
    f: float
    g: float
    lam: float | None
    violation: float
    front_distance: float | None
    extra: dict[str, float] = field(default_factory=dict)  # a task's val_f, val_g


@dataclass(frozen=True)
class RunResult:
    outcome: RunOutcome
    seconds: float
    device: str
    trajectory: dict[str, np.ndarray] | None = None  # column → (steps,), when recorded
    info: dict | None = None  # a task's description (loss, rows, features, …)

    def summary(self) -> dict:
        o = self.outcome
        out = {
            "status": o.status,
            "steps": o.steps,
            "seconds": round(self.seconds, 6),
            "device": self.device,
            "final": {"f": o.f, "g": o.g, "lambda": o.lam},
            "violation": o.violation,
            "front_distance": o.front_distance,
        }
        if "val_f" in o.extra:
            out["validation"] = {"f": o.extra["val_f"], "g": o.extra["val_g"]}
        if self.info is not None:
            out["task"] = self.info
        return out


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

    def points(self) -> list[dict]:
        return [
            {
                self.over: value,
                "f": o.f,
                "g": o.g,
                "lambda": o.lam,
                "violation": o.violation,
                "status": o.status,
                "steps": o.steps,
                "front_distance": o.front_distance,
                "nondominated": k in self.nondominated,
                **o.extra,
            }
            for k, (value, o) in enumerate(zip(self.values, self.outcomes, strict=True))
        ]

    def summary(self) -> dict:
        return {
            "over": self.over,
            "seconds": round(self.seconds, 6),
            "device": self.device,
            "points": self.points(),
            "hypervolume": self.hypervolume,
            "igd": self.igd,
            **self.extra,
        }

"""Thinned trajectories of a batch: every row's objectives at ≤ `samples` evenly spaced steps,
collected from the training chunks as they pass (nothing else of the run is kept), so a
whole sweep can be replayed as it formed its front."""

from __future__ import annotations

import numpy as np

from moo_core.records import StepChunk, objective_names

TRAJECTORY_SAMPLES = 200  # per row: smooth enough to animate, small enough to store (JSON)


class Thinner:
    """A chunk callback keeping steps 0, …, steps − 1 at ≤ `samples` evenly spaced points
    (the first and the last step always)."""

    def __init__(self, steps: int, samples: int = TRAJECTORY_SAMPLES):
        count = max(1, min(int(samples), int(steps)))
        self.wanted = np.unique(np.linspace(0, steps - 1, count).round().astype(np.int64))
        self.steps: list[int] = []
        self.columns: dict[str, list[np.ndarray]] = {}

    def __call__(self, chunk: StepChunk) -> None:
        inside = (self.wanted >= chunk.start) & (self.wanted < chunk.start + chunk.length)
        picked = self.wanted[inside]
        if picked.size == 0:
            return
        for name in objective_names(chunk.objectives):
            self.columns.setdefault(name, []).append(chunk.columns[name][picked - chunk.start])
        self.steps.extend(int(step) for step in picked)

    def per_row(self, rows: int) -> list[dict[str, list[float] | list[int]]]:
        """One {"step": [...], "f": [...], "g": [...]} per row (NaN after a row diverged)."""
        tables = {name: np.concatenate(parts, axis=0) for name, parts in self.columns.items()}
        return [
            {"step": list(self.steps), **{n: t[:, k].tolist() for n, t in tables.items()}}
            for k in range(rows)
        ]


def chained(*callbacks):
    """One chunk callback calling each given one (None skipped) in order."""
    present = [callback for callback in callbacks if callback is not None]
    if not present:
        return None

    def call(chunk: StepChunk) -> None:
        for callback in present:
            callback(chunk)

    return call

"""The public entry points: `run` one configuration, `sweep` one hyperparameter as one batch."""

from __future__ import annotations

import numpy as np

from moo_core.config import RunConfig, SweepConfig
from moo_core.engine import ChunkCallback, StopCheck, build_objective, train_batch
from moo_core.metrics import hypervolume, igd, nondominated
from moo_core.records import RunResult, StepChunk, SweepResult

IGD_FRONT_POINTS = 1000


def run(
    config: RunConfig,
    *,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
    keep_trajectory: bool = False,
) -> RunResult:
    outcomes, seconds, device, trajectory = train_batch(
        [config],
        on_chunk=_finite_steps_only(on_chunk),
        should_stop=should_stop,
        keep_trajectory=keep_trajectory,
    )
    outcome = outcomes[0]
    if trajectory is not None:
        trajectory = {name: values[: outcome.steps, 0] for name, values in trajectory.items()}
    return RunResult(outcome=outcome, seconds=seconds, device=device, trajectory=trajectory)


def _finite_steps_only(on_chunk: ChunkCallback | None) -> ChunkCallback | None:
    """A single run's chunks end at its last finite step (a diverged row records NaN after)."""
    if on_chunk is None:
        return None

    def forward(chunk: StepChunk) -> None:
        keep = int(np.isfinite(chunk.columns["f"][:, 0]).sum())
        if keep:
            on_chunk(StepChunk(chunk.start, {k: v[:keep] for k, v in chunk.columns.items()}))

    return forward


def sweep(
    config: SweepConfig,
    *,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
) -> SweepResult:
    objective = build_objective(config.run)
    outcomes, seconds, device, _ = train_batch(
        config.runs(), on_chunk=on_chunk, should_stop=should_stop, objective=objective
    )
    points = np.array([[o.f, o.g] for o in outcomes], dtype=float)
    keep = nondominated(points)
    front = objective.front(IGD_FRONT_POINTS)
    return SweepResult(
        over=config.over,
        values=config.values,
        outcomes=outcomes,
        nondominated=keep,
        hypervolume=hypervolume(points[keep], objective.reference_point) if keep else None,
        igd=igd(points[keep], front) if keep else None,
        seconds=seconds,
        device=device,
    )

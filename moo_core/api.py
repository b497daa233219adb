"""The public entry points, each one batch through the one loop (moo_core.engine): `run` one
configuration (K = 1), `sweep` one hyperparameter (K settings), `race` several runs side by
side (K rows, each method weighing its own)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moo_core.batch import Batch, Fetch
from moo_core.config import RunConfig, SweepConfig
from moo_core.engine import BatchResult, ChunkCallback, StopCheck, build_objective, train
from moo_core.metrics import hypervolume, igd, nondominated
from moo_core.outcomes import bulk_objects
from moo_core.records import RunResult, StepChunk, SweepResult
from moo_core.trajectory import Thinner, chained

IGD_FRONT_POINTS = 1000


def run(
    config: RunConfig,
    *,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
    keep_trajectory: bool = False,
    fetch: Fetch | None = None,
    threads: int | None = None,
) -> RunResult:
    """Train one configuration. `fetch` reads an uploaded dataset ("sha256:…") for a task;
    `threads` overrides the thread count sized to the work."""
    trained = train(
        Batch.of([config]),
        fetch=fetch,
        on_chunk=_finite_steps_only(on_chunk),
        should_stop=should_stop,
        keep_trajectory=keep_trajectory,
        threads=threads,
    )
    result = race_results(trained)[0]
    if trained.trajectory is None:
        return result
    steps = result.outcome.steps
    trajectory = {name: values[:steps, 0] for name, values in trained.trajectory.items()}
    return RunResult(**{**result.__dict__, "trajectory": trajectory})


def race(
    configs: Sequence[RunConfig],
    *,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
    fetch: Fetch | None = None,
    threads: int | None = None,
) -> list[RunResult]:
    """Train `configs` (runs that can share a batch: moo_core.batch.can_share_batch) as one
    batch; one RunResult per configuration, each ending where the run ends alone. `on_chunk`
    gets every row's steps (row k is configuration k; a diverged row's later steps are NaN)."""
    trained = train(
        Batch.of(configs),
        fetch=fetch,
        on_chunk=on_chunk,
        should_stop=should_stop,
        threads=threads,
    )
    return race_results(trained)


def race_results(trained: BatchResult) -> list[RunResult]:
    return [
        RunResult(
            outcome=outcome,
            seconds=trained.seconds,
            device=trained.device,
            device_reason=trained.device_reason,
            info=trained.info,
        )
        for outcome in trained.outcomes
    ]


def _finite_steps_only(on_chunk: ChunkCallback | None) -> ChunkCallback | None:
    """A single run's chunks end at its last finite step (a diverged row records NaN after)."""
    if on_chunk is None:
        return None

    def forward(chunk: StepChunk) -> None:
        keep = chunk.finite_steps(0)
        if keep:
            on_chunk(StepChunk(chunk.start, {k: v[:keep] for k, v in chunk.columns.items()}))

    return forward


def sweep(
    config: SweepConfig,
    *,
    on_chunk: ChunkCallback | None = None,
    should_stop: StopCheck | None = None,
    fetch: Fetch | None = None,
    threads: int | None = None,
    trajectory_samples: int = 0,
) -> SweepResult:
    """Train every setting of `config` as one batch; the front's quality against the analytic
    front (toy problems) or against the points' own nadir (tasks, which have none). With
    `trajectory_samples` > 0 every row's objectives are also kept at that many steps."""
    objective = build_objective(config.run, fetch)
    thinner = Thinner(config.run.steps, trajectory_samples) if trajectory_samples > 0 else None
    trained = train(
        Batch.of_sweep(config),
        objective=objective,
        on_chunk=chained(on_chunk, thinner),
        should_stop=should_stop,
        threads=threads,
    )
    with bulk_objects():
        return _front_of(config, objective, trained, thinner)


def _front_of(config: SweepConfig, objective, trained: BatchResult, thinner) -> SweepResult:
    outcomes = trained.outcomes
    points = np.array([o.objectives for o in outcomes], dtype=float)
    keep = nondominated(points)
    front = objective.front(IGD_FRONT_POINTS)
    reference = objective.reference_point or _nadir_reference(points[keep])
    info = trained.info
    return SweepResult(
        over=config.over,
        values=config.values,
        outcomes=outcomes,
        nondominated=keep,
        hypervolume=hypervolume(points[keep], reference) if keep else None,
        igd=igd(points[keep], front) if keep else None,
        seconds=trained.seconds,
        device=trained.device,
        device_reason=trained.device_reason,
        extra={"task": info, "reference_point": list(reference)} if info else {},
        trajectories=thinner.per_row(len(outcomes)) if thinner is not None else None,
    )


def _nadir_reference(front: np.ndarray) -> tuple[float, ...]:
    """Without an analytic front: the worst value of each objective over the non-dominated
    points, pushed out by 10 % of the front's extent (or 10 % of the value where the front
    is one point)."""
    if front.size == 0:
        return (1.0,) * front.shape[1]
    worst, best = front.max(axis=0), front.min(axis=0)
    spread = np.where(worst > best, worst - best, np.maximum(np.abs(worst), 1e-12))
    return tuple(float(v) for v in worst + 0.1 * spread)

"""The one function that trains a claimed job: 1..K runs that share a batch (one run, or a
race's runs), a sweep, or an NSGA-II front — through moo_core's one loop, with each run's
heartbeat and the chunk writer as its hooks.

A race's runs that cannot share a batch are separate jobs (worker/race.py trains them side by
side in processes, each through this function).

Steps go through a writer thread (worker/writer.py) that waits out a lock of any length with
bounded memory; every other write of the job waits out locks too (worker/failures.persist),
and every step is stored before a run is marked ended. An error no retry can fix fails the
job's runs with one line each (worker/failures.fail_run); the worker goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

import storage
from moo_core import StepChunk, SweepConfig, race, sweep
from moo_core.nsga2 import Nsga2Config, run_nsga2
from moo_core.trajectory import TRAJECTORY_SAMPLES
from storage.queue import ClaimedRun
from worker import failures
from worker.heartbeat import Heartbeat
from worker.writer import ChunkWriter


@dataclass
class WorkerOptions:
    poll: float = 0.2
    heartbeat: float = 1.0
    grace: float = 30.0
    exit_when_idle: bool = False
    threads: int | None = None  # None: sized to each run's work (moo_core.threads)


def train_job(
    engine, claimed: list[ClaimedRun], worker_id: str, options: WorkerOptions
) -> list[str]:
    """Train `claimed` (one sweep or NSGA-II job, or runs that share a batch) to their end;
    their final statuses. Every run gets its own heartbeat; a cancel of any stops the batch
    (its rows step together)."""
    beats = [Heartbeat(engine, run.id, worker_id, options.heartbeat) for run in claimed]
    for beat in beats:
        beat.start()
    writer = ChunkWriter(engine, "run " + ", ".join(str(run.id) for run in claimed))
    try:
        return _train(engine, claimed, beats, writer, options)
    except Exception as error:  # the job's runs fail with one line each; the worker goes on
        return [failures.fail_run(engine, run.id, error, writer) for run in claimed]
    finally:
        writer.close()
        for beat in beats:
            beat.stop()


def _train(engine, claimed, beats, writer: ChunkWriter, options) -> list[str]:
    config = claimed[0].config

    def persist(call, *args, **kwargs):  # a write that waits out a lock of any length
        return failures.persist(call, engine, *args, episode=writer.episode, **kwargs)

    steps = config.generations if isinstance(config, Nsga2Config) else _steps(config)

    def progress(done: int) -> None:
        for beat in beats:
            beat.progress = done / steps

    def should_stop() -> bool:
        return any(beat.cancel.is_set() for beat in beats)

    def fetch(ref: str) -> bytes:  # an uploaded dataset, read from the shared database
        return persist(storage.dataset_content, ref)

    if isinstance(config, Nsga2Config):  # a whole front in one job, stored like a sweep's
        result = run_nsga2(config, on_generation=progress, should_stop=should_stop)
        persist(storage.store_sweep_points, claimed[0].id, result.points())
        status = result.outcomes[0].status if result.outcomes else "completed"
        return [_finish(persist, claimed[0], status, result)]
    if isinstance(config, SweepConfig):
        result = sweep(
            config,
            on_chunk=lambda chunk: progress(chunk.start + chunk.length),
            should_stop=should_stop,
            fetch=fetch,
            threads=options.threads,
            trajectory_samples=TRAJECTORY_SAMPLES,
        )
        persist(storage.store_sweep_points, claimed[0].id, result.points())
        persist(storage.store_sweep_trajectories, claimed[0].id, result.trajectories or [])
        statuses = {o.status for o in result.outcomes}
        status = "cancelled" if "cancelled" in statuses else "completed"
        return [_finish(persist, claimed[0], status, result)]

    def on_chunk(chunk: StepChunk) -> None:
        for k, run in enumerate(claimed):  # a diverged row stops at its last finite step
            if keep := chunk.finite_steps(k):
                writer.put(run.id, chunk.start, chunk.row(k, keep))
        progress(chunk.start + chunk.length)

    results = race(
        [run.config for run in claimed],
        on_chunk=on_chunk,
        should_stop=should_stop,
        fetch=fetch,
        threads=options.threads,
    )
    writer.flush()  # every step stored before a run is marked ended
    return [
        _finish(persist, run, result.outcome.status, result)
        for run, result in zip(claimed, results, strict=True)
    ]


def _steps(config) -> int:
    return (config.run if isinstance(config, SweepConfig) else config).steps


def _finish(persist, run: ClaimedRun, status: str, result) -> str:
    persist(
        storage.finish_run,
        run.id,
        status,
        seconds=result.seconds,
        summary=result.summary(),  # NaN/inf become null in storage
        device=result.device,
    )
    return status

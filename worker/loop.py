"""The background worker: claims queued runs, trains them with moo_core, stores every step.

A heartbeat thread keeps the run (and this worker) alive in the database and turns a cancel
request into a stop flag that the training loop reads between chunks (chunks are ≤ 0.25 s, so
a cancel is honoured within a second).

A run's steps go through a writer thread (worker/writer.py) that waits out a lock of any
length with bounded memory; what the worker does about other errors is worker/failures.py
(a run fails with one line, the worker goes on) and worker/guard.py (the serve loop waits
for a locked database and stops claiming from an unusable one), each said once per episode.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass

import storage
from moo_core import StepChunk, SweepConfig, run, sweep
from moo_core.nsga2 import Nsga2Config, run_nsga2
from moo_core.trajectory import TRAJECTORY_SAMPLES
from storage.races import claim_siblings
from worker import failures
from worker.guard import Guard
from worker.race import train_together
from worker.writer import ChunkWriter


@dataclass
class WorkerOptions:
    poll: float = 0.2
    heartbeat: float = 1.0
    grace: float = 30.0
    exit_when_idle: bool = False
    threads: int | None = None  # None: sized to each run's work (moo_core.threads)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class _Heartbeat(threading.Thread):
    """Beats for the current run every `interval` s; sets `cancel` when one is requested."""

    def __init__(self, engine, run_id: int, worker_id: str, interval: float):
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.engine, self.run_id, self.worker_id, self.interval = (
            engine,
            run_id,
            worker_id,
            interval,
        )
        self.progress = 0.0
        self.cancel = threading.Event()
        self.done = threading.Event()
        self.episode = failures.Episode(f"heartbeat of run {run_id}")

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.beat()

    def beat(self) -> None:
        try:
            if storage.beat(self.engine, self.run_id, self.worker_id, self.progress):
                self.cancel.set()
            storage.worker_beat(self.engine, self.worker_id)
        except Exception as error:  # a lost beat is retried next interval; the reaper decides
            self.episode.failed(error)
        else:
            self.episode.ok()


def execute(engine, claimed, worker_id: str, options: WorkerOptions) -> str:
    """Train one claimed run to its end; returns the final status."""
    config = claimed.config
    is_sweep, is_nsga2 = isinstance(config, SweepConfig), isinstance(config, Nsga2Config)
    steps = config.generations if is_nsga2 else (config.run if is_sweep else config).steps
    heartbeat = _Heartbeat(engine, claimed.id, worker_id, options.heartbeat)
    heartbeat.start()
    writer = ChunkWriter(engine, f"run {claimed.id}")  # steps stored in order, past any lock
    episode = writer.episode

    def on_chunk(chunk: StepChunk) -> None:
        if not is_sweep:
            writer.put(claimed.id, chunk.start, chunk.row(0))
        heartbeat.progress = (chunk.start + chunk.length) / steps

    def fetch(ref: str) -> bytes:  # an uploaded dataset, read from the shared database
        return failures.persist(storage.dataset_content, engine, ref, episode=episode)

    def on_generation(generation: int) -> None:
        heartbeat.progress = generation / steps

    try:
        if is_nsga2:  # a whole front in one job, stored like a sweep's points
            result = run_nsga2(
                config, on_generation=on_generation, should_stop=heartbeat.cancel.is_set
            )
            failures.persist(
                storage.store_sweep_points, engine, claimed.id, result.points(), episode=episode
            )
            status = result.outcomes[0].status if result.outcomes else "completed"
        elif is_sweep:
            result = sweep(
                config,
                on_chunk=on_chunk,
                should_stop=heartbeat.cancel.is_set,
                fetch=fetch,
                threads=options.threads,
                trajectory_samples=TRAJECTORY_SAMPLES,
            )
            failures.persist(
                storage.store_sweep_points, engine, claimed.id, result.points(), episode=episode
            )
            trajectories = result.trajectories or []
            failures.persist(
                storage.store_sweep_trajectories, engine, claimed.id, trajectories, episode=episode
            )
            statuses = {o.status for o in result.outcomes}
            status = "cancelled" if "cancelled" in statuses else "completed"
        else:
            result = run(
                config,
                on_chunk=on_chunk,
                should_stop=heartbeat.cancel.is_set,
                fetch=fetch,
                threads=options.threads,
            )
            status = result.outcome.status
        writer.flush()  # every step stored before the run is marked ended
        failures.persist(
            storage.finish_run,
            engine,
            claimed.id,
            status,
            seconds=result.seconds,
            summary=result.summary(),  # NaN/inf become null in storage
            device=result.device,
            episode=episode,
        )
        return status
    except Exception as error:  # this run fails with one line; the worker goes on
        return failures.fail_run(engine, claimed.id, error, writer)
    finally:
        writer.close()
        heartbeat.done.set()
        heartbeat.join()


def serve(engine, options: WorkerOptions, worker_id: str | None = None) -> int:
    """Claim and train runs until stopped (or, with `exit_when_idle`, until none is queued).
    DatabaseUnusable under `exit_when_idle` when the database cannot be used."""
    worker_id = worker_id or new_worker_id()
    guard = Guard(engine, worker_id, options.poll, options.exit_when_idle)
    processed, registered, device = 0, False, None
    while True:
        try:
            if guard.check():  # the SQLite file was replaced: a new database
                storage.upgrade(engine)
                registered = False
            if not registered:
                device = device or _device_name()  # asked once, however often registering fails
                storage.register_worker(
                    engine, worker_id, socket.gethostname(), os.getpid(), device
                )
                registered = True
            trained = _serve_once(engine, worker_id, options, guard)
        except Exception as error:  # said once per episode; raised where the worker exits
            time.sleep(guard.failed(error))
            continue
        guard.ok()
        if trained is None:
            if options.exit_when_idle:
                return processed
            time.sleep(options.poll)
        processed += trained or 0


def _serve_once(engine, worker_id: str, options: WorkerOptions, guard: Guard) -> int | None:
    """Reap, beat, claim and train once: how many runs were trained (None: none was queued)."""
    storage.reap_stale(engine, options.grace, spare=guard.spare)
    storage.worker_beat(engine, worker_id)
    claimed = storage.claim_next_run(engine, worker_id)
    if claimed is None:
        return None
    siblings = claim_siblings(engine, claimed.id, worker_id)  # a comparison: a race
    if siblings:
        train_together(engine, [claimed, *siblings], worker_id, options)
    elif claimed.config is not None:
        execute(engine, claimed, worker_id, options)
    return 1 + len(siblings)


def _device_name() -> str:
    """The device this worker offers; "unknown" when torch cannot say (each run then fails
    with the one line of its own error, and the worker goes on)."""
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except Exception as error:
        failures.say(f"worker: cannot tell the device ({failures.run_error(error)})")
        return "unknown"

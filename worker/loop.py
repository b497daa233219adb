"""The background worker: claims queued jobs, trains them with moo_core, stores every step.

A job is one run, a sweep, an NSGA-II front, or a comparison's runs (a race): runs that share
a batch train as one job (worker/jobs.py), others side by side in processes (worker/race.py).

What the worker does about errors is worker/failures.py (a run fails with one line, the worker
goes on) and worker/guard.py (the serve loop waits for a locked database and stops claiming from
an unusable one), each said once per episode.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

import storage
from moo_core.batch import can_share_batch
from storage.races import claim_siblings
from worker import failures
from worker.guard import Guard
from worker.jobs import WorkerOptions, train_job
from worker.race import in_processes

__all__ = ["WorkerOptions", "new_worker_id", "serve"]


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def serve(engine, options: WorkerOptions, worker_id: str | None = None) -> int:
    """Claim and train jobs until stopped (or, with `exit_when_idle`, until none is queued);
    how many runs were trained. DatabaseUnusable under `exit_when_idle` when the database
    cannot be used."""
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
    runs = [claimed, *claim_siblings(engine, claimed.id, worker_id)]  # a comparison: a race
    if len(runs) > 1 and not can_share_batch([run.config for run in runs]):
        in_processes(engine, runs, worker_id, options)
    elif claimed.config is not None:
        train_job(engine, runs, worker_id, options)
    return len(runs)


def _device_name() -> str:
    """The device this worker offers; "unknown" when torch cannot say (each run then fails
    with the one line of its own error, and the worker goes on)."""
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except Exception as error:
        failures.say(f"worker: cannot tell the device ({failures.run_error(error)})")
        return "unknown"

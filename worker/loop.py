"""The background worker: claims queued jobs, trains them with moo_core, stores every step.

A job is one run, a sweep, an NSGA-II front, or a comparison's runs (a race): runs that share
a batch train as one job (worker/jobs.py), others side by side in processes (worker/race.py).

Storage retries its writes past a busy lock (storage.db.retrying); an error that outlasts those
retries costs the heartbeat one beat and the serve loop one poll, with one line on stderr,
never the worker.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

import storage
from moo_core.batch import can_share_batch
from storage.races import claim_siblings
from worker.heartbeat import say
from worker.jobs import WorkerOptions, train_job
from worker.race import in_processes

__all__ = ["WorkerOptions", "new_worker_id", "serve"]


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def serve(engine, options: WorkerOptions, worker_id: str | None = None) -> int:
    """Claim and train jobs until stopped (or, with `exit_when_idle`, until none is queued);
    how many runs were trained."""
    worker_id = worker_id or new_worker_id()
    processed, registered = 0, False
    while True:
        try:
            if not registered:
                host, device = socket.gethostname(), _device_name()
                storage.register_worker(engine, worker_id, host, os.getpid(), device)
                registered = True
            trained = _serve_once(engine, worker_id, options)
        except Exception as error:  # the database is away for longer than storage retries
            say(f"worker {worker_id}", error)
            time.sleep(max(options.poll, options.heartbeat))
            continue
        if trained is None:
            if options.exit_when_idle:
                return processed
            time.sleep(options.poll)
        processed += trained or 0


def _serve_once(engine, worker_id: str, options: WorkerOptions) -> int | None:
    """Reap, beat, claim and train once: how many runs were trained (None: none was queued)."""
    storage.reap_stale(engine, options.grace)
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
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"

"""Races whose runs cannot share a batch (another problem, start, length or optimizer): each run
is its own job, trained side by side in its own process so their lines grow together.

One Python process steps one run at a time (the GIL: two toy runs in threads took 4.8 s
against 2.3 s one after the other, measured), so each run trains in a process forked from the
worker, through the worker's one job function (worker/jobs.py: heartbeat, cancel, metrics,
verdict); the runs start within ~20 ms of each other with moo_core already imported. A forked
run trains on one intra-op thread (an OpenMP pool does not survive a fork; two runs on two
cores want one each anyway). A worker that has used CUDA cannot fork a CUDA user: its races
start from a fork server instead (a clean process that imported moo_core once; ~1 s a start).
The worker waits for its runs, beating for itself. Races that can share a batch never come
here: the worker trains them as one job (moo_core.batch).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from dataclasses import replace
from multiprocessing.connection import wait

import storage
from storage.queue import ClaimedRun
from worker import failures
from worker.jobs import WorkerOptions, train_job

PRELOAD = ["moo_core", "storage", "worker.jobs", "worker.race"]


def _context(options: WorkerOptions):
    """(the multiprocessing context, the options its runs train with)."""
    import torch

    if torch.cuda.is_initialized():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context, options
    return multiprocessing.get_context("fork"), replace(options, threads=1)


def _exit_with(parent: int) -> None:
    """End this process when the worker that started it is gone (killed, not stopped): its
    run is then failed by a reaper, as when a worker dies in the middle of a run."""
    while True:
        time.sleep(1.0)
        if os.getppid() == 1 or not failures.process_alive(parent):
            os._exit(1)


def _train(url: str, claimed: ClaimedRun, worker_id: str, options, parent: int) -> None:
    """One run of a race, in its own process."""
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    train_job(storage.make_engine(url), [claimed], worker_id, options)


def in_processes(engine, runs: list[ClaimedRun], worker_id: str, options) -> list[str]:
    """Train `runs` (claimed by this worker), one process each, at the same time; their final
    statuses."""
    url = engine.url.render_as_string(hide_password=False)
    context, options = _context(options)
    processes = [
        context.Process(
            target=_train,
            args=(url, run, worker_id, options, os.getpid()),
            name=f"race-{run.id}",
            daemon=True,
        )
        for run in runs
    ]
    for process in processes:
        process.start()
    while alive := [p.sentinel for p in processes if p.is_alive()]:
        wait(alive, timeout=options.heartbeat)  # wake at least once a heartbeat
        with contextlib.suppress(Exception):  # a lost beat is retried; runs beat for themselves
            storage.worker_beat(engine, worker_id)
    statuses = []
    for process, run in zip(processes, runs, strict=True):
        if process.exitcode != 0:  # it died before storing an end: say so now
            error = f"the race process of run {run.id} exited with code {process.exitcode}"
            # Waits out a lock: this worker is alive, so no reaper would end the run instead.
            episode = failures.Episode(f"run {run.id}")
            failures.persist(
                storage.finish_run, engine, run.id, "failed", error=error, episode=episode
            )
        view = storage.get_run(engine, run.id)
        statuses.append(view.status if view is not None else "failed")
    return statuses

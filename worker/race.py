"""Races: a comparison's runs train side by side, so their lines grow together.

Runs that share their problem, start, length and optimizer race in lockstep: one batch in this
process (moo_core.lockstep), each run its own row, its own heartbeat, metrics and verdict;
two toy runs take little more than one, however busy the machine. Cancelling one run of such a
race cancels the race (its runs step together). Other races train one process per run:

One Python process steps one run at a time (the GIL: two toy runs in threads took 4.8 s
against 2.3 s one after the other, measured), so each run of a race trains in its own process
with the worker's own `execute` (heartbeat, cancel, metrics, verdict), forked from the worker:
the runs start within ~20 ms of each other with moo_core already imported. A forked run
trains on one intra-op thread (an OpenMP pool does not survive a fork; two runs on two cores
want one each anyway). A worker that has used CUDA cannot fork a CUDA user: its races start
from a fork server instead (a clean process that imported moo_core once; ~1 s a start).
The worker waits for its runs, beating for itself.
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

PRELOAD = ["moo_core", "storage", "worker.loop", "worker.race"]


def _context(options):
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
        if os.getppid() == 1 or not _alive(parent):
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _train(url: str, claimed: ClaimedRun, worker_id: str, options, parent: int) -> None:
    """One run of a race, in its own process."""
    from worker.loop import execute

    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    engine = storage.make_engine(url)
    execute(engine, claimed, worker_id, options)


def train_together(engine, runs: list[ClaimedRun], worker_id: str, options) -> list[str]:
    """Train `runs` (claimed by this worker) at the same time; their final statuses."""
    from moo_core.lockstep import can_lockstep

    if can_lockstep([run.config for run in runs]):
        return in_lockstep(engine, runs, worker_id, options)
    from worker import failures

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


def in_lockstep(engine, runs: list[ClaimedRun], worker_id: str, options) -> list[str]:
    """Train `runs` as one batch in this process; their final statuses."""
    from moo_core.lockstep import race
    from worker import failures
    from worker.loop import _Heartbeat
    from worker.writer import ChunkWriter

    steps = runs[0].config.steps
    beats = [_Heartbeat(engine, run.id, worker_id, options.heartbeat) for run in runs]
    for beat in beats:
        beat.start()
    writer = ChunkWriter(engine, f"race of runs {', '.join(str(run.id) for run in runs)}")
    episode = writer.episode

    def on_chunk(chunk) -> None:
        for k, run in enumerate(runs):  # a diverged row stops at its last finite step
            if keep := chunk.finite_steps(k):
                writer.put(run.id, chunk.start, chunk.row(k, keep))
        for beat in beats:
            beat.progress = (chunk.start + chunk.length) / steps

    def should_stop() -> bool:
        return any(beat.cancel.is_set() for beat in beats)

    try:
        results = race(
            [run.config for run in runs],
            on_chunk=on_chunk,
            should_stop=should_stop,
            fetch=lambda ref: failures.persist(
                storage.dataset_content, engine, ref, episode=episode
            ),
            threads=options.threads,
        )
        writer.flush()  # every step stored before a run is marked ended
        for run, result in zip(runs, results, strict=True):
            failures.persist(
                storage.finish_run,
                engine,
                run.id,
                result.outcome.status,
                seconds=result.seconds,
                summary=result.summary(),
                device=result.device,
                episode=episode,
            )
        return [result.outcome.status for result in results]
    except Exception as error:  # every run of the race fails with one line
        return [failures.fail_run(engine, run.id, error, writer) for run in runs]
    finally:
        writer.close()
        for beat in beats:
            beat.done.set()
            beat.join()

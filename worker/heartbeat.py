"""A run's heartbeat: a thread that keeps the run (and its worker) alive in the database and
turns a cancel request into a flag the training loop reads between chunks (chunks are
≤ 0.25 s, so a cancel is honoured within a second)."""

from __future__ import annotations

import sys
import threading

import storage


class Heartbeat(threading.Thread):
    """Beats for one run every `interval` s; sets `cancel` when one is requested."""

    def __init__(self, engine, run_id: int, worker_id: str, interval: float):
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.engine, self.run_id, self.worker_id = engine, run_id, worker_id
        self.interval = interval
        self.progress = 0.0
        self.cancel = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.beat()

    def beat(self) -> None:
        try:
            if storage.beat(self.engine, self.run_id, self.worker_id, self.progress):
                self.cancel.set()
            storage.worker_beat(self.engine, self.worker_id)
        except Exception as error:  # a lost beat is retried next interval; the reaper decides
            say(f"heartbeat of run {self.run_id}", error)

    def stop(self) -> None:
        self.done.set()
        self.join()


def say(what: str, error: Exception) -> None:
    """One line on stderr for an error the worker lives through."""
    message = " ".join(str(getattr(error, "orig", None) or error).split())[:300]  # no SQL
    print(f"{what}: {type(error).__name__}: {message} (trying again)", file=sys.stderr, flush=True)

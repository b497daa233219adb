"""A run's heartbeat: a thread that keeps the run (and its worker) alive in the database and
turns a cancel request into a flag the training loop reads between chunks (chunks are
≤ 0.25 s, so a cancel is honoured within a second)."""

from __future__ import annotations

import threading

import storage
from worker import failures


class Heartbeat(threading.Thread):
    """Beats for one run every `interval` s; sets `cancel` when one is requested."""

    def __init__(self, engine, run_id: int, worker_id: str, interval: float):
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.engine, self.run_id, self.worker_id = engine, run_id, worker_id
        self.interval = interval
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
            self.episode.failed(error)  # said once per episode (worker/failures.py)
        else:
            self.episode.ok()

    def stop(self) -> None:
        self.done.set()
        self.join()

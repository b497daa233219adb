"""The serve loop's watch over the database: when to claim, wait, reap or stop.

- A transient error (a lock, a restart of the server) pauses the loop with a back-off from
  `--poll` to 30 s, said once per episode (worker/failures.py).
- An unusable database (corrupt, read-only, full; an SQLite file that vanished) stops the
  claiming: said once, looked at again with the same back-off. Under `--exit-when-idle` the
  worker exits instead (DatabaseUnusable: `python -m worker` prints one line, exit 2).
- A stale run is reaped only when its worker is not known to be alive: on this host its
  process is asked (a lock longer than `--grace` holds back every worker's beats; the reaper
  reads heartbeats through it, WAL, and would otherwise fail runs that are only waiting).
"""

from __future__ import annotations

import socket

from storage.errors import OTHER, UNUSABLE, DatabaseUnusable, check_file, classify, inode
from worker.failures import Backoff, Episode, process_alive, say, unusable


class Guard:
    def __init__(self, engine, worker_id: str, poll: float, exit_when_idle: bool):
        self.engine, self.exit_when_idle = engine, exit_when_idle
        self.episode = Episode(f"worker {worker_id}", say_unusable=True)
        self.backoff = Backoff(poll)
        self.host = socket.gethostname()
        self._file = inode(engine.url)

    def check(self) -> bool:
        """Before a round of the loop: DatabaseUnusable when the SQLite file vanished. A file
        replaced by another is a new database: the pool is emptied and True returned (the
        worker registers again)."""
        try:
            check_file(self.engine.url, self._file)
        except DatabaseUnusable:
            if self._file is None or inode(self.engine.url) is None:
                raise
            self.engine.dispose()  # pooled connections point at the old file
            self._file = inode(self.engine.url)
            say(f"{self.episode.what}: the database file was replaced; using the new one")
            return True
        return False

    def failed(self, error: BaseException) -> float:
        """How long to pause after `error`; raises it (as DatabaseUnusable when it is the
        database's) where the worker should exit instead."""
        kind = classify(error)
        if self.exit_when_idle and kind == UNUSABLE:  # said once, by `python -m worker`
            raise unusable(error) from error
        if self.exit_when_idle and kind == OTHER:
            raise error
        self.episode.failed(error)
        return self.backoff.next()

    def ok(self) -> None:
        self.episode.ok()
        self.backoff.reset()

    def spare(self, host: str | None, pid: int | None) -> bool:
        """Whether a stale run's worker is alive (known only for one on this host)."""
        return host == self.host and process_alive(pid)

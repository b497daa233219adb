"""A job's steps, stored by a thread of their own: in order, however long the database waits.

Training hands each chunk to `put` and goes on; the writer thread stores chunks in the order
they came, merging a run's consecutive chunks into one transaction. While the database is
locked (or its server restarts) the chunks wait in memory and training continues, up to
`max_bytes` of them: then `put` waits too, so memory stays bounded whatever the lock's length.
When the lock clears, what waited is stored, oldest first. A database that cannot be used
(corrupt, read-only, vanished, full) ends the wait: `put` and `flush` raise DatabaseUnusable,
so a run stops there with the steps stored so far, and is never marked completed without
the rest.

The Live page reads no state from here: while the database is locked nothing reaches it, so
the page itself sees the lock and the run's heartbeat standing still (storage/health.py).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

import storage
from storage.errors import check_file, inode
from worker.failures import Episode, persist

BUFFER_ENV = "MOO_WRITE_BUFFER_MB"
DEFAULT_BUFFER_MB = 64.0
MERGE_STEPS = 100_000  # at most this many steps in one transaction after a long wait


def buffer_bytes() -> int:
    """How much a job may keep waiting in memory (`MOO_WRITE_BUFFER_MB`, default 64)."""
    try:
        megabytes = float(os.environ.get(BUFFER_ENV, DEFAULT_BUFFER_MB))
    except ValueError:
        megabytes = DEFAULT_BUFFER_MB
    if not megabytes > 0 or megabytes == float("inf"):
        megabytes = DEFAULT_BUFFER_MB
    return int(megabytes * 2**20)


@dataclass
class _Chunk:
    run_id: int
    start: int
    columns: dict[str, np.ndarray]

    @property
    def length(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    @property
    def nbytes(self) -> int:
        return sum(values.nbytes for values in self.columns.values())

    def follows(self, other: _Chunk) -> bool:
        return (
            self.run_id == other.run_id
            and self.start == other.start + other.length
            and self.columns.keys() == other.columns.keys()
        )


def _merged(chunks: list[_Chunk]) -> _Chunk:
    if len(chunks) == 1:
        return chunks[0]
    names = chunks[0].columns
    columns = {name: np.concatenate([c.columns[name] for c in chunks]) for name in names}
    return _Chunk(chunks[0].run_id, chunks[0].start, columns)


class ChunkWriter:
    """Stores (run id, first step, columns) chunks in order, in a thread of its own."""

    def __init__(self, engine, what: str = "writer", max_bytes: int | None = None):
        self.engine = engine
        self.max_bytes = buffer_bytes() if max_bytes is None else max_bytes
        self.episode = Episode(what)
        self._file = inode(engine.url)  # an SQLite file deleted meanwhile takes writes: checked
        self._pending: deque[_Chunk] = deque()
        self._bytes = 0
        self._writing = False
        self._error: BaseException | None = None
        self._closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=what)
        self._thread.start()

    def put(self, run_id: int, start: int, columns: dict[str, np.ndarray]) -> None:
        """Queue steps [start, start + n) of `run_id` (copied: the caller may reuse its
        buffers). Waits while `max_bytes` are already waiting; raises what stopped the writer."""
        copied = {name: np.array(values, dtype=float) for name, values in columns.items()}
        chunk = _Chunk(int(run_id), int(start), copied)
        if chunk.length == 0:
            return
        with self._changed:
            while self._error is None and self._pending and self._bytes >= self.max_bytes:
                self._changed.wait(0.5)
            self._raise()
            self._pending.append(chunk)
            self._bytes += chunk.nbytes
            self._changed.notify_all()

    def flush(self) -> None:
        """Wait until every queued chunk is stored (as long as the database makes it wait);
        raises what stopped the writer."""
        with self._changed:
            while self._error is None and (self._pending or self._writing):
                self._changed.wait(0.5)
            self._raise()

    def close(self) -> None:
        """Stop the thread; what is still queued is dropped (call flush first to keep it)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join(timeout=10)

    @property
    def waiting(self) -> int:
        """Steps queued and not stored yet."""
        with self._changed:
            return sum(chunk.length for chunk in self._pending)

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _take(self) -> _Chunk | None:
        """The oldest queued chunk merged with the ones that follow it (one transaction)."""
        with self._changed:
            while not self._pending and not self._closed:
                self._changed.wait()
            if self._closed:
                return None
            taken = [self._pending[0]]
            for chunk in list(self._pending)[1:]:
                if not chunk.follows(taken[-1]) or sum(c.length for c in taken) >= MERGE_STEPS:
                    break
                taken.append(chunk)
            self._writing = True
            return _merged(taken)

    def _loop(self) -> None:
        while (chunk := self._take()) is not None:
            try:
                check_file(self.engine.url, self._file)
                persist(
                    storage.append_metrics,
                    self.engine,
                    chunk.run_id,
                    chunk.start,
                    chunk.columns,
                    episode=self.episode,
                )
            except BaseException as error:  # unusable database, or a bug: the job stops
                with self._changed:
                    self._error = error if isinstance(error, Exception) else RuntimeError(error)
                    self._writing = False
                    self._changed.notify_all()
                return
            with self._changed:
                self._drop(chunk)
                self._writing = False
                self._changed.notify_all()

    def _drop(self, stored: _Chunk) -> None:
        """Remove the queued chunks that `stored` covered."""
        end = stored.start + stored.length
        while self._pending:
            head = self._pending[0]
            if head.run_id != stored.run_id or head.start + head.length > end:
                break
            self._pending.popleft()
            self._bytes -= head.nbytes

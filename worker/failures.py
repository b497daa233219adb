"""What the worker does about an error: wait, stop claiming, or fail the one run.

storage/errors.py says what an error is; this module says what a worker does with it:
- transient (a lock, a lost connection): wait, with a capped back-off and no bound, and say
  so once when the wait starts and once when it ends (an *episode*), never once a second;
- unusable database (corrupt, read-only, vanished, full): stop claiming work, say why once,
  look again now and then (back-off to 30 s); `serve --exit-when-idle` exits 2 instead;
- anything else, inside a run (an import error, a device that is not there, a config the
  engine refuses): that run fails with one line stored on it, and the worker goes on.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import TypeVar

import storage
from storage.errors import (
    OTHER,
    TRANSIENT,
    UNUSABLE,
    DatabaseUnusable,
    classify,
    describe,
    reason,
)

T = TypeVar("T")
FIRST_DELAY, MAX_DELAY = 0.05, 2.0  # a write waiting for a lock: 50 ms doubling to 2 s
MAX_IDLE_DELAY = 30.0  # a worker waiting for an unusable database looks again this often


def say(line: str) -> None:
    """One line on stderr (the worker's log)."""
    print(line, file=sys.stderr, flush=True)


class Episode:
    """A stretch of failures of one kind, said once when it starts and once when it ends. An
    unusable database is left to the serve loop to say (`say_unusable`: its own episode), so
    that the worker says it once, not once per run, heartbeat and worker."""

    def __init__(self, what: str, say_unusable: bool = False):
        self.what, self.say_unusable = what, say_unusable
        self.since: float | None = None  # time.monotonic() of the first failure
        self.kind: str | None = None
        self.said = False  # whether the start of the current episode was said
        self._lock = threading.Lock()

    def failed(self, error: BaseException) -> str:
        """Note a failure; its kind (storage.errors). Said only when the kind changes."""
        kind = classify(error)
        with self._lock:
            if self.since is None:
                self.since = time.monotonic()
            if kind != self.kind:
                self.kind = kind
                if kind != UNUSABLE or self.say_unusable:
                    say(f"{self.what}: {_opening(kind, error)}")
                    self.said = True
        return kind

    def ok(self) -> None:
        """The database took a write again: the end of an episode, if one was going on."""
        with self._lock:
            if self.since is None:
                return
            seconds, said = time.monotonic() - self.since, self.said
            self.since, self.kind, self.said = None, None, False
        if said:
            say(f"{self.what}: the database works again (after {seconds:.0f} s)")

    @property
    def seconds(self) -> float:
        """How long the current episode has lasted (0 when none)."""
        since = self.since
        return 0.0 if since is None else time.monotonic() - since


def _opening(kind: str, error: BaseException) -> str:
    if kind == TRANSIENT:
        return f"waiting for the database ({reason(error)}); work is kept and goes on"
    if kind == UNUSABLE:
        return f"{describe(error)}; claiming no work until it can be used again"
    return f"failed: {run_error(error)}"


def persist(call: Callable[..., T], *args, episode: Episode, **kwargs) -> T:
    """call(*args, **kwargs), waiting out transient errors however long they last (a lock,
    a restart of the database server). DatabaseUnusable when the database cannot be used;
    any other error as it is. Only for writes that are safe to repeat."""
    call = getattr(call, "__wrapped__", call)  # storage's own bounded retries: not nested
    delay = FIRST_DELAY
    while True:
        try:
            result = call(*args, **kwargs)
        except Exception as error:
            kind = episode.failed(error)
            if kind == UNUSABLE:
                raise unusable(error) from error
            if kind != TRANSIENT:
                raise
            time.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, MAX_DELAY)
            continue
        episode.ok()
        return result


def unusable(error: BaseException) -> DatabaseUnusable:
    return error if isinstance(error, DatabaseUnusable) else DatabaseUnusable(reason(error))


def run_error(error: BaseException) -> str:
    """The one line stored on a run that failed with `error`: its type and first line for an
    error of the code or the platform (ImportError, a missing device), the message alone for
    a config the engine refuses (ConfigError says what is wrong in words already)."""
    from moo_core.registry import ConfigError

    if isinstance(error, DatabaseUnusable):
        return f"the database became unusable: {error}"
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(error, ConfigError):
        return first[:500] or "invalid config"
    if classify(error) != OTHER:
        first = reason(error)
    name = type(error).__name__
    return f"{name}: {first}"[:500] if first else name


def log_run_error(run_id: int, error: BaseException) -> None:
    """The traceback of an error of the code goes to the worker's log once (the run stores
    one line); a refused config or a database error needs none."""
    from moo_core.registry import ConfigError

    if classify(error) == UNUSABLE:
        return  # the serve loop says it, once
    if isinstance(error, ConfigError) or classify(error) != OTHER:
        say(f"run {run_id} failed: {run_error(error)}")
        return
    detail = "".join(traceback.format_exception(error)).rstrip()
    say(f"run {run_id} failed: {run_error(error)}\n{detail}")


class Backoff:
    """The serve loop's pause after a failure: doubling from `first` to `cap` seconds, and
    back to `first` after a success."""

    def __init__(self, first: float, cap: float = MAX_IDLE_DELAY):
        self.first, self.cap = max(first, 0.01), cap
        self.delay = self.first

    def next(self) -> float:
        delay, self.delay = self.delay, min(self.delay * 2, self.cap)
        return delay

    def reset(self) -> None:
        self.delay = self.first


def process_alive(pid: int | None) -> bool:
    """Whether process `pid` (on this host) is running."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_run(engine, run_id: int, error: Exception, writer=None) -> str:
    """End run `run_id` as failed with one line saying why (a ConfigError: e.g. an uploaded
    dataset deleted after the run was queued), keeping the steps stored before the error. An
    unusable database is raised again once the run is marked (if it can be): the serve loop
    stops claiming."""
    log_run_error(run_id, error)
    if writer is not None and not isinstance(error, DatabaseUnusable):
        try:
            writer.flush()  # the steps trained before the error are kept
        except Exception as stopped:
            error = stopped
    episode = writer.episode if writer is not None else Episode(f"run {run_id}")
    try:
        line = run_error(error)
        persist(storage.finish_run, engine, run_id, "failed", error=line, episode=episode)
    except DatabaseUnusable:
        if isinstance(error, DatabaseUnusable):
            raise error from None
        raise
    if isinstance(error, DatabaseUnusable):
        raise error
    return "failed"

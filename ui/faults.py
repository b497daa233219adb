"""What the pages say when the database fails them: one line, never a traceback. Pure."""

from __future__ import annotations

from storage.errors import TRANSIENT, UNUSABLE, classify, reason, where

LOCK_HINT_SECONDS = 3.0  # a running run's heartbeat older than this: ask whether it is a lock


def database_message(error: BaseException, url=None) -> str:
    """The page's one line for a database error (no SQL, no "Background on this error")."""
    place = f" {where(url)}" if url is not None else ""
    kind = classify(error)
    if kind == UNUSABLE:
        return (
            f"The database{place} cannot be used: {reason(error)}. Stored runs are not shown "
            "and nothing can be started until it is repaired, freed or restored."
        )
    if kind == TRANSIENT:
        return (
            f"The database{place} is busy or unreachable ({reason(error)}); "
            "reload the page in a moment."
        )
    return f"The database{place} failed: {reason(error)}."


def read_only_message(problem: str, url=None) -> str:
    """Shown on every page while the database takes no writes but still reads."""
    place = f" {where(url)}" if url is not None else ""
    return (
        f"The database{place} takes no writes ({problem}): stored runs can be viewed, but "
        "nothing can be started, cancelled or changed, and workers claim no work."
    )


def waiting_line(run_id: int, seconds: float) -> str:
    """A running run whose worker is held back by a lock on the database."""
    return (
        f"Run {run_id}: waiting for the database (locked for {seconds:.0f} s). Training goes "
        "on; its steps are kept and stored, in order, when the lock clears."
    )

"""How many intra-op threads a batch trains on.

torch's default (one thread per core) collapses when another process holds a core: a task
of 400 steps took 0.81 s alone and 3.51 s beside two busy processes with two threads, 0.73 s
and 1.16 s with one (docs/benchmarks.md). Small work cannot use a second thread anyway, so
it trains on one; only large batched work gets more. `MOO_THREADS` or an explicit
`threads=` (CLI and worker `--threads`) overrides the choice.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from moo_core.registry import ConfigError

MAX_THREADS = 256
WORK_PER_THREAD = 20_000_000  # multiply-adds a step that keep one more thread busy


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def parse_threads(raw, source: str = "--threads") -> int:
    """A thread count from 1 to MAX_THREADS (ConfigError naming the value). More threads than
    cores is allowed when asked for (MOO_THREADS=4 on two cores, say: the suite is run so, to
    check that nothing depends on the count); the count chosen by itself never exceeds them."""
    try:
        count = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"{source} {raw!r} must be a whole number") from None
    if not 1 <= count <= MAX_THREADS:
        raise ConfigError(f"{source} {raw!r} is out of range; allowed 1 to {MAX_THREADS}")
    return count


def choose(work: int, explicit: int | None = None) -> int:
    """The thread count for `work` multiply-adds a step: explicit, else MOO_THREADS, else one
    per WORK_PER_THREAD, between 1 and the number of cores."""
    if explicit is not None:
        return parse_threads(explicit)
    if os.environ.get("MOO_THREADS"):
        return parse_threads(os.environ["MOO_THREADS"], "MOO_THREADS")
    return max(1, min(cores(), work // WORK_PER_THREAD))


def step_work(params, rows_per_step: int) -> int:
    """Multiply-adds of one step, roughly: every parameter of every stacked run touched once
    per data row (the forward; the backward is a constant factor)."""
    return sum(p.numel() for p in params) * max(1, rows_per_step)


@contextlib.contextmanager
def using(count: int) -> Iterator[int]:
    """Train on `count` threads; the previous setting is restored afterwards. (torch is
    imported here, not at the top: the CLIs parse --threads without loading it.)"""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield count
    finally:
        torch.set_num_threads(before)

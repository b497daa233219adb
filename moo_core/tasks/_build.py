"""Load a task's data and build it: every data check happens here, before any training."""

from __future__ import annotations

from collections.abc import Callable

from moo_core.tasks._spec import TaskSpec


def build_task(spec: TaskSpec, fetch: Callable[[str], bytes] | None = None, split_seed: int = 0):
    """The Task for `spec`; raises ConfigError (DataError) naming what is wrong with the data.
    `fetch` reads an uploaded dataset ("sha256:…") from wherever the caller keeps it."""
    from moo_core.data import load_table, prepare
    from moo_core.tasks._task import Task

    name, frame = load_table(spec.dataset, fetch)
    data = prepare(
        frame,
        name,
        spec.target,
        group=spec.group,
        features=spec.features,
        classification=None if spec.loss is None else spec.loss == "ce",
        missing=spec.missing,
        require_groups=2 if "parity" in spec.objectives else 0,
    )
    return Task(spec, data, split_seed=split_seed)

"""Comparisons as races: queue a comparison's runs at once, and let the worker that claims one
of them claim the others too, so that they train side by side.

Each sibling is claimed by the queue's own compare-and-set (`UPDATE … WHERE status='queued'`,
checked by rowcount), so a run is never trained twice; the runs stay separate rows with their
own metrics."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Text, cast, select

from moo_core.registry import ConfigError
from storage.db import db_now
from storage.models import Experiment, Run
from storage.queue import ClaimedRun, claim_queued, finish_run, queued_run
from storage.schemas import load_config


def submit_runs(engine: Engine, configs: Sequence[Any], experiment_id: int | None = None) -> list:
    """Queue `configs` in one transaction (all valid, or ConfigError and none queued): a
    worker polling meanwhile sees the whole comparison or none of it."""
    now = db_now(engine)
    statements = [queued_run(config, experiment_id, now) for config in configs]  # all valid
    with engine.begin() as connection:
        return [int(connection.execute(statement).scalar_one()) for statement in statements]


def claim_siblings(engine: Engine, run_id: int, worker_id: str) -> list[ClaimedRun]:
    """Claim for `worker_id` the queued runs of `run_id`'s comparison (oldest first); [] when
    `run_id` is not part of a comparison. A sibling whose config no longer validates is
    marked failed, as claim_next_run does."""
    with engine.connect() as connection:
        experiment = connection.execute(
            select(Experiment.id, Experiment.kind)
            .join(Run, Run.experiment_id == Experiment.id)
            .where(Run.id == run_id)
        ).first()
        if experiment is None or experiment.kind != "comparison":
            return []
        queued = connection.execute(
            select(Run.id, Run.kind, cast(Run.config, Text).label("config"))
            .where(Run.experiment_id == experiment.id, Run.status == "queued", Run.kind == "run")
            .order_by(Run.id)
        ).all()
    claimed = []
    for row in queued:
        if not claim_queued(engine, row.id, worker_id):  # retried past a busy lock
            continue  # another worker won it
        try:
            raw = json.loads(row.config) if isinstance(row.config, str | bytes) else row.config
            claimed.append(ClaimedRun(row.id, row.kind, load_config(row.kind, raw)))
        except (ConfigError, ValueError) as error:
            finish_run(engine, row.id, "failed", error=f"invalid stored config: {error}")
    return claimed

"""The run queue: submit, claim (compare-and-set), beat, finish, cancel, reap.

Every write a worker makes (claim, beat, finish, reap) is safe to repeat, so each retries a
busy lock or a lost connection (storage.db.retrying) instead of failing the run.

A run's metrics and sweep points are written by storage/metrics.py."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, Text, cast, insert, select, update

from moo_core.registry import ConfigError
from storage.db import db_now, is_sqlite, retrying, seconds_since
from storage.models import (
    EXPERIMENT_KINDS,
    FINAL_STATUSES,
    Experiment,
    Run,
    Worker,
)
from storage.schemas import Config, load_config, validate_config


@dataclass(frozen=True)
class ClaimedRun:
    id: int
    kind: str
    config: Config


def finite_or_none(value: Any) -> Any:
    """JSON columns take no NaN/inf: store them as null (recursively)."""
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dict):
        return {str(k): finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_none(v) for v in value]
    return value


MAX_NAME = 200  # experiments.name is String(200): PostgreSQL refuses longer, SQLite keeps it


def check_experiment_name(name: str) -> str:
    """The name, or ConfigError (one line) when it is empty or longer than the column."""
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("an experiment name must not be empty")
    if len(name) > MAX_NAME:
        raise ConfigError(f"an experiment name has at most {MAX_NAME} characters, not {len(name)}")
    return name


def create_experiment(engine: Engine, name: str, kind: str, tags: Any = None) -> int:
    check_experiment_name(name)
    if kind not in EXPERIMENT_KINDS:
        raise ValueError(f"experiment kind {kind!r}; choose one of {', '.join(EXPERIMENT_KINDS)}")
    statement = insert(Experiment).values(name=name, kind=kind, tags=tags, created=db_now(engine))
    with engine.begin() as connection:
        return int(connection.execute(statement.returning(Experiment.id)).scalar_one())


def queued_run(config: Config | dict, experiment_id: int | None, created):
    """The INSERT of one queued run (validated against the moo_core registry; ConfigError if
    not valid), returning its id."""
    kind, data = validate_config(config)
    steps = data["run"]["steps"] if kind == "sweep" else data.get("steps", data.get("generations"))
    return (
        insert(Run)
        .values(
            experiment_id=experiment_id,
            kind=kind,
            config=data,
            status="queued",
            cancel_requested=False,
            progress=0.0,
            steps_total=steps,
            created=created,
        )
        .returning(Run.id)
    )


def submit_run(engine: Engine, config: Config | dict, experiment_id: int | None = None) -> int:
    """Queue a run (validated against the moo_core registry; ConfigError if not valid)."""
    statement = queued_run(config, experiment_id, db_now(engine))
    with engine.begin() as connection:
        return int(connection.execute(statement).scalar_one())


def _claim_started(engine: Engine, worker_id: str) -> dict[str, Any]:
    now = db_now(engine)
    return {"status": "running", "worker_id": worker_id, "started": now, "heartbeat": now}


@retrying
def claim_queued(engine: Engine, run_id: int, worker_id: str) -> bool:
    """Claim run `run_id` for `worker_id` if it is still queued (compare-and-set)."""
    claim = update(Run).where(Run.id == run_id, Run.status == "queued")
    with engine.begin() as connection:
        return connection.execute(claim.values(**_claim_started(engine, worker_id))).rowcount == 1


def _claim_one(engine: Engine, worker_id: str) -> tuple[int, str, Any] | bool | None:
    """Claim the oldest queued run: (id, kind, config JSON), None when none is queued,
    False when another claimer won the race (try again)."""
    raw_config = cast(Run.config, Text).label("config")  # decoded by the claimer, not here
    oldest = select(Run.id, Run.kind, raw_config).where(Run.status == "queued")
    oldest = oldest.order_by(Run.id).limit(1)
    if not is_sqlite(engine):
        with engine.begin() as connection:
            row = connection.execute(oldest.with_for_update(skip_locked=True)).first()
            if row is None:
                return None
            connection.execute(
                update(Run).where(Run.id == row.id).values(**_claim_started(engine, worker_id))
            )
            return row.id, row.kind, row.config
    with engine.connect() as connection:  # read in its own transaction, then compare-and-set
        row = connection.execute(oldest).first()
    if row is None:
        return None
    won = claim_queued(engine, row.id, worker_id)
    return (row.id, row.kind, row.config) if won else False


def _decode(raw: Any) -> Any:
    try:
        return json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError as error:
        raise ConfigError(f"config is not JSON ({error})") from None


@retrying
def claim_next_run(engine: Engine, worker_id: str) -> ClaimedRun | None:
    """Claim the oldest queued run for `worker_id` (never the same run twice). A run whose
    stored config no longer validates is marked failed and the next one is tried."""
    while True:
        claimed = _claim_one(engine, worker_id)
        if claimed is None:
            return None
        if claimed is False:
            continue
        run_id, kind, raw = claimed
        try:
            return ClaimedRun(run_id, kind, load_config(kind, _decode(raw)))
        except ConfigError as error:
            finish_run(engine, run_id, "failed", error=f"invalid stored config: {error}")


@retrying
def beat(engine: Engine, run_id: int, worker_id: str, progress: float) -> bool:
    """Record progress and a heartbeat (database clock). True when the worker should stop:
    a cancel was requested, or the run is no longer running for this worker."""
    statement = (
        update(Run)
        .where(Run.id == run_id, Run.worker_id == worker_id, Run.status == "running")
        .values(heartbeat=db_now(engine), progress=float(progress))
        .returning(Run.cancel_requested)
    )
    with engine.begin() as connection:
        row = connection.execute(statement).first()
    return True if row is None else bool(row.cancel_requested)


@retrying
def finish_run(
    engine: Engine,
    run_id: int,
    status: str,
    *,
    seconds: float | None = None,
    summary: Any = None,
    error: str | None = None,
    device: str | None = None,
) -> bool:
    """End a queued or running run with a final status; False if it had already ended."""
    if status not in FINAL_STATUSES:
        raise ValueError(f"final status {status!r}; choose one of {', '.join(FINAL_STATUSES)}")
    values: dict[str, Any] = {"status": status, "finished": db_now(engine), "error": error}
    if seconds is not None:
        values["seconds"] = float(seconds)
    if summary is not None:
        values["summary"] = finite_or_none(summary)
    if device is not None:
        values["device"] = device
    if status == "completed":
        values["progress"] = 1.0
    statement = update(Run).where(Run.id == run_id, Run.status.in_(("queued", "running")))
    with engine.begin() as connection:
        return connection.execute(statement.values(**values)).rowcount == 1


@retrying
def request_cancel(engine: Engine, run_id: int) -> bool:
    """Queued → cancelled at once; running → cancel_requested (the worker stops it).
    False when the run has already ended or does not exist."""
    queued = update(Run).where(Run.id == run_id, Run.status == "queued")
    running = update(Run).where(Run.id == run_id, Run.status == "running")
    with engine.begin() as connection:
        if connection.execute(queued.values(status="cancelled", finished=db_now(engine))).rowcount:
            return True
        return connection.execute(running.values(cancel_requested=True)).rowcount == 1


@retrying
def reap_stale(
    engine: Engine,
    grace_seconds: float,
    spare: Callable[[str | None, int | None], bool] | None = None,
) -> list[int]:
    """Fail running runs whose heartbeat is older than `grace_seconds` by the database clock;
    their stored steps are kept. `spare(host, pid)` of a run's worker: True keeps the run
    (a worker known to be alive, whose beats a long lock held back)."""
    age = seconds_since(engine, Run.heartbeat)
    stale = (
        select(Run.id, age.label("age"), Worker.host, Worker.pid)
        .join(Worker, Worker.id == Run.worker_id, isouter=True)
        .where(Run.status == "running", age > grace_seconds)
    )
    with engine.connect() as connection:
        candidates = connection.execute(stale).all()
    reaped = []
    for run_id, seconds, host, pid in candidates:
        if spare is not None and spare(host, pid):
            continue
        message = f"worker lost (no heartbeat for {float(seconds):.0f}s)"
        statement = update(Run).where(
            Run.id == run_id, Run.status == "running", age > grace_seconds
        )
        with engine.begin() as connection:
            done = connection.execute(
                statement.values(status="failed", finished=db_now(engine), error=message)
            ).rowcount
        if done:
            reaped.append(run_id)
    return reaped

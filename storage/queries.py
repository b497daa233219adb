"""Read-side views for the dashboard and CLI, plus renames and deletes.

Deletes go in batches of `DELETE_BATCH` rows, each its own short transaction, so deleting a
run of millions of steps never holds SQLite's write lock for long (one transaction deleting
5M steps held it 9.5 s, and writers of other runs failed). The run row goes last, and a run's
steps go from the last one down: a delete that is interrupted leaves the run with its first
steps, contiguous, and deleting it again finishes the job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from storage.db import retrying, session_scope
from storage.models import Experiment, Metric, Run, SweepPoint


@dataclass(frozen=True)
class RunView:
    id: int
    experiment_id: int | None
    kind: str
    status: str
    progress: float
    config: dict
    device: str | None
    worker_id: str | None
    created: datetime | None
    started: datetime | None
    finished: datetime | None
    seconds: float | None
    summary: Any
    error: str | None
    steps_stored: int  # metric rows with a recorded f (diverged NaN rows excluded)
    cancel_requested: bool = False
    steps_total: int | None = None
    heartbeat: datetime | None = None


@dataclass(frozen=True)
class ExperimentView:
    id: int
    name: str
    kind: str
    tags: Any
    created: datetime | None
    runs: int


def _runs_query():
    stored = (
        select(func.count(Metric.f))  # rows with a recorded f: NaN (NULL) rows trail divergence
        .where(Metric.run_id == Run.id)
        .correlate(Run)
        .scalar_subquery()
        .label("steps_stored")
    )
    return select(Run, stored)


def _view(run: Run, steps_stored: int) -> RunView:
    return RunView(
        id=run.id,
        experiment_id=run.experiment_id,
        kind=run.kind,
        status=run.status,
        progress=float(run.progress or 0.0),
        config=dict(run.config or {}),
        device=run.device,
        worker_id=run.worker_id,
        created=run.created,
        started=run.started,
        finished=run.finished,
        seconds=run.seconds,
        summary=run.summary,
        error=run.error,
        steps_stored=int(steps_stored or 0),
        cancel_requested=bool(run.cancel_requested),
        steps_total=run.steps_total,
        heartbeat=run.heartbeat,
    )


def get_run(engine: Engine, run_id: int) -> RunView | None:
    with session_scope(engine) as session:
        row = session.execute(_runs_query().where(Run.id == run_id)).first()
        return None if row is None else _view(*row)


def list_runs(
    engine: Engine,
    experiment_id: int | None = None,
    status: str | list[str] | tuple[str, ...] | None = None,
    limit: int | None = None,
) -> list[RunView]:
    """Runs, newest first, optionally of one experiment and/or status (or statuses)."""
    query = _runs_query().order_by(Run.id.desc())
    if experiment_id is not None:
        query = query.where(Run.experiment_id == experiment_id)
    if isinstance(status, str):
        query = query.where(Run.status == status)
    elif status is not None:
        query = query.where(Run.status.in_(list(status)))
    if limit is not None:
        query = query.limit(limit)
    with session_scope(engine) as session:
        return [_view(*row) for row in session.execute(query).all()]


def list_experiments(engine: Engine) -> list[ExperimentView]:
    """Experiments, newest first, with their run counts."""
    count = (
        select(func.count())
        .where(Run.experiment_id == Experiment.id)
        .correlate(Experiment)
        .scalar_subquery()
    )
    query = select(Experiment, count).order_by(Experiment.id.desc())
    with session_scope(engine) as session:
        return [
            ExperimentView(e.id, e.name, e.kind, e.tags, e.created, int(n or 0))
            for e, n in session.execute(query).all()
        ]


def rename_experiment(engine: Engine, experiment_id: int, name: str) -> bool:
    """ConfigError (one line) for an empty name or one over 200 characters."""
    from storage.queue import check_experiment_name

    check_experiment_name(name)
    statement = update(Experiment).where(Experiment.id == experiment_id).values(name=name)
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def set_experiment_tags(engine: Engine, experiment_id: int, tags: list[str]) -> bool:
    """Replace an experiment's tags (a JSON list of strings)."""
    statement = update(Experiment).where(Experiment.id == experiment_id).values(tags=list(tags))
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


DELETE_BATCH = 20_000  # rows a delete transaction: ~0.1 s of SQLite's write lock
_STEP_TABLES = ((Metric.run_id, Metric.step), (SweepPoint.run_id, SweepPoint.index))


@retrying
def _delete_batch(engine: Engine, run_column, key_column, run_id: int, batch: int) -> int:
    """Delete up to `batch` of the run's rows with the highest keys; how many went."""
    last = select(key_column).where(run_column == run_id).order_by(key_column.desc()).limit(batch)
    statement = delete(run_column.table).where(run_column == run_id, key_column.in_(last))
    with engine.begin() as connection:
        return connection.execute(statement).rowcount


def _delete_steps(engine: Engine, run_id: int, batch: int) -> None:
    """Delete a run's metrics and sweep points in short transactions, last steps first."""
    for run_column, key_column in _STEP_TABLES:
        while _delete_batch(engine, run_column, key_column, run_id, batch) >= batch:
            pass


@retrying
def _delete_rows(engine: Engine, run_ids, *rows) -> int:
    """Delete what is left of `run_ids` (a list or a subquery: steps stored meanwhile), then
    `rows` (DELETE statements) in one transaction; the last statement's rowcount."""
    with engine.begin() as connection:
        connection.execute(delete(Metric).where(Metric.run_id.in_(run_ids)))
        connection.execute(delete(SweepPoint).where(SweepPoint.run_id.in_(run_ids)))
        return [connection.execute(statement).rowcount for statement in rows][-1]


def delete_run(engine: Engine, run_id: int, batch: int = DELETE_BATCH) -> bool:
    """Delete a run with its metrics and sweep points (in batches, the run row last)."""
    _delete_steps(engine, run_id, batch)
    return _delete_rows(engine, [run_id], delete(Run).where(Run.id == run_id)) == 1


def delete_experiment(engine: Engine, experiment_id: int, batch: int = DELETE_BATCH) -> bool:
    """Delete an experiment with all its runs (and their metrics and sweep points), in
    batches, the rows of the runs and the experiment last."""
    runs = select(Run.id).where(Run.experiment_id == experiment_id)
    with engine.connect() as connection:
        run_ids = connection.execute(runs).scalars().all()
    for run_id in run_ids:
        _delete_steps(engine, run_id, batch)
    done = _delete_rows(
        engine,
        runs,
        delete(Run).where(Run.experiment_id == experiment_id),
        delete(Experiment).where(Experiment.id == experiment_id),
    )
    return done == 1
